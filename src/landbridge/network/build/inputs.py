"""What the built network depends on, and its hash (the cache key). Light on imports, so that
loading a cached network does not pull in the build's geometry libraries."""

from __future__ import annotations

import hashlib
from pathlib import Path

from landbridge.network import tables
from landbridge.paths import DATA_DIR, RAW_DIR

# Bump when the build logic changes what it produces: a cache of another version is rebuilt.
BUILD_VERSION = 6
RAIL_FILE = RAW_DIR / "scgraph-world-railways" / "world_railways_eurasia.geojson.gz"
COUNTRIES_FILE = RAW_DIR / "natural-earth" / "ne_50m_admin_0_countries_study.json"
BORDER_LINES_FILE = RAW_DIR / "natural-earth" / "ne_10m_admin_0_boundary_lines_study.json"
PLACES_CSV = DATA_DIR / "places" / "places.csv"
# The sea layer's inputs (``landbridge.network.build.sea_layer`` reads these; a test keeps the lists
# equal).
SEA_INPUTS = (
    DATA_DIR / "facilities" / "ports.csv",
    DATA_DIR / "facilities" / "sea_links.csv",
    DATA_DIR / "facilities" / "ocean_rates.csv",
    RAW_DIR / "searoute" / "ports.geojson",
    RAW_DIR / "searoute" / "marnet_searoute.geojson",
)
# Modules of the network package whose code shapes the network (a change rebuilds the cache):
# the build pipeline and the runtime modules it uses; the gazetteer's modules are not among them.
BUILD_MODULES = (
    "build/borders", "build/boundary_lines", "build/pipeline", "build/compile", "build/countries",
    "build/inputs", "build/lines", "build/marnet", "build/rail_source", "build/sea_layer",
    "build/topology", "geo", "graph", "model", "sea", "tables",
)  # fmt: skip


def input_paths() -> list[Path]:
    """Every file whose content determines the built network: data and the build's own code."""
    network_dir = Path(__file__).parents[1]
    code = [network_dir / f"{m}.py" for m in BUILD_MODULES]
    code.append(network_dir.parent / "units.py")  # the build's unit constants
    paths = [RAIL_FILE, COUNTRIES_FILE, BORDER_LINES_FILE, *tables.input_files(), *SEA_INPUTS]
    paths += code
    if PLACES_CSV.is_file():
        paths.append(PLACES_CSV)
    return paths


_last: dict[tuple, str] = {}


def inputs_hash() -> str:
    """SHA-256 over the build version and every input file (names and bytes); recomputed only
    when a file's size or modification time changes."""
    paths = input_paths()
    signature = tuple((str(p), *_stat(p)) for p in paths)
    if signature in _last:
        return _last[signature]
    h = hashlib.sha256(f"build-version={BUILD_VERSION}".encode())
    for p in paths:
        h.update(p.name.encode())
        h.update(p.read_bytes() if p.is_file() else b"<missing>")
    _last.clear()
    _last[signature] = h.hexdigest()
    return _last[signature]


def _stat(path: Path) -> tuple[int, int]:
    try:
        st = path.stat()
    except FileNotFoundError:
        return (-1, -1)
    return (st.st_mtime_ns, st.st_size)
