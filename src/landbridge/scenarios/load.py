"""Read scenario files (YAML, loaded safely) into ``Scenario`` models, with one clear message.

Form errors (wrong types, unknown modification types, out-of-range values) become a single
``ScenarioError`` that names the file, the modification (index and type), the field and what is
allowed. Nothing runs before a file has passed here and ``validate_scenario``.
"""

from __future__ import annotations

import difflib
import hashlib
import json
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError

from landbridge.errors import ScenarioError, validation_text
from landbridge.paths import DATA_DIR
from landbridge.schema.scenario import MODIFICATION_TYPES, Scenario
from landbridge.user_files import load_user_yaml

BUNDLED_DIR = DATA_DIR / "scenarios"
MAX_FILE_BYTES = 1_000_000
"""Scenario files are hand-written; a megabyte is far above any real one and bounds the parser."""
MAX_ELEMENTS = 100_000
"""Values after YAML aliases are expanded: a few aliases can expand to billions ('billion
laughs'); real files have hundreds."""
MAX_DEPTH = 50


def bundled_names() -> list[str]:
    """Names of the scenarios shipped with the package, sorted."""
    return sorted(p.stem for p in BUNDLED_DIR.glob("*.yaml"))


def resolve_scenario(name_or_path: str | Path) -> Path:
    """The file behind a bundled scenario name or a path; ``ScenarioError`` if neither exists."""
    text = str(name_or_path)
    names = bundled_names()
    if text in names:
        return BUNDLED_DIR / f"{text}.yaml"
    path = Path(text)
    try:
        is_file = path.is_file()
    except OSError:  # a name the file system refuses (too long): not a file
        is_file = False
    if is_file:
        return path
    near = difflib.get_close_matches(text, names, n=3, cutoff=0.5)
    hint = f" Did you mean: {', '.join(near)}?" if near else ""
    raise ScenarioError(
        f"Scenario '{text}' is neither a bundled scenario nor a file. "
        f"Bundled: {', '.join(names)}.{hint}"
    )


def load_scenario(name_or_path: str | Path) -> Scenario:
    """Load a bundled scenario by name or a scenario file by path."""
    path = resolve_scenario(name_or_path)
    try:
        size = path.stat().st_size
        if size > MAX_FILE_BYTES:
            raise ScenarioError(
                f"{path}: {size} bytes is too large for a scenario file (limit {MAX_FILE_BYTES})."
            )
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError as exc:
        raise ScenarioError(f"{path}: not UTF-8 text ({exc.reason}).") from None
    except OSError as exc:
        raise ScenarioError(f"{path}: cannot read the file ({exc.strerror}).") from None
    return parse_scenario(text, source=str(path))


def parse_scenario(text: str, source: str = "<scenario>") -> Scenario:
    """Parse scenario YAML text; ``source`` names the file in messages."""
    if len(text) > MAX_FILE_BYTES:
        raise ScenarioError(f"{source}: too large for a scenario file (limit {MAX_FILE_BYTES}).")
    data = load_user_yaml(text, ScenarioError, source)
    return scenario_from_data(data, source=source)


def _check_size(data: Any, source: str) -> None:
    """Refuse data that expands past ``MAX_ELEMENTS`` values or nests past ``MAX_DEPTH``."""
    stack: list[tuple[Any, int]] = [(data, 0)]
    seen = 0
    while stack:
        value, depth = stack.pop()
        seen += 1
        if seen > MAX_ELEMENTS:
            raise ScenarioError(
                f"{source}: more than {MAX_ELEMENTS:,} values once YAML aliases are expanded; "
                "a scenario file is a short list of modifications"
            )
        if depth > MAX_DEPTH:
            raise ScenarioError(f"{source}: nested more than {MAX_DEPTH} levels deep")
        if isinstance(value, dict):
            stack.extend((v, depth + 1) for v in value.values())
            stack.extend((k, depth + 1) for k in value)
        elif isinstance(value, list | tuple):
            stack.extend((v, depth + 1) for v in value)


def _with_events(data: dict) -> dict:
    """``base.events: true`` expanded into modifications once (the result says events: false):
    the events table's closures and capacities of ``base.year`` come first, then the file's."""
    base = data.get("base")
    if not isinstance(base, dict) or base.get("events") is not True:
        return data
    if not isinstance(base.get("year"), int):
        return data  # the schema says what is wrong with the year
    from landbridge.scenarios.year_events import year_modifications

    mods = data.get("modifications") or []
    own = mods if isinstance(mods, list) else [mods]
    expanded = year_modifications(base["year"])
    return {**data, "base": {**base, "events": False}, "modifications": [*expanded, *own]}


def scenario_from_data(data: Any, source: str = "<scenario>") -> Scenario:
    """Validate already-parsed data (a mapping) into a ``Scenario``."""
    _check_size(data, source)
    if not isinstance(data, dict):
        kind = "empty" if data is None else f"a {type(data).__name__}"
        raise ScenarioError(
            f"{source}: a scenario file must be a mapping with keys name, base, modifications "
            f"(got {kind})."
        )
    try:
        return Scenario.model_validate(_with_events(data))
    except ValidationError as exc:
        lines = [_describe(err, data) for err in exc.errors(include_url=False)]
        raise ScenarioError(f"{source}: " + "\n  ".join(_unique(lines))) from None
    except RecursionError:
        raise ScenarioError(f"{source}: data nested too deeply.") from None


def scenario_to_yaml(scenario: Scenario) -> str:
    """YAML text of a scenario (comments are not kept; the content is)."""
    return yaml.safe_dump(
        scenario.model_dump(mode="json", exclude_defaults=True),
        sort_keys=False,
        allow_unicode=True,
    )


def scenario_hash(scenario: Scenario) -> str:
    """SHA-256 of the scenario's canonical JSON: equal content, equal hash (comments ignored)."""
    canonical = json.dumps(scenario.model_dump(mode="json"), sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(canonical.encode()).hexdigest()


def modification_label(index: int, mod_type: str) -> str:
    """How messages name a modification: its 0-based index and type."""
    return f"modification {index} ({mod_type})"


def _describe(err: Mapping[str, Any], data: dict[str, Any]) -> str:
    loc = list(err.get("loc", ()))
    msg = validation_text(err)
    where = "scenario"
    if len(loc) >= 2 and loc[0] == "modifications" and isinstance(loc[1], int):
        index = loc[1]
        mods = data.get("modifications")
        raw = mods[index] if isinstance(mods, list) and index < len(mods) else None
        mod_type = raw.get("type") if isinstance(raw, dict) else None
        rest = loc[2:]
        if rest and rest[0] in MODIFICATION_TYPES:
            rest = rest[1:]
        if err.get("type") in ("union_tag_invalid", "union_tag_not_found"):
            return _unknown_type(index, mod_type)
        where = modification_label(index, str(mod_type))
        loc = rest
    field = ".".join(str(p) for p in loc)
    allowed = _allowed(err)
    text = f"{where}: field '{field}': {msg}" if field else f"{where}: {msg}"
    return text + (f" (allowed: {allowed})" if allowed else "")


def _unknown_type(index: int, mod_type: Any) -> str:
    allowed = ", ".join(MODIFICATION_TYPES)
    if mod_type is None:
        return f"modification {index}: field 'type' is missing (allowed: {allowed})"
    near = difflib.get_close_matches(str(mod_type), MODIFICATION_TYPES, n=2, cutoff=0.5)
    hint = f"; did you mean: {', '.join(near)}?" if near else ""
    return (
        f"modification {index}: field 'type': unknown modification type '{mod_type}' "
        f"(allowed: {allowed}){hint}"
    )


def _allowed(err: Mapping[str, Any]) -> str:
    ctx = err.get("ctx") or {}
    if "expected" in ctx:
        return str(ctx["expected"])
    if "pattern" in ctx:
        return f"text matching {ctx['pattern']}"
    return ""


def _unique(lines: list[str]) -> list[str]:
    return list(dict.fromkeys(lines))
