"""Import railway lines from an OpenStreetMap XML file (``.osm``) into flat arrays.

The result matches what the network builder reads from the bundled scgraph lines
(``rail_source.read_rail_lines``): a ``LineSet`` whose lines run between nodes where railways
end or meet, plus one attribute row per line (OSM tags, typed) and the station nodes.

Only ``railway=rail`` ways are read (tram, subway, light rail, platforms and abandoned,
disused or construction lines are skipped and counted). A file cut out of a larger one (a bbox
clip) holds ways whose nodes lie partly outside it: the missing nodes are dropped, the way is
split at each gap, and the report counts every dropped reference and piece; nothing is dropped
silently. Documents that declare a DTD or entities are refused (entity-expansion bombs).
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field, replace
from pathlib import Path
from xml.etree.ElementTree import Element, ParseError, XMLPullParser

import numpy as np
import pandas as pd
from pyproj import Geod

from landbridge.errors import NetworkDataError
from landbridge.network.build.lines import LineSet
from landbridge.user_files import regular_file

# Ellipsoid for line lengths (the datum of OSM coordinates).
WGS84 = Geod(ellps="WGS84")
# Bytes fed to the XML parser at a time.
READ_CHUNK_BYTES = 1 << 16
# Markup that only a DTD can hold; refused so that no entity is ever expanded.
FORBIDDEN_MARKUP = (b"<!DOCTYPE", b"<!ENTITY")
# OSM ids are signed 64-bit integers (negative ids mark objects not yet uploaded).
OSM_ID_MAX = 2**63 - 1

#: Tags read from each way into the attribute table (OSM key -> column).
LINE_COLUMNS = (
    "line_id", "source_id", "piece", "name", "gauge", "gauge_mm", "electrified", "voltage_v",
    "frequency_hz", "usage", "service", "maxspeed_kmh", "length_km",
)  # fmt: skip
STATION_COLUMNS = ("station_id", "name", "railway", "lat", "lon")
#: ``railway`` values of station nodes.
STATION_RAILWAY = frozenset({"station", "halt"})
#: Lifecycle keys whose presence (``=yes``) marks a rail way that carries no trains.
OUT_OF_SERVICE_KEYS = ("abandoned", "disused", "razed", "construction", "proposed")
# maxspeed values in miles per hour end with "mph" (OSM wiki, Key:maxspeed); 1 mi = 1.609344 km.
KM_PER_MILE = 1.609344
_NUMBER = re.compile(r"^\s*([0-9]+(?:\.[0-9]+)?)\s*(mph)?\s*$")


@dataclass
class ImportReport:
    """What an import read, kept and dropped (counts), for the user and the tests."""

    source: str
    ways_read: int = 0
    rail_ways: int = 0
    skipped_ways: dict[str, int] = field(default_factory=dict)
    missing_node_refs: int = 0
    clipped_ways: int = 0
    dropped_pieces: int = 0
    lost_ways: int = 0
    unparsed_tags: dict[str, int] = field(default_factory=dict)

    def skip(self, reason: str) -> None:
        self.skipped_ways[reason] = self.skipped_ways.get(reason, 0) + 1

    def unparsed(self, key: str) -> None:
        self.unparsed_tags[key] = self.unparsed_tags.get(key, 0) + 1

    def warnings(self) -> list[str]:
        """One sentence per kind of dropped or unreadable input (empty when nothing was lost)."""
        out = []
        if self.missing_node_refs:
            out.append(
                f"{self.source}: {self.clipped_ways} rail ways reference {self.missing_node_refs} "
                "nodes missing from the file (a clipped extract?); they were split at the gaps"
            )
        if self.dropped_pieces:
            out.append(
                f"{self.source}: {self.dropped_pieces} pieces of fewer than 2 known points dropped"
            )
        if self.lost_ways:
            out.append(f"{self.source}: {self.lost_ways} rail ways kept no piece at all")
        for key, n in sorted(self.unparsed_tags.items()):
            out.append(f"{self.source}: {n} '{key}' values not understood, left empty")
        return out


@dataclass(frozen=True)
class ImportedRailways:
    """Railway lines from an imported file, ready for the network builder.

    ``lines.length_km`` is geodesic (WGS84); ``attributes`` has one row per line in line order
    (columns ``LINE_COLUMNS``); ``stations`` has ``station_id, name, railway, lat, lon``.
    """

    lines: LineSet
    attributes: pd.DataFrame
    stations: pd.DataFrame
    report: ImportReport


@dataclass
class RawLine:
    """One source line before splitting: vertex keys (shared keys join lines) and tags."""

    source_id: int
    keys: list[int]
    lonlat: np.ndarray  # float64 [k, 2]
    tags: dict[str, str]


def read_osm(path: str | Path) -> ImportedRailways:
    """The ``railway=rail`` ways and station nodes of the OSM XML file ``path``."""
    path = Path(path)
    report = ImportReport(source=str(path))
    nodes: dict[int, tuple[float, float]] = {}
    stations: list[dict] = []
    ways: list[tuple[int, list[int], dict[str, str]]] = []
    for kind, elem in _elements(path):
        if kind == "node":
            node_id = _osm_id(elem, path, "node")
            lon, lat = _node_lonlat(elem, node_id, path)
            nodes[node_id] = (lon, lat)
            tags = _tags(elem)
            if tags.get("railway") in STATION_RAILWAY:
                stations.append({"station_id": node_id, "name": tags.get("name", ""),
                                 "railway": tags["railway"], "lat": lat, "lon": lon})  # fmt: skip
        elif kind == "way":
            report.ways_read += 1
            way_id = _osm_id(elem, path, "way")
            tags = _tags(elem)
            reason = skip_reason(tags)
            if reason:
                report.skip(reason)
                continue
            report.rail_ways += 1
            ways.append((way_id, _node_refs(elem, way_id, path), tags))
    raw: list[RawLine] = []
    for way_id, refs, tags in ways:
        present = [r in nodes for r in refs]
        if not all(present):
            report.clipped_ways += 1
            report.missing_node_refs += present.count(False)
        runs = [run for run in _present_runs(refs, present) if len(run) >= 2]
        report.dropped_pieces += len(_present_runs(refs, present)) - len(runs)
        if not runs:
            report.lost_ways += 1
        for run in runs:
            lonlat = np.array([nodes[r] for r in run], dtype=np.float64)
            raw.append(RawLine(way_id, run, lonlat, tags))
    return assemble(raw, pd.DataFrame(stations, columns=list(STATION_COLUMNS)), report)


def skip_reason(tags: dict[str, str]) -> str:
    """Why a way with these tags is not a railway line in service ('' when it is one)."""
    railway = tags.get("railway")
    if railway is None:
        return "not railway"
    if railway != "rail":
        return f"railway={railway}"
    for key in OUT_OF_SERVICE_KEYS:
        if tags.get(key) == "yes":
            return f"{key}=yes"
    return ""


def _elements(path: Path):
    """Yield ``(tag, element)`` for each top-level OSM element, refusing DTDs; frees memory."""
    parser: XMLPullParser[Element] = XMLPullParser(events=("start", "end"))
    depth = 0
    root: Element | None = None
    tail = b""
    seen_any = False
    try:
        fh = regular_file(path, NetworkDataError, "OSM file").open("rb")
    except OSError as exc:
        raise NetworkDataError(f"{path}: cannot open OSM file ({exc.strerror or exc})") from None
    with fh:
        while True:
            try:
                chunk = fh.read(READ_CHUNK_BYTES)
            except OSError as exc:
                raise NetworkDataError(f"{path}: cannot read OSM file ({exc})") from None
            if not chunk:
                break
            if not seen_any:
                _check_encoding(chunk, path)
            seen_any = seen_any or bool(chunk.strip())
            window = tail + chunk
            if any(m in window for m in FORBIDDEN_MARKUP):
                raise NetworkDataError(
                    f"{path}: the document declares a DTD or entities (<!DOCTYPE/<!ENTITY); "
                    "OSM files never do, and they are refused to avoid entity-expansion bombs"
                )
            tail = window[-(max(map(len, FORBIDDEN_MARKUP)) - 1) :]
            try:
                parser.feed(chunk)
                # typeshed's event union includes 1-tuples (namespace events), never asked for here
                for event, elem in parser.read_events():  # type: ignore[misc]
                    if not isinstance(elem, Element):
                        continue
                    if event == "start":
                        depth += 1
                        if depth == 1:
                            root = _check_root(elem, path)
                        continue
                    depth -= 1
                    if depth == 1:
                        yield elem.tag, elem
                        if root is not None:
                            root.clear()
            except ParseError as exc:
                raise NetworkDataError(f"{path}: not well-formed XML ({exc})") from None
        if not seen_any:
            raise NetworkDataError(f"{path}: the file is empty")
        try:
            parser.close()
        except ParseError as exc:
            raise NetworkDataError(f"{path}: not well-formed XML ({exc})") from None


def _check_encoding(first: bytes, path: Path) -> None:
    # A UTF-16/32 document would hide '<!DOCTYPE' from the byte scan above.
    if first.startswith((b"\xff\xfe", b"\xfe\xff", b"\x00", b"\x3c\x00")):
        raise NetworkDataError(f"{path}: only UTF-8 OSM XML is read (the file is UTF-16/32)")


def _check_root(elem: Element, path: Path) -> Element:
    if elem.tag != "osm":
        raise NetworkDataError(
            f"{path}: not an OSM XML file (root element <{elem.tag[:40]}>, expected <osm>)"
        )
    return elem


def _osm_id(elem: Element, path: Path, kind: str) -> int:
    text = elem.get("id")
    try:
        value = int(text)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        raise NetworkDataError(f"{path}: a {kind} has id {text!r}; OSM ids are integers") from None
    if abs(value) > OSM_ID_MAX:
        raise NetworkDataError(
            f"{path}: {kind} id {str(text)[:30]} is beyond the 64-bit OSM id range"
        )
    return value


def _node_lonlat(elem: Element, node_id: int, path: Path) -> tuple[float, float]:
    try:
        lat = float(elem.get("lat"))  # type: ignore[arg-type]
        lon = float(elem.get("lon"))  # type: ignore[arg-type]
    except (TypeError, ValueError):
        raise NetworkDataError(
            f"{path}: node {node_id} has lat={elem.get('lat')!r} lon={elem.get('lon')!r}; "
            "both must be decimal degrees"
        ) from None
    check_lonlat(lon, lat, f"{path}: node {node_id}")
    return lon, lat


def check_lonlat(lon: float, lat: float, where: str) -> None:
    """Refuse a coordinate that is not finite or lies outside -180..180, -90..90 degrees."""
    if not (math.isfinite(lon) and math.isfinite(lat) and -180 <= lon <= 180 and -90 <= lat <= 90):
        raise NetworkDataError(
            f"{where}: coordinate lon={lon!r} lat={lat!r} is outside -180..180, -90..90 degrees"
        )


def _tags(elem: Element) -> dict[str, str]:
    return {
        k: v
        for child in elem
        if child.tag == "tag"
        and (k := child.get("k")) is not None
        and (v := child.get("v")) is not None
    }


def _node_refs(elem: Element, way_id: int, path: Path) -> list[int]:
    refs = []
    for child in elem:
        if child.tag != "nd":
            continue
        text = child.get("ref")
        try:
            ref = int(text)  # type: ignore[arg-type]
        except (TypeError, ValueError):
            raise NetworkDataError(
                f"{path}: way {way_id} has a node reference {text!r}; references are integer ids"
            ) from None
        if abs(ref) > OSM_ID_MAX:
            raise NetworkDataError(
                f"{path}: way {way_id} references node {str(text)[:30]} beyond the 64-bit id range"
            )
        refs.append(ref)
    return refs


def _present_runs(refs: list[int], present: list[bool]) -> list[list[int]]:
    """Maximal runs of consecutive references whose node is in the file (repeats merged)."""
    runs: list[list[int]] = []
    current: list[int] = []
    for ref, ok in zip(refs, present, strict=True):
        if ok:
            if not current or current[-1] != ref:
                current.append(ref)
        elif current:
            runs.append(current)
            current = []
    if current:
        runs.append(current)
    return runs


def assemble(raw: list[RawLine], stations: pd.DataFrame, report: ImportReport) -> ImportedRailways:
    """Split raw lines where railways meet, number the nodes, measure and type the attributes.

    A vertex key shared by two lines, or met twice on one line, becomes a node; consecutive
    repeats of one key are merged (they add no length)."""
    pieces: list[tuple[RawLine, int, list[int], np.ndarray]] = []
    uses: dict[int, int] = {}
    cleaned: list[tuple[RawLine, list[int], np.ndarray]] = []
    for line in raw:
        keep = [0] + [i for i in range(1, len(line.keys)) if line.keys[i] != line.keys[i - 1]]
        keys = [line.keys[i] for i in keep]
        if len(keys) < 2:
            report.dropped_pieces += 1
            continue
        cleaned.append((line, keys, line.lonlat[keep]))
        for k in keys:
            uses[k] = uses.get(k, 0) + 1
        # ends are nodes whatever their use count
        uses[keys[0]] += 1
        uses[keys[-1]] += 1
    piece_no: dict[int, int] = {}  # pieces numbered per source way or feature
    for line, keys, lonlat in cleaned:
        cuts = [0] + [i for i in range(1, len(keys) - 1) if uses[keys[i]] > 1] + [len(keys) - 1]
        for a, b in zip(cuts[:-1], cuts[1:], strict=True):
            n = piece_no.get(line.source_id, 0)
            piece_no[line.source_id] = n + 1
            pieces.append((line, n, keys[a : b + 1], lonlat[a : b + 1]))
    node_index: dict[int, int] = {}
    node_lonlat: list[np.ndarray] = []
    line_u = np.empty(len(pieces), dtype=np.int64)
    line_v = np.empty(len(pieces), dtype=np.int64)
    for i, (_, _, keys, lonlat) in enumerate(pieces):
        for end, pos in ((line_u, 0), (line_v, -1)):
            key = keys[pos]
            if key not in node_index:
                node_index[key] = len(node_lonlat)
                node_lonlat.append(lonlat[pos])
            end[i] = node_index[key]
    counts = np.array([len(p[2]) for p in pieces], dtype=np.int64)
    offsets = np.zeros(len(pieces) + 1, dtype=np.int64)
    np.cumsum(counts, out=offsets[1:])
    coords = np.vstack([p[3] for p in pieces]) if pieces else np.zeros((0, 2))
    lines = LineSet.from_arrays(
        np.array(node_lonlat).reshape(-1, 2), line_u, line_v, coords, offsets
    )
    lines = replace(lines, length_km=geodesic_lengths_km(coords, offsets))
    typed: dict[int, dict[str, object]] = {}  # per source line, so each bad tag counts once
    for line, _, _, _ in pieces:
        if id(line.tags) not in typed:
            typed[id(line.tags)] = typed_tags(line.tags, report)
    rows = [
        {
            "line_id": i,
            "source_id": line.source_id,
            "piece": n,
            **typed[id(line.tags)],
            "length_km": float(lines.length_km[i]),
        }  # fmt: skip
        for i, (line, n, _, _) in enumerate(pieces)
    ]
    attributes = pd.DataFrame(rows, columns=list(LINE_COLUMNS))
    return ImportedRailways(lines, attributes, stations.reset_index(drop=True), report)


def geodesic_lengths_km(coords: np.ndarray, offsets: np.ndarray) -> np.ndarray:
    """Length of every polyline on the WGS84 ellipsoid (km)."""
    if len(offsets) < 2:
        return np.zeros(0)
    _, _, seg_m = WGS84.inv(coords[:-1, 0], coords[:-1, 1], coords[1:, 0], coords[1:, 1])
    seg_cum = np.concatenate([[0.0], np.cumsum(np.asarray(seg_m, dtype=np.float64))])
    # the segment from one line's last vertex to the next line's first belongs to neither
    return (seg_cum[offsets[1:] - 1] - seg_cum[offsets[:-1]]) / 1000.0


def typed_tags(tags: dict[str, str], report: ImportReport) -> dict[str, object]:
    """The attribute columns of a line from its tags (numbers parsed; unreadable ones NaN)."""
    gauge = tags.get("gauge", "")
    return {
        "name": tags.get("name", ""),
        "gauge": gauge,
        # dual-gauge track lists its gauges separated by ';': the first is the main one
        "gauge_mm": _number(gauge.split(";")[0], "gauge", report, allow_mph=False),
        "electrified": tags.get("electrified", ""),
        "voltage_v": _number(tags.get("voltage", "").split(";")[0], "voltage", report, False),
        "frequency_hz": _number(
            tags.get("frequency", "").split(";")[0], "frequency", report, False
        ),
        "usage": tags.get("usage", ""),
        "service": tags.get("service", ""),
        "maxspeed_kmh": _number(tags.get("maxspeed", ""), "maxspeed", report, allow_mph=True),
    }


def _number(text: str, key: str, report: ImportReport, allow_mph: bool) -> float:
    if not text:
        return math.nan
    match = _NUMBER.match(text)
    if match is None or (match.group(2) and not allow_mph):
        report.unparsed(key)
        return math.nan
    value = float(match.group(1))
    if not math.isfinite(value):
        report.unparsed(key)
        return math.nan
    return value * KM_PER_MILE if match.group(2) else value
