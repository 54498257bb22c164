"""The one input layer for files named by users (``--params``, scenario, OD and route files).

A name typed by a user may point at a folder, a named pipe or a device (reading ``/dev/zero``
never ends; opening a pipe blocks until a writer comes), hold a NUL byte, be too long for the
file system, or name a file that is not UTF-8. Each case becomes the caller's typed error with
the path in the message, before anything is read. A UTF-8 byte order mark (Excel's default) is
read, not taken for part of the first column name.

YAML (``load_user_yaml``): safe tags only, parsed by libyaml when PyYAML has it; duplicate keys
are refused; values the loader itself cannot build (``2023-02-30``, ``25:00:00``, ``!!int abc``)
and syntax errors become ``file:line:column: what``.

CSV (``csv_header``): duplicate column names are refused (the last would silently win).
"""

from __future__ import annotations

import os
import stat
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import yaml

from landbridge.errors import LandbridgeError

BOM = "\ufeff"
_BaseLoader: type = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


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
        return data.decode("utf-8").removeprefix(BOM)
    except UnicodeDecodeError as exc:
        raise error(
            f"the {what} {file} is not UTF-8 text (byte {exc.start}: {exc.reason})"
        ) from None


class _UserLoader(_BaseLoader):
    """Safe YAML that refuses duplicate keys and reports values it cannot build with a mark."""

    def construct_mapping(self, node: yaml.MappingNode, deep: bool = False) -> dict[Any, Any]:
        seen: dict[Any, yaml.Node] = {}
        for key_node, _ in node.value:
            key = self.construct_object(key_node, deep=True)
            try:
                first = seen.get(key)
            except TypeError:  # an unhashable key: the base constructor says so
                break
            if first is not None:
                raise yaml.constructor.ConstructorError(
                    None, None,
                    f"duplicate key {str(key)[:80]!r} (first at line {first.start_mark.line + 1})",
                    key_node.start_mark,
                )  # fmt: skip
            seen[key] = key_node
        return super().construct_mapping(node, deep=deep)

    def construct_object(self, node: yaml.Node, deep: bool = False) -> Any:
        try:
            return super().construct_object(node, deep=deep)
        except (ValueError, OverflowError) as exc:  # the loader's own: 2023-02-30, !!int abc
            value = node.value if isinstance(node.value, str) else node.tag
            raise yaml.constructor.ConstructorError(
                None, None, f"cannot read {str(value)[:80]!r} ({exc})", node.start_mark
            ) from None


def load_user_yaml(text: str, error: type[LandbridgeError], source: str) -> Any:
    """The data of YAML ``text``; ``error`` says ``source:line:column: what`` when it is not
    valid (syntax, a duplicate key, a value the loader cannot build, nesting too deep)."""
    try:
        return yaml.load(text.removeprefix(BOM), Loader=_UserLoader)  # noqa: S506 (safe loader)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        where = f":{mark.line + 1}:{mark.column + 1}" if mark is not None else ""
        what = exc.problem or exc.context or "invalid YAML"
        raise error(f"{source}{where}: not valid YAML: {what}") from None
    except yaml.YAMLError as exc:
        raise error(f"{source}: not valid YAML: {exc}") from None
    except RecursionError:
        raise error(f"{source}: YAML nested too deeply") from None


def csv_header(names: Sequence[str] | None, error: type[LandbridgeError], source: str) -> list[str]:
    """The stripped column names of a CSV header; ``error`` on a duplicate column."""
    header = [n.strip().removeprefix(BOM) for n in (names or [])]
    seen: dict[str, int] = {}
    for i, name in enumerate(header, start=1):
        if name in seen:
            raise error(
                f"{source}:1: column {name[:80]!r} appears twice (columns {seen[name]} and {i}); "
                "keep one"
            )
        seen[name] = i
    return header
