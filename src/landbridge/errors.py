"""Typed errors with messages a user can act on.

Faces map them to exit codes (CLI) and HTTP statuses (API) through ``exit_code`` and
``http_status``; the message is shown to the user unchanged.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any


class LandbridgeError(Exception):
    """Base class: every error a user can cause or fix."""

    exit_code: int = 1
    http_status: int = 400


class UnknownPlaceError(LandbridgeError):
    """A place name, code or coordinate that resolves to nothing; carries near matches."""

    exit_code = 2
    http_status = 404

    def __init__(self, query: str, suggestions: list[str] | None = None, reason: str = "") -> None:
        self.query = query
        self.suggestions = suggestions or []
        hint = f" Did you mean: {', '.join(self.suggestions)}?" if self.suggestions else ""
        why = f" ({reason})" if reason else ""
        super().__init__(f"Unknown place '{query}'{why}.{hint}")


class UnreachableError(LandbridgeError):
    """No route satisfies the request (constraints remove every option, or no connection)."""

    exit_code = 3
    http_status = 422


class InvalidInputError(LandbridgeError):
    """A value out of range or of the wrong form (negative FEU, bad date, absurd size)."""

    exit_code = 2
    http_status = 422


class OutputError(InvalidInputError):
    """An output path that cannot be written: a device, pipe or folder where a file should go,
    a missing or unwritable folder, a full disk. Nothing partial is left behind."""


class ScenarioError(LandbridgeError):
    """An invalid scenario file: names the file, the modification, the field and what is allowed."""

    exit_code = 2
    http_status = 422


class ParameterError(LandbridgeError):
    """An invalid parameter table or ``--params`` override."""

    exit_code = 2
    http_status = 422


class NetworkDataError(LandbridgeError):
    """A missing, corrupted or inconsistent network cache or raw data file."""

    exit_code = 4
    http_status = 500


class StoreError(LandbridgeError):
    """The results store is unreadable, locked, of an unknown schema version, or the run is
    missing."""

    exit_code = 5
    http_status = 409


class SimulationError(LandbridgeError):
    """A simulation run that cannot finish: a Dask scheduler out of reach, workers that keep
    dying."""

    exit_code = 6
    http_status = 503


class RunNotFoundError(StoreError):
    """A run id of the right form that the store does not hold (like an unknown place: exit 2)."""

    exit_code = 2
    http_status = 404


_ECHO_MAX_CHARS = 40


def validation_text(error: Mapping[str, Any], default: str = "invalid value") -> str:
    """What a pydantic error says, without the "Value error, " it puts before a validator's own
    message (every face shows the same words). Pydantic's own messages do not name the input, so
    a short scalar input is added (our validators' messages already say "got ..."); a date adds
    the format it expects."""
    message = str(error.get("msg", default)).removeprefix("Value error, ")
    kind = str(error.get("type", ""))
    value = error.get("input")
    if kind == "value_error" or not isinstance(value, str | int | float):
        return message
    if len(repr(value)) > _ECHO_MAX_CHARS:
        return message
    expected = "; expected a date YYYY-MM-DD" if kind.startswith("date") else ""
    return f"{message} (got {value!r}{expected})"
