"""A small course made up by a test, built with the CLI and unzipped, as a learner gets it."""

from __future__ import annotations

import zipfile
from pathlib import Path

import yaml
from click.testing import CliRunner

from builder.cli import main


def built_course(root: Path, course_yaml: str, files: dict[str, str], formats: tuple[str, ...] = ("offline",)) -> Path:
    """Write a course under `root` (course.yaml and `files`, paths inside the course folder), build `formats`
    into `root/dist` and unzip the offline package into `root/offline`, which is returned."""
    config = yaml.safe_load(course_yaml)
    course = root / config["id"]
    for name, text in {"course.yaml": course_yaml, **files}.items():
        (course / name).parent.mkdir(parents=True, exist_ok=True)
        (course / name).write_text(text, encoding="utf-8")
    options = [option for fmt in formats for option in ("--format", fmt)]
    result = CliRunner().invoke(main, ["build", str(course), "--out", str(root / "dist"), *options])
    assert result.exit_code == 0, result.output
    with zipfile.ZipFile(root / "dist" / f"{config['id']}-{config['version']}-offline.zip") as archive:
        archive.extractall(root / "offline")
    return root / "offline"
