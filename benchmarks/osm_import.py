"""OSM XML import speed against a plain reading, with the answers checked.

- ``osm_import``: ``read_osm`` (streaming ``XMLPullParser``, array geometry, one vectorised
  geodesic call) on the Helsinki extract (``tests/data/osm/``, ODbL, © OpenStreetMap
  contributors), against the obvious alternative: ``ElementTree.parse`` of the whole document,
  a shapely ``LineString`` per piece of rail way and ``Geod.geometry_length`` per line.
- ``osm_import_x8``: the same on a document holding the extract eight times (ids shifted), to
  see how both grow.

Both must find the same total rail length (to 1e-9). Prints
``BENCH case=<name> ours_s=... baseline=<name> baseline_s=... ratio=...``.
"""

from __future__ import annotations

import re
import sys
import tempfile
import time
import xml.etree.ElementTree as ET
from pathlib import Path

from pyproj import Geod
from shapely.geometry import LineString

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from landbridge.io.osm_import import read_osm  # noqa: E402

HELSINKI = ROOT / "tests" / "data" / "osm" / "helsinki_railways.osm"
REPEATS = 5
COPIES = 8
# Larger than any id in the extract: copies get disjoint ids.
ID_SHIFT = 10**10


def plain_km(path: Path) -> float:
    """Total length of the railway=rail pieces with ElementTree, shapely and pyproj per line."""
    root = ET.parse(path).getroot()
    nodes = {n.get("id"): (float(n.get("lon")), float(n.get("lat"))) for n in root.iter("node")}
    geod = Geod(ellps="WGS84")
    total_m = 0.0
    for way in root.iter("way"):
        tags = {t.get("k"): t.get("v") for t in way.iter("tag")}
        if tags.get("railway") != "rail":
            continue
        run: list[str] = []
        for ref in [nd.get("ref") for nd in way.iter("nd")] + [None]:
            if ref in nodes:
                run.append(ref)
                continue
            if len(run) >= 2:
                total_m += geod.geometry_length(LineString([nodes[r] for r in run]))
            run = []
    return total_m / 1000.0


def best_of(func, *args) -> tuple[float, object]:  # type: ignore[no-untyped-def]
    best, out = float("inf"), None
    for _ in range(REPEATS):
        start = time.perf_counter()
        out = func(*args)
        best = min(best, time.perf_counter() - start)
    return best, out


def copies(path: Path, n: int, folder: Path) -> Path:
    """A document with the body of ``path`` ``n`` times, ids and references shifted per copy."""
    text = path.read_text(encoding="utf-8")
    head, body = text.split("<osm", 1)
    start = body.index(">") + 1
    opening, inner = "<osm" + body[:start], body[start:].rsplit("</osm>", 1)[0]
    parts = [
        re.sub(r'(id|ref)="(-?\d+)"', lambda m, k=k: f'{m[1]}="{int(m[2]) + k * ID_SHIFT}"', inner)
        for k in range(n)
    ]
    out = folder / f"x{n}.osm"
    out.write_text(head + opening + "".join(parts) + "</osm>\n", encoding="utf-8")
    return out


def case(name: str, path: Path) -> None:
    ours_s, got = best_of(read_osm, path)
    base_s, base_km = best_of(plain_km, path)
    ours_km = got.lines.total_km()  # type: ignore[attr-defined]
    assert abs(ours_km - base_km) <= 1e-9 * base_km, (ours_km, base_km)
    print(
        f"BENCH case={name} ours_s={ours_s:.4f} baseline=etree-shapely-geod "
        f"baseline_s={base_s:.4f} ratio={base_s / ours_s:.2f} total_km={ours_km:.3f}"
    )


def main() -> None:
    case("osm_import", HELSINKI)
    with tempfile.TemporaryDirectory() as tmp:
        case(f"osm_import_x{COPIES}", copies(HELSINKI, COPIES, Path(tmp)))


if __name__ == "__main__":
    main()
