"""A hand-made ``Network`` where every option is known (and checks of its CSR form).

Corridors Xi'an -> Duisburg on it:
- northern via Alashankou–Dostyk or Khorgos–Altynkol, then KZ -> RU -> BY ->
  Brest/Małaszewicze -> PL -> DE;
- middle via Aktau or Kuryk -> Baku (ferry) -> GE, then Poti -> Constanța (feeder) -> RO -> DE
  or Akhalkalaki/Kars -> TR -> DE;
- southern KZ -> TM -> IR (Incheh-Burun gauge change) -> TR -> DE;
- sea: Xi'an -> Lianyungang (rail) -> Rotterdam (ocean) -> DE.
Lengths are round numbers; geography is schematic.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from landbridge.network.model import EdgeMode, Network, NodeKind

R, T, B, P, S, OC = (
    EdgeMode.RAIL,
    EdgeMode.TRANSFER,
    EdgeMode.BORDER,
    EdgeMode.PORT,
    EdgeMode.SEA,
    EdgeMode.OCEAN,
)

# name, country, kind, lat, lon
NODES = [
    ("Xi'an", "CN", NodeKind.TERMINAL, 34.3, 108.9),  # 0
    ("Alashankou", "CN", NodeKind.CROSSING, 45.2, 82.6),  # 1
    ("Dostyk", "KZ", NodeKind.CROSSING, 45.25, 82.5),  # 2
    ("Khorgos", "CN", NodeKind.CROSSING, 44.2, 80.4),  # 3
    ("Altynkol", "KZ", NodeKind.CROSSING, 44.2, 80.3),  # 4
    ("Almaty", "KZ", NodeKind.STATION, 43.3, 76.9),  # 5
    ("Petropavl", "KZ", NodeKind.CROSSING, 54.9, 69.1),  # 6
    ("Petukhovo", "RU", NodeKind.CROSSING, 55.1, 67.9),  # 7
    ("Smolensk", "RU", NodeKind.CROSSING, 54.8, 32.0),  # 8
    ("Osinovka", "BY", NodeKind.CROSSING, 54.8, 31.0),  # 9
    ("Brest", "BY", NodeKind.CROSSING, 52.1, 23.7),  # 10
    ("Małaszewicze", "PL", NodeKind.YARD, 52.0, 23.5),  # 11
    ("Duisburg", "DE", NodeKind.TERMINAL, 51.4, 6.8),  # 12
    ("Kunowice", "PL", NodeKind.CROSSING, 52.3, 14.6),  # 13
    ("Frankfurt (Oder)", "DE", NodeKind.CROSSING, 52.3, 14.5),  # 14
    ("Aktau port", "KZ", NodeKind.PORT, 43.6, 51.2),  # 15
    ("Kuryk port", "KZ", NodeKind.PORT, 43.2, 51.7),  # 16
    ("Baku port", "AZ", NodeKind.PORT, 40.0, 49.4),  # 17
    ("Aktau", "KZ", NodeKind.STATION, 43.65, 51.2),  # 18
    ("Baku", "AZ", NodeKind.STATION, 40.4, 49.9),  # 19
    ("Tbilisi", "GE", NodeKind.STATION, 41.7, 44.8),  # 20
    ("Poti", "GE", NodeKind.STATION, 42.15, 41.7),  # 21
    ("Poti port", "GE", NodeKind.PORT, 42.15, 41.65),  # 22
    ("Constanța port", "RO", NodeKind.PORT, 44.15, 28.65),  # 23
    ("Kars", "TR", NodeKind.STATION, 40.6, 43.1),  # 24
    ("Istanbul", "TR", NodeKind.STATION, 41.0, 28.9),  # 25
    ("Serhetyaka", "TM", NodeKind.CROSSING, 37.9, 55.9),  # 26
    ("Incheh Borun", "IR", NodeKind.YARD, 37.4, 54.7),  # 27
    ("Lianyungang", "CN", NodeKind.STATION, 34.6, 119.2),  # 28
    ("Lianyungang port", "CN", NodeKind.PORT, 34.75, 119.45),  # 29
    ("Rotterdam port", "NL", NodeKind.PORT, 51.95, 4.1),  # 30
    ("Rotterdam", "NL", NodeKind.STATION, 51.9, 4.5),  # 31
    ("Kuryk", "KZ", NodeKind.STATION, 43.2, 51.65),  # 32
    ("Akhalkalaki", "GE", NodeKind.YARD, 41.4, 43.5),  # 33
    ("Bolashak", "KZ", NodeKind.CROSSING, 38.0, 56.0),  # 34
    ("Razi", "IR", NodeKind.CROSSING, 38.6, 44.8),  # 35
    ("Kapikoy", "TR", NodeKind.CROSSING, 38.5, 44.3),  # 36
    ("Zevenaar", "NL", NodeKind.CROSSING, 51.9, 6.1),  # 37
    ("Emmerich", "DE", NodeKind.CROSSING, 51.8, 6.2),  # 38
    ("Constanța", "RO", NodeKind.STATION, 44.17, 28.6),  # 39
    ("Passau", "DE", NodeKind.CROSSING, 48.6, 13.4),  # 40
    ("Kapıkule", "TR", NodeKind.CROSSING, 41.7, 26.3),  # 41
    ("Curtici", "RO", NodeKind.CROSSING, 46.3, 21.3),  # 42
]

# facility_id, name, kind, countries, dwell_p50_h, dwell_p90_h, cost_usd_per_feu, headway_h,
# speed_kmh
FACILITIES = [
    (
        "alashankou-dostyk",
        "Alashankou–Dostyk",
        "gauge_change",
        "CN-KZ",
        12.0,
        30.0,
        300.0,
        np.nan,
        np.nan,
    ),
    (
        "khorgos-altynkol",
        "Khorgos–Altynkol",
        "gauge_change",
        "CN-KZ",
        10.0,
        36.0,
        250.0,
        np.nan,
        np.nan,
    ),
    (
        "petropavl-petukhovo",
        "Petropavl–Petukhovo",
        "crossing",
        "KZ-RU",
        4.0,
        8.0,
        100.0,
        np.nan,
        np.nan,
    ),
    (
        "krasnoye-osinovka",
        "Krasnoye–Osinovka",
        "crossing",
        "RU-BY",
        np.nan,
        np.nan,
        np.nan,
        np.nan,
        np.nan,
    ),
    (
        "brest-malaszewicze",
        "Brest–Małaszewicze",
        "gauge_change",
        "BY-PL",
        20.0,
        60.0,
        350.0,
        np.nan,
        np.nan,
    ),
    (
        "kunowice-frankfurt",
        "Kunowice–Frankfurt (Oder)",
        "crossing",
        "PL-DE",
        2.0,
        4.0,
        0.0,
        np.nan,
        np.nan,
    ),
    ("port-aktau", "Aktau port", "port", "KZ", 24.0, 48.0, 400.0, np.nan, np.nan),
    ("port-kuryk", "Kuryk port", "port", "KZ", 20.0, 40.0, 380.0, np.nan, np.nan),
    ("port-baku", "Baku port", "port", "AZ", 20.0, 30.0, 420.0, np.nan, np.nan),
    ("ferry-aktau-baku", "Aktau–Baku ferry", "ferry", "KZ-AZ", 0.0, 0.0, 700.0, 96.0, 25.0),
    ("ferry-kuryk-baku", "Kuryk–Baku ferry", "ferry", "KZ-AZ", 0.0, 0.0, 650.0, 120.0, 25.0),
    (
        "baku-tbilisi-border",
        "Beyuk Kesik–Gardabani",
        "crossing",
        "AZ-GE",
        6.0,
        12.0,
        50.0,
        np.nan,
        np.nan,
    ),
    ("port-poti", "Poti port", "port", "GE", 24.0, 48.0, 450.0, np.nan, np.nan),
    (
        "feeder-poti-constanta",
        "Poti–Constanța feeder",
        "feeder",
        "GE-RO",
        0.0,
        0.0,
        800.0,
        240.0,
        25.0,
    ),
    ("port-constanta", "Constanța port", "port", "RO", 24.0, 36.0, 300.0, np.nan, np.nan),
    (
        "akhalkalaki",
        "Akhalkalaki (gauge change to Kars)",
        "gauge_change",
        "GE-TR",
        12.0,
        24.0,
        300.0,
        np.nan,
        np.nan,
    ),
    (
        "bolashak-serhetyaka",
        "Bolashak–Serhetyaka",
        "crossing",
        "KZ-TM",
        8.0,
        16.0,
        150.0,
        np.nan,
        np.nan,
    ),
    ("incheh-borun", "Incheh Borun", "gauge_change", "TM-IR", 24.0, 72.0, 350.0, np.nan, np.nan),
    ("razi-kapikoy", "Razi–Kapıköy", "crossing", "IR-TR", 8.0, 24.0, 100.0, np.nan, np.nan),
    ("port-lianyungang", "Lianyungang port", "port", "CN", 48.0, 96.0, 300.0, np.nan, np.nan),
    (
        "ocean-lyg-rtm",
        "Lianyungang–Rotterdam via Suez",
        "ocean",
        "CN-NL",
        0.0,
        0.0,
        np.nan,
        168.0,
        30.0,
    ),
    ("port-rotterdam", "Rotterdam port", "port", "NL", 48.0, 96.0, 350.0, np.nan, np.nan),
    ("zevenaar-emmerich", "Zevenaar–Emmerich", "crossing", "NL-DE", 1.0, 2.0, 0.0, np.nan, np.nan),
    (
        "curtici-passau",
        "Curtici–Passau (schematic)",
        "crossing",
        "RO-DE",
        6.0,
        12.0,
        0.0,
        np.nan,
        np.nan,
    ),
    (
        "kapitan-andreevo-passau",
        "Kapıkule–Passau (schematic)",
        "crossing",
        "TR-DE",
        6.0,
        12.0,
        0.0,
        np.nan,
        np.nan,
    ),
]

# u, v, mode, length_km, country (for rail), facility_id ('' for none)
LINKS = [
    (0, 1, R, 3000.0, "CN", ""),
    (1, 2, T, 0.0, "", "alashankou-dostyk"),
    (0, 3, R, 3100.0, "CN", ""),
    (3, 4, T, 0.0, "", "khorgos-altynkol"),
    (2, 5, R, 900.0, "KZ", ""),
    (4, 5, R, 330.0, "KZ", ""),
    (2, 6, R, 1800.0, "KZ", ""),
    (5, 6, R, 1900.0, "KZ", ""),
    (6, 7, B, 0.0, "", "petropavl-petukhovo"),
    (7, 8, R, 2300.0, "RU", ""),
    (8, 9, B, 0.0, "", "krasnoye-osinovka"),
    (9, 10, R, 600.0, "BY", ""),
    (10, 11, T, 0.0, "", "brest-malaszewicze"),
    (11, 13, R, 700.0, "PL", ""),
    (13, 14, B, 0.0, "", "kunowice-frankfurt"),
    (14, 12, R, 600.0, "DE", ""),
    (5, 18, R, 2900.0, "KZ", ""),
    (5, 32, R, 2950.0, "KZ", ""),
    (18, 15, P, 0.0, "", "port-aktau"),
    (32, 16, P, 0.0, "", "port-kuryk"),
    (15, 17, S, 450.0, "", "ferry-aktau-baku"),
    (16, 17, S, 420.0, "", "ferry-kuryk-baku"),
    (17, 19, P, 0.0, "", "port-baku"),
    (19, 20, B, 0.0, "", "baku-tbilisi-border"),
    (20, 21, R, 310.0, "GE", ""),
    (21, 22, P, 0.0, "", "port-poti"),
    (22, 23, S, 1200.0, "", "feeder-poti-constanta"),
    (23, 39, P, 0.0, "", "port-constanta"),
    (39, 42, R, 1500.0, "RO", ""),
    (42, 40, B, 0.0, "", "curtici-passau"),
    (40, 12, R, 700.0, "DE", ""),
    (20, 33, R, 170.0, "GE", ""),
    (33, 24, T, 0.0, "", "akhalkalaki"),
    (24, 25, R, 1900.0, "TR", ""),
    (25, 41, R, 250.0, "TR", ""),
    (41, 40, B, 0.0, "", "kapitan-andreevo-passau"),
    (5, 34, R, 3300.0, "KZ", ""),
    (34, 26, B, 0.0, "", "bolashak-serhetyaka"),
    (26, 27, T, 0.0, "", "incheh-borun"),
    (27, 35, R, 1500.0, "IR", ""),
    (35, 36, B, 0.0, "", "razi-kapikoy"),
    (36, 25, R, 1700.0, "TR", ""),
    (0, 28, R, 1000.0, "CN", ""),
    (28, 29, P, 0.0, "", "port-lianyungang"),
    (29, 30, OC, 20000.0, "", "ocean-lyg-rtm"),
    (30, 31, P, 0.0, "", "port-rotterdam"),
    (31, 37, R, 110.0, "NL", ""),
    (37, 38, B, 0.0, "", "zevenaar-emmerich"),
    (38, 12, R, 60.0, "DE", ""),
]


def build_network(links: list[tuple] | None = None, nodes: list[tuple] | None = None) -> Network:
    """A ``Network`` from undirected links (each stored in both directions, CSR-sorted)."""
    links = LINKS if links is None else links
    nodes = NODES if nodes is None else nodes
    countries = tuple(sorted({n[1] for n in nodes}))
    fac = pd.DataFrame(
        FACILITIES,
        columns=[
            "facility_id",
            "name",
            "kind",
            "countries",
            "dwell_p50_h",
            "dwell_p90_h",
            "cost_usd_per_feu",
            "headway_h",
            "speed_kmh",
        ],
    )
    fac["source_ids"] = "landbridge-assumption"
    fac["assumption"] = ""
    fac_index = {fid: i for i, fid in enumerate(fac["facility_id"])}
    node_country = np.array([countries.index(n[1]) for n in nodes], dtype=np.int16)
    src, dst, length, mode, ecountry, efac = [], [], [], [], [], []
    for u, v, m, km, cc, fid in links:
        for a, b in ((u, v), (v, u)):
            src.append(a)
            dst.append(b)
            length.append(km)
            mode.append(int(m))
            ecountry.append(countries.index(cc) if cc else -1)
            efac.append(fac_index[fid] if fid else -1)
    src_a = np.array(src, dtype=np.int32)
    order = np.lexsort((np.array(dst), src_a))
    pair_pos = {}
    for new, old in enumerate(order):
        pair_pos[old] = new
    reverse = np.empty(len(order), dtype=np.int32)
    for old in range(len(order)):
        reverse[pair_pos[old]] = pair_pos[old ^ 1]
    n = len(nodes)
    indptr = np.zeros(n + 1, dtype=np.int64)
    np.cumsum(np.bincount(src_a, minlength=n), out=indptr[1:])
    m_edges = len(order)
    return Network(
        node_lat=np.array([x[3] for x in nodes], dtype=float),
        node_lon=np.array([x[4] for x in nodes], dtype=float),
        node_country=node_country,
        node_gauge_mm=np.zeros(n, dtype=np.int16),
        node_kind=np.array([int(x[2]) for x in nodes], dtype=np.int8),
        node_name=np.array([x[0] for x in nodes], dtype=object),
        indptr=indptr,
        edge_src=src_a[order],
        edge_dst=np.array(dst, dtype=np.int32)[order],
        edge_length_km=np.array(length, dtype=float)[order],
        edge_mode=np.array(mode, dtype=np.int8)[order],
        edge_country=np.array(ecountry, dtype=np.int16)[order],
        edge_gauge_mm=np.zeros(m_edges, dtype=np.int16),
        edge_facility=np.array(efac, dtype=np.int32)[order],
        edge_reverse=reverse,
        edge_geom_offset=np.zeros(m_edges + 1, dtype=np.int64),
        geom_lonlat=np.zeros((0, 2), dtype=np.float32),
        countries=countries,
        facilities=fac,
    )


def test_toy_network_is_in_csr_order_with_paired_directions() -> None:
    net = build_network()
    assert net.n_edges == 2 * len(LINKS)
    for i in range(net.n_nodes):
        assert (net.edge_src[net.indptr[i] : net.indptr[i + 1]] == i).all()
    rev = net.edge_reverse
    assert (rev[rev] == np.arange(net.n_edges)).all()
    assert (net.edge_src[rev] == net.edge_dst).all()
    assert (net.edge_length_km[rev] == net.edge_length_km).all()
