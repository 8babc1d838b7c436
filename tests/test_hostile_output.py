"""The output folder is not trusted: foreign files in it, bad --out values, a full disk, kill -9.

Rules checked here: the build never crashes on what it finds in --out, never decompresses a foreign
zip, never replaces a page it did not write, turns any OS error into one message, and leaves the
library (index.html, catalog.json) consistent with the zips present, whatever happened before.
"""

from __future__ import annotations

import errno
import hashlib
import json
import os
import shutil
import signal
import subprocess
import sys
import time
import zipfile
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from builder import build as build_module
from builder import library, package, scan, zips
from builder.buildkey import RECORD  # the build record beside the packages (incremental builds)
from builder.cli import main

PROJECT = Path(__file__).resolve().parent.parent
PACKAGES = ["town-0.1.0-offline.zip", "town-0.1.0-scorm12.zip", "town-0.1.0-scorm2004.zip"]
LEFT_OUT_HINT = "rebuild it with this coursepack, or move it out of the folder"


def coursepack(*args: str) -> Result:
    """Run the CLI in-process; exceptions are caught, so a traceback shows as a failed assertion."""
    return CliRunner().invoke(main, [str(a) for a in args])


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """tmp_path as the working directory, with the scaffold course courses/town."""
    monkeypatch.chdir(tmp_path)
    assert coursepack("new", "town").exit_code == 0
    return tmp_path


def snapshot(folder: Path) -> dict[str, str]:
    """Every file in `folder` (hidden ones too, but the build record) with a hash of its bytes."""
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(folder.iterdir())
            if p.is_file() and p.name != RECORD}


def assert_consistent(folder: Path) -> None:
    """The library lists exactly the packages in the folder, with their real sizes and checksums."""
    data = json.loads((folder / "catalog.json").read_text(encoding="utf-8"))
    releases = [r for c in data["courses"] for r in c["all_languages"] + [
        r for lang in c["languages"] for r in lang["releases"]]]
    listed = {p["file"]: (p["size"], p["sha256"]) for r in releases for p in r["packages"]}
    present = {p.name: (p.stat().st_size, hashlib.sha256(p.read_bytes()).hexdigest())
               for p in folder.glob("*.zip") if p.is_file() and not p.is_symlink() and _ours(p)}
    assert listed == present
    page = (folder / "index.html").read_text(encoding="utf-8")
    assert all(name in page and sha in page for name, (_, sha) in listed.items())


def _ours(path: Path) -> bool:
    """A zip with a coursepack.json naming a course (the foreign zips of these tests have none)."""
    try:
        with zipfile.ZipFile(path) as archive:
            entry = archive.getinfo("coursepack.json")
            return entry.file_size < 65536 and "course" in json.loads(archive.read(entry))
    except Exception:  # noqa: BLE001 - any damage means: not ours
        return False


def edit(module: Path) -> None:
    """A change to a module, so the next build has something to do (the file closed at once)."""
    with module.open("a", encoding="utf-8") as file:
        file.write("\nOne more line.\n")


def assert_no_traceback(result: Result) -> None:
    assert isinstance(result.exception, SystemExit) or result.exception is None, result.exc_info
    assert "Traceback" not in result.output


# --- foreign files in --out ---------------------------------------------------------------

def entry_zip(path: Path, compression: int = zipfile.ZIP_DEFLATED, entry: bytes = b'{"schema": 1}') -> bytes:
    """A zip holding a coursepack.json (and, to be sure it is never read, a big other entry)."""
    with zipfile.ZipFile(path, "w", compression) as archive:
        archive.writestr("coursepack.json", entry)
        archive.writestr("movie.bin", bytes(5_000_000))  # 5 MB of zeros, a few KB deflated
    return path.read_bytes()


def patch_central(data: bytes, offset: int, value: bytes) -> bytes:
    """Change a field of the first central directory entry (coursepack.json's)."""
    start = data.index(b"PK\x01\x02")
    return data[:start + offset] + value + data[start + offset + len(value):]


def test_foreign_zips_are_left_out_without_being_decompressed(project: Path) -> None:
    out = project / "dist"
    out.mkdir()
    plain = entry_zip(project / "plain.zip")
    (out / "encrypted.zip").write_bytes(patch_central(plain, 8, b"\x01\x00"))  # flag bit 0: encrypted
    entry_zip(out / "bzip2.zip", zipfile.ZIP_BZIP2)
    entry_zip(out / "lzma.zip", zipfile.ZIP_LZMA)
    (out / "huge-entry.zip").write_bytes(patch_central(plain, 24, (2_500_000_000).to_bytes(4, "little")))
    entry_zip(out / "big-entry.zip", entry=b" " * 1_000_000 + b"{}")
    (out / "truncated.zip").write_bytes(plain[:-40])
    end = plain.rindex(b"PK\x05\x06")
    (out / "long-list.zip").write_bytes(plain[:end + 12] + (100_000_000).to_bytes(4, "little") + plain[end + 16:])
    broken = bytearray(entry_zip(project / "broken.zip", entry=json.dumps({"x": "y" * 500}).encode()))
    at = bytes(broken).index(b"coursepack.json") + len("coursepack.json")
    broken[at:at + 40] = b"\xff" * 40  # the deflated data of coursepack.json itself
    (out / "corrupt.zip").write_bytes(bytes(broken))
    (out / "not-json.zip").write_bytes(entry_zip(project / "x.zip", entry=b"\xff\xfe{"))
    os.mkfifo(out / "fifo.zip")  # must never be opened: it would hang the build
    (out / "link.zip").symlink_to(project / "plain.zip")
    (out / "folder.zip").mkdir()  # not a file at all: passed over in silence
    (out / os.fsdecode(b"bad\xff.zip")).write_bytes(plain)

    result = coursepack("build", "town", "--out", "dist")

    assert_no_traceback(result)
    assert result.exit_code == 0, result.output
    warnings = sorted(line for line in result.stderr.splitlines() if line.startswith("dist/"))
    reasons = {line.split(": ")[0]: line.split("left out of the library: ")[1].split(" — ")[0] for line in warnings}
    assert reasons.pop("dist/bad\\udcff.zip") == "its name is not UTF-8 text, so the library could not link it"
    assert all(line.endswith(f" — {LEFT_OUT_HINT}") for line in warnings)
    assert reasons == {
        "dist/big-entry.zip": "its coursepack.json is over 64 KB, so it is not one coursepack wrote",
        "dist/bzip2.zip": "its coursepack.json is compressed with an unusual method, so it is not one coursepack wrote",
        "dist/corrupt.zip": reasons["dist/corrupt.zip"],
        "dist/encrypted.zip": "its coursepack.json is encrypted, so it is not one coursepack wrote",
        "dist/fifo.zip": "it is a link or a special file, not a package",
        "dist/huge-entry.zip": "its coursepack.json is over 64 KB, so it is not one coursepack wrote",
        "dist/link.zip": "it is a link or a special file, not a package",
        "dist/long-list.zip": "it lists too many files (2) to be a coursepack package",
        "dist/lzma.zip": "its coursepack.json is compressed with an unusual method, so it is not one coursepack wrote",
        "dist/not-json.zip": "its coursepack.json is not valid JSON",
        "dist/truncated.zip": "not a zip file",
    }
    assert reasons["dist/corrupt.zip"].startswith("a damaged zip file (")
    assert_consistent(out)
    assert sorted(p["file"] for c in json.loads((out / "catalog.json").read_text())["courses"]
                  for lang in c["languages"] for r in lang["releases"] for p in r["packages"]) == PACKAGES


def test_the_library_reads_no_zip_that_is_not_a_package_beyond_its_entry(project: Path, monkeypatch) -> None:
    out = project / "dist"
    out.mkdir()
    entry_zip(out / "other.zip")
    opened = []
    real_open = zipfile.ZipFile.open
    monkeypatch.setattr(zipfile.ZipFile, "open", lambda self, name, *a, **k: opened.append(
        (Path(self.filename or self.fp.name).name, getattr(name, "filename", name))) or real_open(self, name, *a, **k))
    assert coursepack("build", "town", "-f", "offline", "--out", "dist").exit_code == 0
    assert [name for name in opened if name[0] == "other.zip"] == [("other.zip", "coursepack.json")]


# --- bad --out values ----------------------------------------------------------------------

@pytest.mark.parametrize(("out", "message"), [
    ("notes.txt", "--out 'notes.txt' is a file, not a folder; give a folder for the packages"),
    ("notes.txt/dist", "--out 'notes.txt/dist' lies below 'notes.txt', which is a file; give a folder for the "
                       "packages"),
    ("/", "--out '/' is the root of the file system; give a folder for the packages, e.g. --out dist"),
    ("/proc", "--out '/proc' lies in the system folder /proc; give a folder for the packages, e.g. --out dist"),
    ("/proc/self/dist", "--out '/proc/self/dist' lies in the system folder /proc; give a folder for the "
                        "packages, e.g. --out dist"),
    ("/dev", "--out '/dev' lies in the system folder /dev; give a folder for the packages, e.g. --out dist"),
])
def test_an_out_that_cannot_hold_packages_is_one_usage_error(project: Path, out: str, message: str) -> None:
    (project / "notes.txt").write_text("mine\n")
    result = coursepack("build", "town", "--out", out)
    assert_no_traceback(result)
    assert result.exit_code == 2
    assert result.stderr.splitlines()[-1] == f"Error: {message}"
    assert (project / "notes.txt").read_text() == "mine\n"


def test_a_read_only_out_is_one_usage_error(project: Path) -> None:
    if os.geteuid() == 0:
        script = ("mkdir -p ro && mount -t tmpfs -o ro,size=64k tmpfs ro && "
                  f"{sys.executable} -m builder build town --out ro/dist")
        result = _in_mount_namespace(script, project)
        stderr, code = result.stderr, result.returncode
    else:
        (project / "ro").mkdir(mode=0o555)
        run = coursepack("build", "town", "--out", "ro/dist")
        stderr, code = run.stderr, run.exit_code
    assert code == 2, stderr
    assert "Traceback" not in stderr
    assert stderr.splitlines()[-1] in ("Error: cannot write to --out 'ro/dist': read-only file system; give a "
                                       "folder you can write to",
                                       "Error: cannot write to --out 'ro/dist': permission denied; give a "
                                       "folder you can write to")


def _in_mount_namespace(script: str, cwd: Path) -> subprocess.CompletedProcess:
    """Run a shell script as root in a private mount namespace (mounts vanish with it), or skip."""
    if not shutil.which("unshare") or subprocess.run(["unshare", "-m", "true"], capture_output=True).returncode:
        pytest.skip("no private mount namespace here")
    env = {**os.environ, "PYTHONPATH": str(PROJECT)}
    result = subprocess.run(["unshare", "-m", "sh", "-c", script], cwd=cwd, env=env, capture_output=True,
                            text=True, timeout=300)
    if "mount:" in result.stderr:
        pytest.skip(f"tmpfs cannot be mounted here: {result.stderr.strip()}")
    return result


@pytest.mark.parametrize("name", ["index.html", "catalog.json"])
def test_a_library_file_coursepack_did_not_write_is_never_replaced(project: Path, name: str) -> None:
    out = project / "site"
    out.mkdir()
    (out / name).write_text("<h1>Our town's own web site</h1>\n" if name == "index.html" else '{"mine": 1}\n')
    before = snapshot(out)
    result = coursepack("build", "town", "--out", "site")
    assert_no_traceback(result)
    assert result.exit_code == 2
    assert result.stderr.splitlines()[-1] == (
        f"Error: --out 'site' holds {name} that coursepack did not write, and the library page would replace "
        "it; move it away, or choose another --out")
    assert snapshot(out) == before  # nothing built into it either


def test_the_library_coursepack_wrote_is_recognised_and_rewritten(project: Path) -> None:
    assert coursepack("build", "town", "-f", "offline").exit_code == 0
    page = (project / "dist" / "index.html").read_text(encoding="utf-8")
    assert '<meta name="generator" content="coursepack library">' in page
    legacy = page.replace('<meta name="generator" content="coursepack library">\n', "")  # before the mark
    (project / "dist" / "index.html").write_text(legacy, encoding="utf-8")
    assert coursepack("build", "town").exit_code == 0
    assert_consistent(project / "dist")


def test_an_os_error_outside_the_build_is_one_message(project: Path) -> None:
    (project / "notes.txt").write_text("mine\n")
    result = coursepack("build", "town", "-f", "offline", "--report", "notes.txt/sizes.json")
    assert_no_traceback(result)
    assert result.exit_code == 1
    assert result.stderr.splitlines()[-1] == "Error: notes.txt: is a file, where a folder is needed"


# --- disk full ---------------------------------------------------------------------------------

def enospc(path: object) -> OSError:
    return OSError(errno.ENOSPC, os.strerror(errno.ENOSPC), str(path))


def test_disk_full_while_writing_a_package_keeps_the_old_ones(project: Path, monkeypatch) -> None:
    assert coursepack("build", "town").exit_code == 0
    before = snapshot(project / "dist")
    edit(project / "courses" / "town" / "modules" / "01-welcome.md")
    real = zips.HashingWriter.write
    written = []

    def full(self, data: bytes) -> None:
        written.append(len(data))
        if len(written) > 3:  # the disk fills up in the middle of the first package
            raise enospc(self.raw.name)
        real(self, data)
    monkeypatch.setattr(zips.HashingWriter, "write", full)

    result = coursepack("build", "town")

    assert_no_traceback(result)
    assert result.exit_code == 1
    [error] = [line for line in result.stderr.splitlines() if "No space" in line]
    assert error == ("dist/town-0.1.0-scorm12.zip: cannot write: No space left on device — free some space, or "
                     "check the folder's permissions, and build again")
    assert snapshot(project / "dist") == before  # old packages and library byte-identical, no temp file
    assert_consistent(project / "dist")


def test_disk_full_while_writing_the_library_leaves_no_stale_checksum(project: Path, monkeypatch) -> None:
    assert coursepack("build", "town").exit_code == 0
    edit(project / "courses" / "town" / "modules" / "01-welcome.md")
    real = library.write_file

    def full(target: Path, data: bytes) -> None:
        if target.name == "index.html":
            raise enospc(target)
        real(target, data)
    monkeypatch.setattr(library, "write_file", full)

    result = coursepack("build", "town")

    assert_no_traceback(result)
    assert result.exit_code == 1
    assert ("dist: cannot write the library: No space left on device — the old catalog.json and index.html "
            "removed, so no stale checksum is listed; free some space (or fix the folder's permissions) and build "
            "again") in result.stderr.splitlines()
    assert sorted(snapshot(project / "dist")) == PACKAGES  # the new packages, and no library that lies
    monkeypatch.setattr(library, "write_file", real)
    assert coursepack("build", "town").exit_code == 0  # space again: the next build writes it
    assert_consistent(project / "dist")


def test_a_really_full_disk(project: Path) -> None:
    """On a small tmpfs: the second build runs out of space; old packages and library stay as they were."""
    if os.geteuid() != 0:
        pytest.skip("mounting a tmpfs needs root")
    shutil.copytree(project / "courses" / "town", project / "v2" / "town")
    edit(project / "v2" / "town" / "modules" / "01-welcome.md")
    script = (f"mkdir -p out && mount -t tmpfs -o size=1m tmpfs out && "
              f"{sys.executable} -m builder build courses/town --out out 2> err1; echo $? > rc1; "
              "cp -a out snap1; "
              "avail=$(df --output=avail -k out | tail -1); "
              "dd if=/dev/zero of=out/.filler bs=1k count=$((avail - 24)) 2>/dev/null; "
              f"{sys.executable} -m builder build v2/town --out out 2> err2; echo $? > rc2; "
              "rm out/.filler; cp -a out snap2")
    _in_mount_namespace(script, project)
    assert (project / "rc1").read_text().strip() == "0", (project / "err1").read_text()
    err = (project / "err2").read_text()
    assert (project / "rc2").read_text().strip() == "1", err
    assert "Traceback" not in err
    assert [line for line in err.splitlines() if "No space left on device" in line]
    assert snapshot(project / "snap2") == snapshot(project / "snap1")
    assert_consistent(project / "snap2")


# --- library speed: known hashes ------------------------------------------------------------------

def test_the_library_hashes_no_package_it_already_knows(project: Path, monkeypatch) -> None:
    assert coursepack("new", "roads").exit_code == 0
    assert coursepack("build", "town").exit_code == 0
    hashed = []
    real = scan.file_sha256
    monkeypatch.setattr(scan, "file_sha256", lambda path: hashed.append(path.name) or real(path))
    assert coursepack("build", "roads").exit_code == 0
    assert hashed == []  # roads' from the build itself, town's from the record
    assert_consistent(project / "dist")

    # Changed behind its back, same size and modification time: the library notices all the same.
    zip_path = project / "dist" / "town-0.1.0-offline.zip"
    old = zip_path.stat()
    data = bytearray(zip_path.read_bytes())
    data[-1] ^= 1  # the zip comment length's high byte: still a readable zip
    zip_path.write_bytes(bytes(data))
    os.utime(zip_path, ns=(old.st_atime_ns, old.st_mtime_ns))
    assert coursepack("build", "roads", "--force").exit_code == 0  # up to date, roads alone would write nothing
    assert hashed == ["town-0.1.0-offline.zip"]
    assert_consistent(project / "dist")


def test_a_damaged_record_costs_time_not_the_build(project: Path) -> None:
    assert coursepack("build", "town").exit_code == 0
    for record in (project / "courses" / ".coursepack-cache" / "library").iterdir():
        record.write_text('{"schema": 1, "files": {"town-0.1.0-offline.zip": {"stamp": [1, 2, 3, 4], '
                          '"sha256": "00", "entry": 5}, "x": [1e999]}}')
    assert coursepack("build", "town").exit_code == 0
    assert_consistent(project / "dist")


# --- kill -9 ---------------------------------------------------------------------------------

def children_of(pid: int) -> set[int]:
    try:
        return {int(c) for c in Path(f"/proc/{pid}/task/{pid}/children").read_text().split()}
    except OSError:
        return set()


def running(pid: int) -> bool:
    """Alive and not a zombie (a dead worker the container's init has not reaped yet)."""
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] != "Z"
    except OSError:
        return False


@pytest.mark.skipif(not Path("/proc/self/task").is_dir(), reason="needs Linux /proc to find the workers")
def test_kill_9_leaves_no_worker_and_the_next_build_tidies_up(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.chdir(tmp_path)
    shutil.copytree(PROJECT / "courses", tmp_path / "courses",
                    ignore=shutil.ignore_patterns(".coursepack-cache"))
    out = tmp_path / "dist"
    out.mkdir()
    dead = subprocess.Popen(["true"])
    dead.wait()
    stale = out / f".old-1.0.0-offline.zip.{dead.pid}.abcd1234.part"  # from a build killed long ago
    stale.write_bytes(b"half a zip")
    env = {**os.environ, "PYTHONPATH": str(PROJECT)}
    build = subprocess.Popen([sys.executable, "-m", "builder", "build", "-j", "2", "--out", "dist"], env=env,
                             stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    workers: set[int] = set()
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and build.poll() is None:
        workers |= children_of(build.pid)
        if any(p.suffix == ".part" and p != stale for p in out.iterdir()):  # a worker is writing a package
            break
        time.sleep(0.005)
    assert build.poll() is None, "the build ended before it could be killed"
    workers |= children_of(build.pid)
    build.send_signal(signal.SIGKILL)
    build.wait()
    assert workers  # -j 2: the pool's processes

    deadline = time.monotonic() + 5
    while any(map(running, workers)) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not any(map(running, workers))  # the workers died with the build
    left = sorted(p.name for p in out.iterdir())
    time.sleep(0.5)
    assert sorted(p.name for p in out.iterdir()) == left  # and nobody writes or publishes any more
    assert any(name.endswith(".part") and name != stale.name for name in left)

    result = coursepack("build", "participatory-planning", "-f", "offline")
    assert result.exit_code == 0, result.output
    assert not [p.name for p in out.iterdir() if p.name.endswith(".part")]  # leftovers of dead builds removed
    assert_consistent(out)


def test_temp_files_of_a_live_build_are_kept(tmp_path: Path) -> None:
    alive = tmp_path / f".x-1.0.0-offline.zip.{os.getpid()}.abcd1234.part"
    other = tmp_path / ".notes.part"  # not named like ours: not ours to remove
    alive.write_bytes(b"")
    other.write_bytes(b"")
    assert package.remove_leftovers(tmp_path) == []
    assert alive.exists() and other.exists()


def test_ctrl_c_leaves_the_library_in_line_with_what_was_published(project: Path, monkeypatch) -> None:
    assert coursepack("new", "roads").exit_code == 0
    assert coursepack("build", "-f", "offline").exit_code == 0
    for course in ("town", "roads"):
        edit(project / "courses" / course / "modules" / "01-welcome.md")
    real = build_module.publish_course

    def interrupted_after_one(result):
        if result.course == "town":
            raise KeyboardInterrupt
        return real(result)
    monkeypatch.setattr(build_module, "publish_course", interrupted_after_one)
    result = coursepack("build", "-f", "offline", "-j", "1")
    assert result.exit_code == 130 and "Interrupted." in result.stderr  # not 1: no course had errors
    assert_consistent(project / "dist")  # roads' new package listed with its new checksum


def test_a_zip_bomb_in_out_costs_neither_time_nor_memory(project: Path) -> None:
    """A coursepack.json that inflates to 200 MB: refused by its header, under a 512 MB memory limit."""
    out = project / "dist"
    out.mkdir()
    with zipfile.ZipFile(out / "bomb.zip", "w", zipfile.ZIP_DEFLATED, compresslevel=1) as archive:
        with archive.open("coursepack.json", "w") as entry:
            for _ in range(200):
                entry.write(b" " * 1_000_000)
    assert (out / "bomb.zip").stat().st_size < 1_000_000
    limit = "import resource; resource.setrlimit(resource.RLIMIT_AS, (512 << 20, 512 << 20)); "
    result = subprocess.run([sys.executable, "-c", limit + "from builder.cli import main; main()",
                             "build", "town", "-f", "offline", "--out", "dist"], cwd=project, capture_output=True,
                            text=True, timeout=120, env={**os.environ, "PYTHONPATH": str(PROJECT)})
    assert result.returncode == 0, result.stderr
    assert ("dist/bomb.zip: warning: left out of the library: its coursepack.json is over 64 KB, so it is not one "
            f"coursepack wrote — {LEFT_OUT_HINT}") in result.stderr.splitlines()
    assert_consistent(out)
