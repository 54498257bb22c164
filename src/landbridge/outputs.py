"""Every file or folder written for a user goes through here (``--events``, ``--timeseries``,
``--report``, run exports, caches).

The rules, in one place:
- only a regular file (or, for folder outputs, a folder this module wrote) is ever replaced: a
  device, a named pipe, a socket or a folder at the path is refused before any work is done, and
  checked again just before the rename (``--events /dev/null`` must never replace the device);
- the data go to a temporary file in the target's own folder (same file system, so the rename is
  atomic), are flushed to disk, and are renamed into place only when complete: a reader sees the
  old file or the whole new one, never a part;
- a full disk, a quota, a read-only file system or a permission problem is an ``OutputError``
  that says which and leaves nothing behind (the temporary file is removed).

Folder outputs are written as a whole: into a temporary folder next to the target, closed with a
``manifest.json`` listing every file with its size and SHA-256, then renamed into place. A folder
without a complete manifest is not a finished output.

Temporary names carry the writing process's id (``.NAME.PID.RANDOM.tmp``): a process killed
before its clean-up leaves them behind, and the next write to the same target removes those whose
process is gone (never one of a live process, which may still be writing).
"""

from __future__ import annotations

import errno
import hashlib
import json
import os
import re
import shutil
import stat
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from landbridge.errors import OutputError

MANIFEST = "manifest.json"
MANIFEST_FORMAT = 1
_NAME_SHOWN_CHARS = 200
_HASH_CHUNK_BYTES = 1 << 20

_ADVICE = {
    errno.ENOSPC: "the disk is full; free some space and run again",
    errno.EDQUOT: "the disk quota is exhausted; free some space and run again",
    errno.EROFS: "the file system is read-only; choose another folder",
    errno.EACCES: "permission denied; choose a folder you can write to",
    errno.EPERM: "permission denied; choose a folder you can write to",
    errno.ENAMETOOLONG: "the name is too long for the file system",
}


UNWRITABLE = frozenset({errno.ENOSPC, errno.EDQUOT, errno.EROFS, errno.EACCES, errno.EPERM})
"""Errors that mean "nothing can be written there" (the advice above says why)."""


def _shown(path: str | Path) -> str:
    return repr(str(path)[:_NAME_SHOWN_CHARS])


def output_error(exc: OSError, path: str | Path, what: str) -> OutputError:
    """An ``OSError`` met while writing ``what`` at ``path`` as a clear ``OutputError``."""
    advice = _ADVICE.get(exc.errno or 0) or exc.strerror or str(exc)
    return OutputError(f"cannot write the {what} {_shown(path)}: {advice} (nothing was written)")


def _kind(mode: int) -> str:
    if stat.S_ISDIR(mode):
        return "a folder"
    if stat.S_ISFIFO(mode):
        return "a named pipe (FIFO)"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "a device"
    if stat.S_ISSOCK(mode):
        return "a socket"
    return "not a regular file"


def _resolve(path: str | Path, what: str) -> Path:
    text = str(path)
    if not text or "\0" in text:
        raise OutputError(f"cannot write the {what} {_shown(text)}: not a valid file name")
    try:
        return Path(os.path.realpath(Path(text).expanduser()))  # a symlink: check its target
    except (OSError, ValueError) as exc:
        raise OutputError(f"cannot write the {what} {_shown(text)}: {exc}") from None


def _existing_mode(file: Path, what: str) -> int | None:
    try:
        return os.stat(file).st_mode
    except FileNotFoundError:
        return None
    except OSError as exc:
        raise output_error(exc, file, what) from None


def _check_folder(file: Path, what: str) -> None:
    folder = file.parent
    if not folder.is_dir():
        raise OutputError(f"cannot write the {what} {_shown(file)}: there is no folder {folder}")
    if not os.access(folder, os.W_OK | os.X_OK):
        raise OutputError(
            f"cannot write the {what} {_shown(file)}: the folder {folder} is not writable"
        )


def check_output_file(path: str | Path, what: str) -> Path:
    """The resolved ``path`` if a file may be written there; else ``OutputError``.

    Call it before long work so a bad name fails at once. Refused: a device, FIFO, socket or
    folder at the path, a missing or unwritable folder, an invalid name. ``what`` names the
    output in the message ("event log")."""
    file = _resolve(path, what)
    mode = _existing_mode(file, what)
    if mode is not None and not stat.S_ISREG(mode):
        raise OutputError(
            f"the {what} {_shown(path)} is {_kind(mode)}; only a regular file is ever replaced, "
            "give a file name"
        )
    _check_folder(file, what)
    return file


def check_output_folder(path: str | Path, what: str) -> Path:
    """The resolved ``path`` if a folder output may be written there; else ``OutputError``.

    Allowed: nothing at the path, an empty folder, or a folder this module wrote before (it
    holds a manifest) which is then replaced as a whole."""
    folder = _resolve(path, what)
    mode = _existing_mode(folder, what)
    if mode is not None:
        if not stat.S_ISDIR(mode):
            raise OutputError(f"the {what} {_shown(path)} is {_kind(mode)}; give a folder name")
        try:
            entries = os.listdir(folder)
        except OSError as exc:
            raise output_error(exc, folder, what) from None
        if entries and MANIFEST not in entries:
            raise OutputError(
                f"the {what} folder {_shown(path)} already holds other files; give a new or "
                "empty folder (only a folder written by landbridge is replaced)"
            )
    _check_folder(folder, what)
    return folder


def _temp_prefix(target: Path) -> str:
    return f".{target.name[:100]}.{os.getpid()}."


def _process_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except (PermissionError, OverflowError, ValueError):
        return pid > 0  # someone else's live process (or a pid the kernel cannot hold)
    return True


def remove_stale_temporaries(target: Path) -> list[Path]:
    """Remove the temporary files and folders of writes to ``target`` whose process is dead."""
    pattern = re.compile(rf"\.{re.escape(target.name[:100])}\.(\d{{1,10}})\.[^./]+\.(?:tmp|old)")
    removed: list[Path] = []
    try:
        entries = list(os.scandir(target.parent))
    except OSError:
        return removed
    for entry in entries:
        match = pattern.fullmatch(entry.name)
        if match is None or _process_alive(int(match.group(1))):
            continue
        path = Path(entry.path)
        if entry.is_dir(follow_symlinks=False):
            shutil.rmtree(path, ignore_errors=True)
        else:
            path.unlink(missing_ok=True)
        removed.append(path)
    return removed


def _fsync(path: Path, flags: int = os.O_RDONLY) -> None:
    try:
        fd = os.open(path, flags)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass  # some file systems cannot sync a folder; the rename is still atomic
    finally:
        os.close(fd)


@contextmanager
def atomic_file(path: str | Path, what: str) -> Iterator[Path]:
    """Yield a temporary path in the target's folder; on a clean exit it becomes ``path``.

    Write the whole output to the yielded path (any writer that takes a path). An ``OSError``
    raised inside becomes an ``OutputError``; on any error the temporary file is removed and
    the target is left as it was."""
    target = check_output_file(path, what)
    remove_stale_temporaries(target)
    try:
        fd, name = tempfile.mkstemp(prefix=_temp_prefix(target), suffix=".tmp",
                                    dir=target.parent)  # fmt: skip
    except OSError as exc:
        raise output_error(exc, path, what) from None
    os.close(fd)
    tmp = Path(name)
    try:
        yield tmp
        _fsync(tmp)
        check_output_file(target, what)  # something may have appeared there meanwhile
        os.replace(tmp, target)
        _fsync(target.parent)
    except OSError as exc:
        raise output_error(exc, path, what) from None
    finally:
        tmp.unlink(missing_ok=True)


def write_bytes(path: str | Path, data: bytes, what: str) -> Path:
    """Write ``data`` to ``path`` through ``atomic_file``; returns the resolved path."""
    with atomic_file(path, what) as tmp:
        tmp.write_bytes(data)
    return _resolve(path, what)


def write_text(path: str | Path, text: str, what: str) -> Path:
    """Write UTF-8 ``text`` to ``path`` through ``atomic_file``; returns the resolved path."""
    return write_bytes(path, text.encode("utf-8"), what)


def _sha256(file: Path) -> str:
    digest = hashlib.sha256()
    with file.open("rb") as fh:
        while chunk := fh.read(_HASH_CHUNK_BYTES):
            digest.update(chunk)
    return digest.hexdigest()


def _manifest(folder: Path) -> dict[str, object]:
    files = sorted(p for p in folder.rglob("*") if p.is_file() and p.name != MANIFEST)
    return {
        "format": MANIFEST_FORMAT,
        "complete": True,
        "files": [
            {"name": p.relative_to(folder).as_posix(), "bytes": p.stat().st_size,
             "sha256": _sha256(p)}
            for p in files
        ],
    }  # fmt: skip


@contextmanager
def atomic_folder(path: str | Path, what: str) -> Iterator[Path]:
    """Yield a temporary folder next to ``path``; on a clean exit it gets a ``manifest.json``
    and becomes ``path`` (a folder written here before is replaced as a whole).

    On any error the temporary folder is removed and ``path`` is left as it was; an ``OSError``
    becomes an ``OutputError``."""
    target = check_output_folder(path, what)
    remove_stale_temporaries(target)
    try:
        tmp = Path(tempfile.mkdtemp(prefix=_temp_prefix(target), suffix=".tmp",
                                    dir=target.parent))  # fmt: skip
    except OSError as exc:
        raise output_error(exc, path, what) from None
    old: Path | None = None
    try:
        yield tmp
        manifest = tmp / MANIFEST
        manifest.write_text(json.dumps(_manifest(tmp), indent=2), encoding="utf-8")
        for file in tmp.rglob("*"):
            if file.is_file():
                _fsync(file)
        check_output_folder(target, what)
        if target.exists():
            old = Path(tempfile.mkdtemp(prefix=_temp_prefix(target), suffix=".old",
                                        dir=target.parent))  # fmt: skip
            os.replace(target, old)  # an empty placeholder folder is replaced by the rename
        os.replace(tmp, target)
        _fsync(target.parent)
    except OSError as exc:
        if old is not None and not target.exists():
            os.replace(old, target)  # put the previous output back
            old = None
        raise output_error(exc, path, what) from None
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
        if old is not None:
            shutil.rmtree(old, ignore_errors=True)


def is_complete_folder(path: str | Path) -> bool:
    """Whether ``path`` is a folder output whose manifest lists exactly the files it holds, with
    matching sizes (a folder killed half-way, or mixed with another one, is not)."""
    folder = Path(path)
    try:
        manifest = json.loads((folder / MANIFEST).read_text(encoding="utf-8"))
        listed = {f["name"]: f["bytes"] for f in manifest["files"]}
        present = {
            p.relative_to(folder).as_posix(): p.stat().st_size
            for p in folder.rglob("*")
            if p.is_file() and p.name != MANIFEST
        }
    except (OSError, ValueError, KeyError, TypeError):
        return False
    return bool(manifest.get("complete")) and listed == present
