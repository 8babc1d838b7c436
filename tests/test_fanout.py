"""Builds spread over machines: `list --json`, `build --shard I/N`, and `library DIR...` gathering the shards."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from builder.buildkey import RECORD  # the build record beside the packages (incremental builds)
from builder.problems import UsageProblem
from builder.schedule import Shard, largest_first, parse_shard, split


@pytest.fixture
def catalogue(sample, new_course) -> Path:
    """Three courses under one folder: the two samples (one in three languages) and a scaffolded one."""
    sample("land-use-basics")
    sample("participatory-planning")
    return new_course.parent


def files(folder: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(folder.iterdir()) if p.is_file() and p.name != RECORD}


def test_shards_gathered_into_one_library_are_byte_identical_to_one_build(catalogue, run, tmp_path):
    cache = ["--cache", tmp_path / "cache"]
    assert run("build", "-s", catalogue, "-o", tmp_path / "whole", *cache).exit_code == 0
    for n in (1, 2):
        result = run("build", "-s", catalogue, "-o", tmp_path / f"shard{n}", "--shard", f"{n}/2", *cache)
        assert result.exit_code == 0, result.output
    shards = [files(tmp_path / f"shard{n}") for n in (1, 2)]
    packages = [{name for name in shard if name not in ("index.html", "catalog.json")} for shard in shards]
    assert packages[0] and packages[1] and not packages[0] & packages[1]
    result = run("library", tmp_path / "shard1", tmp_path / "shard2", "--out", tmp_path / "gathered")
    assert result.exit_code == 0, result.output
    assert "Library of 20 packages" in result.output
    assert files(tmp_path / "gathered") == files(tmp_path / "whole")


def test_list_json_names_every_course_with_languages_build_key_and_shard(catalogue, run, tmp_path):
    result = run("list", "-s", catalogue, "--json", "--shards", "2")
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert data["schema"] == 1
    courses = {c["id"]: c for c in data["courses"]}
    assert list(courses) == ["land-use-basics", "participatory-planning", "town-course"]
    assert courses["land-use-basics"]["languages"] == ["en", "es", "ar"]
    assert courses["town-course"]["version"] == "0.1.0" and courses["town-course"]["errors"] == []
    assert all(re.fullmatch(r"[0-9a-f]{64}", c["build_key"]) for c in courses.values())
    for n in (1, 2):  # each course is listed in the shard that builds it
        out = tmp_path / f"shard{n}"
        run("build", "-s", catalogue, "-o", out, "--shard", f"{n}/2", "-f", "offline")
        built = {name.split("-0.1.0")[0].split("-1.0.0")[0] for name in files(out) if name.endswith(".zip")}
        assert built == {i for i, c in courses.items() if c["shard"] == f"{n}/2"}


def test_the_build_key_follows_the_sources(catalogue, run):
    def keys() -> dict[str, str]:
        return {c["id"]: c["build_key"] for c in json.loads(run("list", "-s", catalogue, "--json").output)["courses"]}

    before = keys()
    assert keys() == before
    module = catalogue / "town-course" / "modules" / "02-first-steps.md"
    module.write_text(module.read_text() + "\nOne more line.\n")
    after = keys()
    assert after["town-course"] != before["town-course"]
    assert {k: v for k, v in after.items() if k != "town-course"} == \
        {k: v for k, v in before.items() if k != "town-course"}


def test_a_course_that_does_not_load_is_listed_with_its_errors(catalogue, run):
    (catalogue / "town-course" / "course.yaml").write_text("id: [town\n")
    data = json.loads(run("list", "-s", catalogue, "--json").output)
    broken = data["courses"][-1]
    assert broken["id"] == "town-course" and broken["languages"] == []
    assert "YAML syntax error" in broken["errors"][0]


def test_the_split_is_balanced_deterministic_and_covers_every_course(tmp_path):
    roots = []
    for n, modules in enumerate([9, 1, 4, 4, 2, 7, 1]):
        root = tmp_path / f"c{n}"
        (root / "modules").mkdir(parents=True)
        (root / "course.yaml").write_text(f"id: course-{n}\n")
        for m in range(modules):
            (root / "modules" / f"{m}.md").write_text("# Module\n")
        roots.append(root)
    groups = split(roots, 3)
    assert split(list(reversed(roots)), 3) == groups  # whatever order a machine lists them in
    assert sorted(r for g in groups for r in g) == sorted(roots)
    loads = [sum(len(list((r / "modules").iterdir())) for r in g) for g in groups]
    assert sorted(loads) == [9, 9, 10]
    assert split(roots, 10)[7:] == [[], [], []]


@pytest.mark.parametrize("text", ["0/2", "3/2", "1", "a/b", "1/0"])
def test_a_shard_that_is_not_i_of_n_is_a_usage_error(text):
    with pytest.raises(UsageProblem, match="is not I/N"):
        parse_shard(text)
    assert parse_shard(" 2 / 4 ") == Shard(2, 4)


def test_library_refuses_two_different_packages_under_one_name(new_course, run, tmp_path):
    assert run("build", new_course, "-o", tmp_path / "a", "-f", "offline").exit_code == 0
    module = new_course / "modules" / "02-first-steps.md"
    module.write_text(module.read_text() + "\nChanged without a new version.\n")
    assert run("build", new_course, "-o", tmp_path / "b", "-f", "offline").exit_code == 0
    result = run("library", tmp_path / "a", tmp_path / "b", "--out", tmp_path / "all")
    assert result.exit_code == 1
    assert "town-course-0.1.0-offline.zip: differs from" in result.stderr
    assert not (tmp_path / "all" / "town-course-0.1.0-offline.zip").exists()
    assert run("library", tmp_path / "a", tmp_path / "b").exit_code == 2  # several folders need --out


def test_the_pool_gets_the_biggest_courses_first(tmp_path):
    roots = []
    for name, words in (("small", 10), ("big", 900), ("middle", 300), ("tie", 300)):
        root = tmp_path / name
        (root / "modules").mkdir(parents=True)
        (root / "modules" / "01.md").write_text("word " * words)
        roots.append(root)
    assert [r.name for r in largest_first(roots)] == ["big", "middle", "tie", "small"]
