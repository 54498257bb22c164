"""Bundled CSV tables read with the csv module (no pandas on the route path).

One reading for every table the route command needs at start-up: every cell as text ('' when
empty), rows in file order, a UTF-8 BOM read, and the required columns checked.
"""

from __future__ import annotations

import csv
from collections.abc import Iterable
from pathlib import Path


def read_text_rows(
    path: Path, required: Iterable[str], error: type[Exception]
) -> list[dict[str, str]]:
    """The rows of ``path``; ``error`` names the required columns the header lacks.

    Opening or decoding the file raises ``OSError`` or ``UnicodeDecodeError``: each caller says
    what a missing table means for it.
    """
    with path.open(encoding="utf-8-sig", newline="") as fh:
        reader = csv.DictReader(fh, restval="")
        rows = list(reader)
        header = reader.fieldnames or []
    missing = [c for c in required if c not in header]
    if missing:
        raise error(f"{path.name}: missing columns {missing}")
    return rows
