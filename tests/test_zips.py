"""The zip writer: entries compressed once for several zips, and the same bytes zipfile itself would write."""

from __future__ import annotations

import hashlib
import random
import shutil
import subprocess
import zipfile
from pathlib import Path

import pytest

from builder import zips
from builder.package import entry_order, stage_zip
from builder.zips import Store


def zipfile_bytes(path: Path, files: dict[str, bytes | Path]) -> bytes:
    """What the standard library writes for the same entries, the way packages used to be written."""
    with zipfile.ZipFile(path, "w") as archive:
        for name in sorted(files, key=entry_order):
            content = files[name]
            info = zipfile.ZipInfo(name, zips.FIXED_TIME)
            info.create_system, info.external_attr = 3, zips.FILE_MODE
            info.compress_type = zipfile.ZIP_STORED if name.endswith((".png", ".mp4")) else zipfile.ZIP_DEFLATED
            if not name.isascii():
                info.flag_bits |= 0x800
            archive.writestr(info, content if isinstance(content, bytes) else content.read_bytes())
    return path.read_bytes()


@pytest.fixture
def files(tmp_path) -> dict[str, bytes | Path]:
    """Small and large entries, text and media, an ASCII and a non-ASCII name; large ones as files on disk."""
    noise = random.Random(1).randbytes(zips.SPILL_OVER + 12345)
    (tmp_path / "film.mp4").write_bytes(noise)
    (tmp_path / "notes.txt").write_bytes(b"field notes, many times over\n" * 60000)
    return {"imsmanifest.xml": b"<manifest/>", "index.html": "<p>Planificación</p>".encode(),
            "assets/coursepack.css": b"body{margin:0}" * 50, "files/dot.png": b"\x89PNG not really",
            "files/film.mp4": tmp_path / "film.mp4", "files/notes.txt": tmp_path / "notes.txt",
            "files/café.txt": b"caf\xc3\xa9\n", "empty.txt": b""}


def test_zips_are_byte_identical_to_zipfiles_and_valid(files, tmp_path):
    with Store() as store:
        staged = [stage_zip(tmp_path / f"{n}.zip", files, store) for n in ("a", "b")]
    expected = zipfile_bytes(tmp_path / "reference.zip", files)
    for zip_ in staged:
        data = zip_.temp.read_bytes()
        assert data == expected
        assert (zip_.size, zip_.sha256) == (len(data), hashlib.sha256(data).hexdigest())
        with zipfile.ZipFile(zip_.temp) as archive:
            assert archive.testzip() is None
            assert archive.read("files/film.mp4") == (tmp_path / "film.mp4").read_bytes()
    if shutil.which("unzip"):
        check = subprocess.run(["unzip", "-t", str(staged[0].temp)], capture_output=True, text=True)
        assert check.returncode == 0 and "No errors detected" in check.stdout, check.stdout


def test_entries_report_sizes_and_hashes_of_their_content(files, tmp_path):
    staged = stage_zip(tmp_path / "a.zip", files)
    entry = {e.path: e for e in staged.entries}["files/notes.txt"]
    content = (tmp_path / "notes.txt").read_bytes()
    assert (entry.size, entry.sha256) == (len(content), hashlib.sha256(content).hexdigest())
    assert entry.compressed < entry.size // 100
    assert [e.path for e in staged.entries][:2] == ["imsmanifest.xml", "index.html"]


def test_shared_content_is_compressed_once(files, tmp_path, monkeypatch):
    calls = []
    deflater = zips._deflater
    monkeypatch.setattr(zips, "_deflater", lambda: calls.append(1) or deflater())
    with Store() as store:
        for n in range(3):
            stage_zip(tmp_path / f"{n}.zip", {**files, "coursepack.json": str(n).encode()}, store)
    deflated = sum(1 for name in files if not name.endswith((".png", ".mp4")))
    assert len(calls) == deflated + 3  # every shared entry once; coursepack.json once per zip


def test_a_package_beyond_a_plain_zip_is_the_courses_error(tmp_path, monkeypatch):
    monkeypatch.setattr(zips, "LIMIT", 1000)  # as if 1,000 bytes were 4 GB
    with pytest.raises(zips.TooBig, match="'big.txt' would make the package bigger than 4 GB"):
        stage_zip(tmp_path / "a.zip", {"big.txt": random.Random(2).randbytes(2000)})
    assert list(tmp_path.iterdir()) == []  # no temp file left behind
