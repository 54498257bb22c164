"""The output guard: regular files only, whole files or nothing, clear errors (never a device)."""

from __future__ import annotations

import errno
import json
import os
import stat
from pathlib import Path

import pytest

from landbridge.errors import InvalidInputError, OutputError
from landbridge.outputs import (
    MANIFEST,
    atomic_file,
    atomic_folder,
    check_output_file,
    check_output_folder,
    is_complete_folder,
    write_text,
)


@pytest.fixture
def fifo(tmp_path: Path) -> Path:
    path = tmp_path / "pipe"
    os.mkfifo(path)
    return path


def test_a_fifo_is_refused_before_any_work_and_left_in_place(fifo: Path) -> None:
    with pytest.raises(OutputError, match=r"named pipe \(FIFO\).*only a regular file"):
        check_output_file(fifo, "event log")
    with pytest.raises(OutputError, match="named pipe"), atomic_file(fifo, "event log") as tmp:
        tmp.write_text("never")
    assert stat.S_ISFIFO(os.stat(fifo).st_mode)
    assert sorted(p.name for p in fifo.parent.iterdir()) == ["pipe"]


def test_a_symlink_to_a_fifo_is_refused_and_both_left(fifo: Path) -> None:
    link = fifo.parent / "link.csv"
    link.symlink_to(fifo)
    with pytest.raises(OutputError, match="named pipe"):
        write_text(link, "x", "time series file")
    assert link.is_symlink() and stat.S_ISFIFO(os.stat(fifo).st_mode)


def test_a_folder_missing_folder_or_bad_name_is_refused(tmp_path: Path) -> None:
    with pytest.raises(OutputError, match="is a folder"):
        check_output_file(tmp_path, "event log")
    with pytest.raises(OutputError, match="there is no folder"):
        check_output_file(tmp_path / "nope" / "x.parquet", "event log")
    with pytest.raises(OutputError, match="not a valid file name"):
        check_output_file("a\0b", "event log")
    assert issubclass(OutputError, InvalidInputError)  # exit 2, HTTP 422


def test_a_regular_file_is_replaced_whole(tmp_path: Path) -> None:
    target = tmp_path / "out.csv"
    target.write_text("old")
    write_text(target, "new", "time series file")
    assert target.read_text() == "new"
    assert [p.name for p in tmp_path.iterdir()] == ["out.csv"]


@pytest.mark.parametrize(
    ("code", "advice"),
    [
        (errno.ENOSPC, "the disk is full"),
        (errno.EACCES, "permission denied"),
        (errno.EROFS, "read-only"),
    ],
)
def test_a_failed_write_leaves_the_old_file_and_no_temporary(
    tmp_path: Path, code: int, advice: str
) -> None:
    target = tmp_path / "events.parquet"
    target.write_text("old run")
    match = f"{advice}.*nothing was written"
    with pytest.raises(OutputError, match=match), atomic_file(target, "event log") as tmp:
        tmp.write_text("half of the new")
        raise OSError(code, os.strerror(code))
    assert target.read_text() == "old run"
    assert [p.name for p in tmp_path.iterdir()] == ["events.parquet"]


def test_an_unwritable_folder_is_refused(tmp_path: Path) -> None:
    folder = tmp_path / "ro"
    folder.mkdir()
    folder.chmod(0o500)
    try:
        if os.access(folder, os.W_OK):
            pytest.skip("running as root: permissions do not bind")
        with pytest.raises(OutputError, match="not writable"):
            check_output_file(folder / "x.csv", "time series file")
    finally:
        folder.chmod(0o700)


def test_an_unwritable_folder_is_refused_whoever_runs_the_test(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The same without chmod (as root it binds nothing): the folder reported unwritable, and a
    write that fails with EACCES anyway; nothing is left behind."""
    real_access = os.access
    folder = tmp_path / "ro"
    folder.mkdir()
    monkeypatch.setattr(os, "access", lambda p, mode: Path(p) != folder and real_access(p, mode))
    with pytest.raises(OutputError, match="the folder .* is not writable"):
        check_output_file(folder / "x.csv", "time series file")
    monkeypatch.setattr(os, "access", real_access)

    def denied(*args, **kwargs):
        raise PermissionError(errno.EACCES, os.strerror(errno.EACCES))

    monkeypatch.setattr("tempfile.mkstemp", denied)
    with pytest.raises(OutputError, match="permission denied; choose a folder you can write to"):
        write_text(folder / "x.csv", "a", "time series file")
    assert list(folder.iterdir()) == []


def test_a_folder_output_is_whole_with_a_manifest_and_replaced_whole(tmp_path: Path) -> None:
    target = tmp_path / "report"
    with atomic_folder(target, "report") as tmp:
        (tmp / "index.html").write_text("<p>A</p>")
        (tmp / "a.png").write_bytes(b"png")
    assert is_complete_folder(target)
    manifest = json.loads((target / MANIFEST).read_text())
    assert [f["name"] for f in manifest["files"]] == ["a.png", "index.html"]
    with atomic_folder(target, "report") as tmp:
        (tmp / "index.html").write_text("<p>B</p>")
    assert sorted(p.name for p in target.iterdir()) == ["index.html", MANIFEST]
    assert (target / "index.html").read_text() == "<p>B</p>"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["report"]


def test_a_folder_output_killed_half_way_leaves_the_old_one(tmp_path: Path) -> None:
    target = tmp_path / "report"
    with atomic_folder(target, "report") as tmp:
        (tmp / "index.html").write_text("old")
    with pytest.raises(RuntimeError), atomic_folder(target, "report") as tmp:
        (tmp / "index.html").write_text("half")
        raise RuntimeError("killed")
    assert (target / "index.html").read_text() == "old" and is_complete_folder(target)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["report"]


def test_a_folder_of_other_files_or_a_mixed_folder_is_not_taken(tmp_path: Path) -> None:
    mine = tmp_path / "mine"
    mine.mkdir()
    (mine / "thesis.tex").write_text("keep")
    with pytest.raises(OutputError, match="already holds other files"):
        check_output_folder(mine, "report")
    done = tmp_path / "done"
    with atomic_folder(done, "report") as tmp:
        (tmp / "a.csv").write_text("1")
    (done / "b.csv").write_text("from another run")
    assert not is_complete_folder(done)
    assert not is_complete_folder(mine)


def test_simulate_refuses_a_fifo_for_events_and_timeseries_before_running(
    fifo: Path, tmp_path: Path
) -> None:
    from typer.testing import CliRunner

    from landbridge.cli import app

    for flag in ("--events", "--timeseries"):
        res = CliRunner().invoke(app, ["simulate", "--days", "5", flag, str(fifo)])
        assert res.exit_code == 2, res.output
        assert "named pipe" in res.output and "Traceback" not in res.output
    assert stat.S_ISFIFO(os.stat(fifo).st_mode)


def _killed_writer(target: Path) -> None:
    """Fork a process that starts a folder write and is SIGKILLed inside it (no clean-up runs)."""
    import signal

    pid = os.fork()
    if pid == 0:  # pragma: no cover - the child never returns
        with atomic_folder(target, "export") as tmp:
            (tmp / "half.csv").write_text("a,b\n1,")
            os.kill(os.getpid(), signal.SIGKILL)
    os.waitpid(pid, 0)


def test_a_killed_writers_temporary_folder_goes_on_the_next_write(tmp_path: Path) -> None:
    target = tmp_path / "export"
    _killed_writer(target)
    first = [p.name for p in tmp_path.iterdir()]
    assert len(first) == 1 and first[0].startswith(".export.") and first[0].endswith(".tmp")
    _killed_writer(target)  # also a write to the folder: the first one's leftovers go
    second = [p.name for p in tmp_path.iterdir()]
    assert len(second) == 1 and second != first
    live = tmp_path / f".export.{os.getpid()}.inuse.tmp"  # a write of a live process: kept
    live.mkdir()
    other = tmp_path / ".other.1.x.tmp"  # another target's temporary: not ours to judge
    other.mkdir()
    with atomic_folder(target, "export") as tmp:
        (tmp / "a.csv").write_text("1")
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(
        ["export", live.name, other.name]
    )
    assert is_complete_folder(target)


def test_a_killed_writers_temporary_file_goes_on_the_next_write(tmp_path: Path) -> None:
    import signal

    target = tmp_path / "events.parquet"
    pid = os.fork()
    if pid == 0:  # pragma: no cover
        with atomic_file(target, "event log") as tmp:
            tmp.write_bytes(b"part")
            os.kill(os.getpid(), signal.SIGKILL)
    os.waitpid(pid, 0)
    assert len(list(tmp_path.iterdir())) == 1
    write_text(target, "whole", "event log")
    assert [p.name for p in tmp_path.iterdir()] == ["events.parquet"]
