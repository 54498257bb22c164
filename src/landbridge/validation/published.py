"""Published transit times beside the model's: the calibration case of an option's pair.

An option gets the case whose origin and destination resolve to the option's end nodes and
whose corridor (and, if the case names one, route label) matches it (``RouteOption.published``).
"""

from __future__ import annotations

from collections.abc import Callable

from landbridge.errors import LandbridgeError
from landbridge.schema.route import Published, RouteOption
from landbridge.validation.cases import Case, load_cases


def _published(case: Case) -> Published:
    return Published(
        case=case.case, low_days=case.low_days, high_days=case.high_days, year=case.year,
        scope=case.scope, source=case.quote, source_ids=list(case.source_ids),
    )  # fmt: skip


def _matches(case: Case, option: RouteOption) -> bool:
    return case.corridor in (None, option.corridor) and (case.option or "") in option.label


def with_published(
    options: list[RouteOption], origin_node: int, destination_node: int,
    node_of: Callable[[str], int],
) -> list[RouteOption]:
    """``options`` with ``published`` set where a calibration case covers the pair.

    ``node_of`` resolves a place name to its network node (cases whose places do not resolve
    are skipped)."""
    cases = []
    for case in load_cases():
        # the destination only when the origin matches: each lookup snaps a place to the
        # network, and a cold start pays for every one
        try:
            if node_of(case.origin) != origin_node:
                continue
            if node_of(case.destination) != destination_node:
                continue
        except (LandbridgeError, LookupError):  # a library resolver may know other names only
            continue
        cases.append(case)
    if not cases:
        return options
    out = []
    for option in options:
        match = next((c for c in cases if _matches(c, option)), None)
        if match is not None:
            option = option.model_copy(update={"published": _published(match)})
        out.append(option)
    return out
