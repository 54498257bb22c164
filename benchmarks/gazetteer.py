"""Gazetteer speed against the obvious alternatives, with the answers checked.

- ``search``: our indexed search (exact/prefix dictionaries + trigram-filtered difflib) against
  ``difflib.get_close_matches`` over every normalised spelling (brute-force fuzzy search).
- ``load``: loading the gazetteer (cached pickle of the parsed table) against rebuilding it from
  the raw sources, and against parsing and indexing ``places.csv`` without the cache.
- ``snap``: snapping places to a 200,000-node synthetic network with the cached k-d tree against
  a brute-force haversine scan over all rail nodes.

Each case prints ``BENCH case=<name> ours_s=... baseline=<name> baseline_s=... ratio=...``.
"""

from __future__ import annotations

import difflib
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))

from landbridge.network.model import EdgeMode, Network, NodeKind  # noqa: E402
from landbridge.places.gazetteer import Gazetteer, _load_cached, _parse_table  # noqa: E402
from landbridge.places.names import normalize  # noqa: E402
from landbridge.places.place_sources import PLACES_TABLE, build_places_table  # noqa: E402
from landbridge.places.snap import snap_points, snap_to_network  # noqa: E402
from landbridge.schema.place import Place  # noqa: E402

QUERIES = {
    "Xi'an": "terminal:xian-itp", "西安": "terminal:xian-itp", "Dostyk": "terminal:dostyk",
    "Достык": "terminal:dostyk", "Malaszewicze": "terminal:malaszewicze",
    "Khorgos": "terminal:khorgos", "Qorgas": "terminal:khorgos", "Saryagash": "terminal:saryagash",
    "Duisburg": "terminal:duisburg", "Petropavlovsk": "terminal:petropavl",
    "Alma-Ata": "terminal:almaty", "Constanta": "terminal:constanta",
}  # fmt: skip
TYPOS = {"Dostik": "Dostyk", "Duisbrug": "Duisburg", "Malashevicze": "Małaszewicze",
         "Alashankuo": "Alashankou", "Hamburgh": "Hamburg"}  # fmt: skip
REPEATS = 5
SNAP_NODES = 200_000
SNAP_PLACES = 300
SEED = 7


def bench(case: str, ours_s: float, baseline: str, baseline_s: float) -> None:
    print(
        f"BENCH case={case} ours_s={ours_s:.6f} baseline={baseline} "
        f"baseline_s={baseline_s:.6f} ratio={baseline_s / ours_s:.1f}"
    )


def best_of(fn, repeats: int = REPEATS) -> float:  # noqa: ANN001
    times = []
    for _ in range(repeats):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return min(times)


def bench_search(gaz: Gazetteer) -> None:
    queries = [*QUERIES, *TYPOS]
    for q, expected in QUERIES.items():
        assert gaz.search(q, limit=1)[0].place.place_id == expected, q
    for q, expected in TYPOS.items():
        assert expected in [m.place.name for m in gaz.search(q, limit=5)], q
    keys = gaz.keys
    by_key = {
        k: {gaz.name[i] for i, _ in entries}
        for k, entries in zip(keys, gaz.key_entries, strict=True)
    }
    for q, expected in TYPOS.items():
        close = difflib.get_close_matches(normalize(q), keys, n=10, cutoff=0.6)
        assert any(expected in by_key[k] for k in close), q

    ours = best_of(lambda: [gaz.search(q, limit=10) for q in queries])
    base = best_of(
        lambda: [difflib.get_close_matches(normalize(q), keys, n=10, cutoff=0.6) for q in queries],
        repeats=2,
    )
    bench(f"search_{len(queries)}_queries", ours, "difflib_get_close_matches_all_keys", base)


def bench_load() -> None:
    def ours() -> None:
        _load_cached.cache_clear()
        Gazetteer.load()

    def rebuild() -> None:
        rows = build_places_table()
        Gazetteer.from_rows([{**vars(r), "aliases": "|".join(r.aliases),
                              "curated": "1" if r.curated else "0",
                              "population": "" if r.population is None else str(r.population),
                              "lat": str(r.lat), "lon": str(r.lon)} for r in rows])  # fmt: skip

    def parse_csv() -> None:
        _parse_table(PLACES_TABLE.read_text(encoding="utf-8"), str(PLACES_TABLE))

    ours_s = best_of(ours)
    bench("load_places", ours_s, "rebuild_from_raw_sources", best_of(rebuild, repeats=2))
    bench("load_places_cached", ours_s, "parse_and_index_places_csv", best_of(parse_csv))


def synthetic_network(rng: np.random.Generator) -> Network:
    n = SNAP_NODES
    lat = rng.uniform(30.0, 56.0, n)
    lon = rng.uniform(5.0, 120.0, n)
    src = np.arange(n - 1, dtype=np.int32)
    m = len(src)
    edge_src = np.concatenate([src, src + 1])
    edge_dst = np.concatenate([src + 1, src])
    order = np.argsort(edge_src, kind="stable")
    indptr = np.zeros(n + 1, dtype=np.int64)
    np.add.at(indptr, edge_src + 1, 1)
    return Network(
        node_lat=lat, node_lon=lon, node_country=np.zeros(n, np.int16),
        node_gauge_mm=np.full(n, 1520, np.int16), node_kind=np.full(n, NodeKind.STATION, np.int8),
        node_name=np.array([""] * n, dtype=object), indptr=np.cumsum(indptr),
        edge_src=edge_src[order], edge_dst=edge_dst[order], edge_length_km=np.ones(2 * m),
        edge_mode=np.full(2 * m, EdgeMode.RAIL, np.int8), edge_country=np.zeros(2 * m, np.int16),
        edge_gauge_mm=np.full(2 * m, 1520, np.int16), edge_facility=np.full(2 * m, -1, np.int32),
        edge_reverse=np.zeros(2 * m, np.int32), edge_geom_offset=np.zeros(2 * m + 1, np.int64),
        geom_lonlat=np.zeros((0, 2), np.float32), countries=("KZ",), facilities=pd.DataFrame(),
    )  # fmt: skip


def bench_snap() -> None:
    rng = np.random.default_rng(SEED)
    net = synthetic_network(rng)
    places = [
        Place(place_id=f"p{i}", name=f"p{i}", kind="city", country="KZ", lat=la, lon=lo)
        for i, (la, lo) in enumerate(
            zip(
                rng.uniform(31.0, 55.0, SNAP_PLACES),
                rng.uniform(6.0, 119.0, SNAP_PLACES),
                strict=True,
            )
        )
    ]
    snap_to_network(places[0], net)  # builds and caches the tree once per network

    def brute() -> list[int]:
        lat_r, lon_r = np.radians(net.node_lat), np.radians(net.node_lon)
        out = []
        for p in places:
            la, lo = np.radians(p.lat), np.radians(p.lon)
            a = (
                np.sin((lat_r - la) / 2) ** 2
                + np.cos(la) * np.cos(lat_r) * np.sin((lon_r - lo) / 2) ** 2
            )
            out.append(int(np.argmin(a)))
        return out

    lat = np.array([p.lat for p in places])
    lon = np.array([p.lon for p in places])
    ours_nodes = [snap_to_network(p, net) for p in places]
    reference = brute()
    assert ours_nodes == reference, "k-d tree and brute force disagree"
    own = np.zeros(len(places), dtype=np.int64)  # every node and place is in country 0 ("KZ")
    assert snap_points(net, lat, lon, own)[0].tolist() == reference
    ours = best_of(lambda: [snap_to_network(p, net) for p in places], repeats=3)
    vectorised = best_of(lambda: snap_points(net, lat, lon, own), repeats=3)
    base = best_of(brute, repeats=1)
    case = f"{SNAP_PLACES}_places_{SNAP_NODES}_nodes"
    bench(f"snap_to_network_{case}", ours, "numpy_haversine_scan", base)
    bench(f"snap_points_{case}", vectorised, "numpy_haversine_scan", base)


def main() -> None:
    bench_load()
    gaz = Gazetteer.load()
    gaz.search("warm up the trigram index")
    bench_search(gaz)
    bench_snap()


if __name__ == "__main__":
    main()
