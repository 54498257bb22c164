"""Open files named by users (``--params``, scenario and OD files, imports) without surprises.

A name typed by a user may point at a folder, a named pipe or a device (reading ``/dev/zero``
never ends; opening a pipe blocks until a writer comes), hold a NUL byte, be too long for the
file system, or name a file that is not UTF-8. Each case becomes the caller's typed error with
the path in the message, before anything is read.
"""

from __future__ import annotations

import os
import stat
from pathlib import Path

from landbridge.errors import LandbridgeError


def regular_file(path: str | Path, error: type[LandbridgeError], what: str) -> Path:
    """``path`` as a ``Path`` if it names an existing regular file; else ``error``.

    ``what`` names the file in the message ("parameter file", "OD file")."""
    file = Path(path)
    try:
        mode = os.stat(file).st_mode
    except FileNotFoundError:
        raise error(f"{what} not found: cannot read {file}") from None
    except (OSError, ValueError) as exc:  # ValueError: an embedded NUL byte
        reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else str(exc)
        raise error(f"cannot read the {what} {str(file)[:200]!r}: {reason}") from None
    if not stat.S_ISREG(mode):
        kind = "a folder" if stat.S_ISDIR(mode) else "not a regular file (a pipe or device?)"
        raise error(f"the {what} {file} is {kind}; give a file")
    return file


def read_user_text(
    path: str | Path, error: type[LandbridgeError], what: str, max_bytes: int
) -> str:
    """The UTF-8 text of the regular file ``path``, refused above ``max_bytes``."""
    file = regular_file(path, error, what)
    try:
        with file.open("rb") as fh:
            data = fh.read(max_bytes + 1)
    except OSError as exc:
        raise error(f"cannot read the {what} {file}: {exc.strerror or exc}") from None
    if len(data) > max_bytes:
        raise error(f"the {what} {file} is larger than {max_bytes:,} bytes")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise error(
            f"the {what} {file} is not UTF-8 text (byte {exc.start}: {exc.reason})"
        ) from None
