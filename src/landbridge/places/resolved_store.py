"""Place names resolved on the loaded bundled network, remembered on disk: a fresh process
(a cold ``landbridge route``) answers a name resolved before with a look-up instead of loading
the gazetteer and snapping (each answer names the published cases of its pair, whose ~20 place
names every request resolves: ~12 ms; ~35 ms when the pair's own names are known too).

One file of JSON lines per key in the cache folder: the network build (the very network object
``load_network`` returned, ``network.cache.loaded_build``) and the signature of the package's
code and bundled tables (``paths.code_and_tables_signature``), so another gazetteer, another
snapping rule or an edited network never reads it. The first line holds the key, each further
line a query (exactly as given) and the fields of its answer; names that do not resolve are not
kept. A new name is one appended line (one ``write`` on a file opened for appending, so lines of
concurrent processes do not mix), so a server resolving many names does not rewrite the file
each time. A line that does not parse or is not as written is skipped; a file of another key
is replaced (atomically), as is one that has reached ``LIMIT`` names.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import tempfile
from pathlib import Path
from typing import Any, TypeGuard

from landbridge.network.cache import loaded_build
from landbridge.network.model import Network
from landbridge.paths import cache_dir, code_and_tables_signature

STORE_FORMAT = 1
PREFIX = f"places-resolved-v{STORE_FORMAT}-"
LIMIT = 4096  # names kept per file; the file starts again when it would hold more
FIELDS = {"name": str, "node": int, "lat": float, "lon": float, "country": str}

_read: dict[str, dict[str, dict[str, Any]]] = {}  # key -> query -> fields, read once a process


def store_key(net: Network) -> str | None:
    """The key of ``net``'s resolved names; None for a network ``load_network`` did not return."""
    build = loaded_build(net)
    if build is None:
        return None
    return repr((STORE_FORMAT, build, code_and_tables_signature()))


def path_of(key: str) -> Path:
    return cache_dir() / f"{PREFIX}{hashlib.sha256(key.encode()).hexdigest()[:24]}.json"


def remembered(key: str, query: str) -> dict[str, Any] | None:
    """The fields of ``query``'s answer under ``key``, if a process resolved it before."""
    if key not in _read:
        _read[key] = _load(key)
    return _read[key].get(query)


def remember(key: str, query: str, fields: dict[str, Any]) -> None:
    """Keep ``fields`` as ``query``'s answer under ``key`` (in the process and on disk)."""
    known = _read.setdefault(key, {})
    known[query] = fields
    line = json.dumps({"query": query, "fields": fields}, ensure_ascii=False) + "\n"
    path = path_of(key)
    with contextlib.suppress(OSError):  # a cache folder that cannot take it: resolved again
        if _key_line_of(path) == key and len(known) <= LIMIT:
            fd = os.open(path, os.O_WRONLY | os.O_APPEND)
            try:
                os.write(fd, line.encode())
            finally:
                os.close(fd)
            return
        if len(known) > LIMIT:
            known.clear()
            known[query] = fields
        _replace(path, json.dumps({"key": key}) + "\n" + line)


def _replace(path: Path, text: str) -> None:
    """Write ``text`` to ``path`` through a temporary file renamed into place (no fsync: a file
    cut short by a crash ends in a line that does not parse, which is skipped)."""
    fd, tmp = tempfile.mkstemp(prefix=path.name, suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write(text)
        os.replace(tmp, path)
    finally:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)


def _key_line_of(path: Path) -> str | None:
    """The key on the first line of ``path`` (None: no file, or no key line)."""
    try:
        with path.open(encoding="utf-8") as fh:
            key = _parsed(fh.readline()).get("key")
    except (OSError, ValueError):
        return None
    return key if isinstance(key, str) else None


def _load(key: str) -> dict[str, dict[str, Any]]:
    """The names stored under ``key``; none when the file is missing or of another key."""
    try:
        lines = path_of(key).read_text(encoding="utf-8").splitlines()
    except (OSError, ValueError):
        return {}
    if not lines or _parsed(lines[0]).get("key") != key:
        return {}
    places: dict[str, dict[str, Any]] = {}
    for text in lines[1:]:
        entry = _parsed(text)
        query, fields = entry.get("query"), entry.get("fields")
        if isinstance(query, str) and _well_formed(fields):
            places[query] = fields
    return places


def _parsed(text: str) -> dict[str, Any]:
    try:
        value = json.loads(text)
    except ValueError:
        return {}
    return value if isinstance(value, dict) else {}


def _well_formed(fields: Any) -> TypeGuard[dict[str, Any]]:
    return (
        isinstance(fields, dict)
        and fields.keys() == FIELDS.keys()
        and all(isinstance(fields[k], t) and not isinstance(fields[k], bool)
                for k, t in FIELDS.items())
    )  # fmt: skip
