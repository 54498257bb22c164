"""What an answer says about itself: the dated values behind its options, the notes a shipper
should read, and the sources and assumptions of every figure used."""

from __future__ import annotations

from collections.abc import Sequence
from functools import lru_cache

from landbridge.costs.dated import DatedPatch
from landbridge.costs.params import Params, RowRef
from landbridge.costs.time import DRAWS
from landbridge.data import source_rows, split_source_ids
from landbridge.network.model import Network
from landbridge.routing.constraints import facility_text
from landbridge.routing.evaluate import Evaluated
from landbridge.routing.options import Found
from landbridge.routing.passage import Passage
from landbridge.schema.route import DatedValue, RouteRequest, Source

MODEL_ASSUMPTIONS = (
    f"transit p50/p90 from a seeded Monte Carlo of {DRAWS} draws: lognormal rail running per "
    "country and dwell per facility, uniform wait up to the interval between sailings (ships "
    "sail when full), fixed sailing",
    "CO2e is well-to-wheel for line haul (ISO 14083 / GLEC style); terminal and yard emissions "
    "are not counted",
    "costs are per FEU and linear in the number of FEU (no volume discounts or subsidies)",
)


def dated_values_of(
    net: Network, patches: list[DatedPatch], found: list[Found], evaluated: list[Evaluated]
) -> list[DatedValue]:
    """The dated values behind the options: rows of facilities on their paths (of the day the
    box reaches each), ocean rates, weather waits (each once)."""
    ids = facility_text(net).ids
    out: dict[tuple, DatedValue] = {}
    for item, patch in zip(found, patches, strict=True):
        fac = net.edge_facility[item.edges]
        for f in dict.fromkeys(fac[fac >= 0].tolist()):
            for value in patch.records.get(ids[f], ()):
                out.setdefault((value.item, value.parameter, value.sample_date), value)
    for e in evaluated:
        for value in e.dated:
            out.setdefault((value.item, value.parameter, value.note), value)
    return list(out.values())


def route_notes(
    found: list[Found], blocked: dict[str, str], request: RouteRequest, passage: Passage
) -> list[str]:
    """What a shipper should know about the option set: the sea passage of the date, and the
    corridor options a --via place or a detour left out."""
    notes = []
    if any(item.family == "sea" for item in found):
        way = "round the Cape of Good Hope" if passage.passage == "cape" else "through Suez"
        notes.append(f"sea options sail {way} on this date: {passage.note}")
    if request.via:
        dropped = [label for label, why in blocked.items() if "via place" in why]
        if dropped:
            notes.append(
                f"dropped because --via {request.via} is not on their way (they would run to it "
                f"and back): {'; '.join(dropped)}"
            )
    return notes


SOURCES_LIMIT = 256  # remembered source lists per prepared network


@lru_cache(maxsize=1)
def known_sources() -> dict[str, Source]:
    """The rows of ``data/sources`` as answer sources, by id."""
    return {sid: Source(**row) for sid, row in source_rows().items()}


def sources_and_assumptions(
    params: Params,
    net: Network,
    evaluated: list[Evaluated],
    extra: list[str],
    dated_values: Sequence[DatedValue] = (),
    memo: dict[tuple, tuple[list[str], list[Source]]] | None = None,
) -> tuple[list[str], list[Source]]:
    """The answer's assumptions (``extra`` first) and sources of the rows, facilities and dated
    values behind ``evaluated``; ``memo`` (the prepared network's) remembers them per set of
    rows, facilities and dated sources (the options of a known pair read the same ones)."""
    refs = tuple(dict.fromkeys(r for e in evaluated for r in e.refs))
    rows = tuple(dict.fromkeys(f for e in evaluated for f in e.facility_rows))
    dated_ids = tuple(s for value in dated_values for s in value.source_ids)
    key = (refs, rows, dated_ids)
    hit = memo.get(key) if memo is not None else None
    if hit is None:
        hit = _sources(params, net, refs, rows, dated_ids)
        if memo is not None:
            if len(memo) >= SOURCES_LIMIT:
                memo.clear()
            memo[key] = hit
    assumptions, sources = hit
    return [*extra, *assumptions, *MODEL_ASSUMPTIONS], list(sources)


def _sources(
    params: Params,
    net: Network,
    refs: tuple[RowRef, ...],
    rows: tuple[int, ...],
    dated_ids: tuple[str, ...],
) -> tuple[list[str], list[Source]]:
    source_ids, assumptions = params.sources_of(refs)
    source_ids.extend(dict.fromkeys(s for s in dated_ids if s not in source_ids))
    text = facility_text(net)
    for row in rows:
        source_ids.extend(s for s in split_source_ids(text.source_ids[row]) if s not in source_ids)
        note = text.assumptions[row].strip()
        if note:
            assumptions.append(f"{text.ids[row]}: {note}")
        if text.ids[row] in params.facility_overrides:
            assumptions.append(
                f"{text.ids[row]} parameters set by the parameter file {params.override_origin}"
            )
    known = known_sources()
    sources = [
        known.get(sid) or Source(source_id=sid, title="(not in data/sources)") for sid in source_ids
    ]
    return assumptions, sources
