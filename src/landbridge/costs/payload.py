"""How much cargo a box may carry: the payload limit per box type (sourced), checked per request.

A shipment given in FEU travels in 40 ft boxes, one given in TEU in 20 ft boxes; the cargo per
box is ``tonnes_per_teu`` times the TEU the box counts for.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

from landbridge.csv_rows import read_text_rows
from landbridge.errors import InvalidInputError, ParameterError
from landbridge.paths import DATA_DIR
from landbridge.units import TEU_PER_FEU

BOX_PAYLOAD_CSV = DATA_DIR / "params" / "box_payload.csv"
BOX_COLUMNS = ("box", "max_payload_t", "tare_t", "max_gross_t", "source_ids")
TEU_PER_BOX = {"20ft": 1.0, "40ft": TEU_PER_FEU}


@dataclass(frozen=True)
class Box:
    box: str
    max_payload_t: float
    tare_t: float
    max_gross_t: float
    source_ids: str


@lru_cache(maxsize=1)
def load_boxes() -> dict[str, Box]:
    try:
        rows = read_text_rows(BOX_PAYLOAD_CSV, BOX_COLUMNS, ParameterError)
    except (OSError, UnicodeDecodeError) as exc:
        raise ParameterError(f"cannot read {BOX_PAYLOAD_CSV.name}: {exc}") from None
    boxes = {
        r["box"]: Box(
            r["box"], float(r["max_payload_t"]), float(r["tare_t"]), float(r["max_gross_t"]),
            r["source_ids"],
        )
        for r in rows
    }  # fmt: skip
    missing = set(TEU_PER_BOX) - set(boxes)
    if missing:
        raise ParameterError(f"{BOX_PAYLOAD_CSV.name}: no row for {sorted(missing)}")
    return boxes


def check_payload(tonnes_per_teu: float, in_teu: bool) -> None:
    """Raise ``InvalidInputError`` when the cargo per box exceeds its type's payload limit."""
    box = load_boxes()["20ft" if in_teu else "40ft"]
    per_box = tonnes_per_teu * TEU_PER_BOX[box.box]
    if per_box > box.max_payload_t:
        other = (
            ""
            if in_teu
            else (
                f"; heavy cargo travels in 20 ft boxes (give the shipment in TEU: at most "
                f"{load_boxes()['20ft'].max_payload_t:g} t each)"
            )
        )
        raise InvalidInputError(
            f"--tonnes-per-teu {tonnes_per_teu:g} puts {per_box:g} t in a {box.box} box, which "
            f"carries at most {box.max_payload_t:g} t ({box.max_gross_t:g} t gross minus "
            f"{box.tare_t:g} t tare){other}"
        )
