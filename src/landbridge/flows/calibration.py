"""Calibrated corridor route choice: route-defined segments, gateway constants, their estimator.

The logit of ``flows.route_choice`` prices a path by the cost model (tariffs, handling charges,
value of time x hours, queueing). Two things the cost model does not hold are added here, each as
few parameters as the published volumes can identify:

- **Route-defined segments** (structure, no parameter): the bundled demand segments are
  *defined* by where their tonnage was counted. China–Kazakhstan trade and "Chinese transit
  through Kazakhstan" are tonnages counted at the China–Kazakhstan border, and the TITR
  segments are shares of the TITR's Caspian tonnage (72% Kazakh, 28% Chinese). Their paths
  must therefore cross a CN–KZ gateway, and the TITR segments the Caspian from a Kazakh port
  (``SEGMENT_ROUTE``). Without this rule the logit sent 2 Mt/yr of the first through Manzhouli
  and the Far East (transit total -16%) and most of the second through Russia. A user's own
  segments are not restricted.
- **Gateway constants** (``route_constants.csv``), one per gateway family, in USD/t added to the
  perceived cost of every path through the gateway (all classes alike; 0 = none):
  ``khorgos-altynkol`` (relative to Dostyk, the other CN–KZ gateway) stands for what the cost
  model lacks there: the Khorgos Gateway dry port and free zone, the shorter haul to Almaty and
  Central Asia, and the assumed regional weights of the demand (``weights.csv``), which may put
  too little of it in the south. ``caspian-kz`` (paths crossing the Caspian from a Kazakh port)
  stands for the Caspian leg's real cost, which the model only has as a proxy (the Poti–Mersin
  short-sea container rate, applied to bulk too), Kazakh bulk moved under contract or by the
  state's TITR programme, and shippers' avoidance of Russian transit beyond the avoiding class.
  With the TITR segments on the Caspian by definition, the constant prices the Caspian for the
  rest of the market (China transit avoiding Russia, Kazakh cargo to Türkiye and Russia), whose
  Caspian tonnes would come on top of the published TITR volume.

Each constant is estimated on its own published element of ``ESTIMATION_YEAR`` (Altynkol's
tonnage, the TITR tonnage) by bisection on the log error, the others held, until none moves
(Gauss-Seidel); the choice set is generated once with a wide cost bound (``GENERATION_RATIO``)
and the offered paths are those within ``route_choice.MAX_COST_RATIO`` in perceived cost, so a
constant can bring a path into the set. Dostyk and the transit total are not fitted: with the
rule they follow from the demand (the two gateways carry what crossed, minus Altynkol), so they
test the rule. ``VALIDATION_YEAR`` is not used in the estimate and is reported as the test.
Rerun after a change in the cost or time model: ``landbridge flows --calibrate``.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from landbridge.errors import ParameterError
from landbridge.network.model import EdgeMode, Network
from landbridge.paths import DATA_DIR

if TYPE_CHECKING:
    from landbridge.flows.route_choice import ChoiceSet

CONSTANTS_PATH = DATA_DIR / "params" / "route_constants.csv"
CONSTANT_COLUMNS = (
    "key", "value_usd_per_t", "lower_usd_per_t", "upper_usd_per_t", "status", "estimated_on",
    "elements", "year", "source_ids", "note", "assumption",
)  # fmt: skip
ESTIMATION_YEAR, VALIDATION_YEAR = 2023, 2024
GENERATION_RATIO = 3.0
"""Cost bound of the generated path set: wide enough that a constant within its bounds can
bring a path inside ``MAX_COST_RATIO`` in perceived cost."""
NEEDS_CN_KZ, NEEDS_CASPIAN = 1, 2
SEGMENT_ROUTE = {
    "cn_eu_west": NEEDS_CN_KZ, "cn_eu_east": NEEDS_CN_KZ, "cn_rest_west": NEEDS_CN_KZ,
    "cn_rest_east": NEEDS_CN_KZ, "cn_imports_kz": NEEDS_CN_KZ, "kz_exports_cn": NEEDS_CN_KZ,
    "cn_titr_west": NEEDS_CN_KZ | NEEDS_CASPIAN, "cn_titr_east": NEEDS_CN_KZ | NEEDS_CASPIAN,
    "kz_titr": NEEDS_CASPIAN,
}  # fmt: skip
"""Gateways a bundled segment's paths must use (module docstring), as bits."""
CN_KZ = frozenset(("CN", "KZ"))
KHORGOS, CASPIAN = "khorgos-altynkol", "caspian-kz"
TERMS = (KHORGOS, CASPIAN)
TARGET_OF = {KHORGOS: "Altynkol–Khorgos", CASPIAN: "Middle Corridor (TITR)"}
BISECTION_TOL_USD_PER_T = 0.01
MAX_SWEEPS = 8
CALIBRATION_SOURCE = "landbridge-calibration"


@dataclass(frozen=True)
class RouteConstants:
    """USD/t added to the perceived cost of a path through each gateway family."""

    values: dict[str, float]
    status: str  # calibrated | uncalibrated
    estimated_on: str  # e.g. "2023: Altynkol–Khorgos; Middle Corridor (TITR)"

    @classmethod
    def zero(cls) -> RouteConstants:
        return cls({t: 0.0 for t in TERMS}, "uncalibrated", "")


def load_constants(path: Path = CONSTANTS_PATH) -> RouteConstants:
    """The bundled (or given) constants table; every term of ``TERMS`` must be present."""
    try:
        frame = pd.read_csv(path, keep_default_na=False)
    except FileNotFoundError as exc:
        raise ParameterError(f"route constants table missing: {path}") from exc
    missing = [c for c in CONSTANT_COLUMNS if c not in frame.columns]
    if missing:
        raise ParameterError(f"{path.name}: missing columns {missing}")
    values = dict(zip(frame.key.astype(str), pd.to_numeric(frame.value_usd_per_t), strict=True))
    absent = [t for t in TERMS if t not in values]
    if absent:
        raise ParameterError(f"{path.name}: no row for {absent}")
    status = "calibrated" if (frame.status == "calibrated").all() else "uncalibrated"
    on = "; ".join(dict.fromkeys(str(x) for x in frame.estimated_on if str(x)))
    return RouteConstants({t: float(values[t]) for t in TERMS}, status, on)


def term_edges(network: Network) -> dict[str, np.ndarray]:
    """Edges marking a path as using each gateway family (one passage per path)."""
    ids = network.facilities["facility_id"]
    khorgos = np.isin(network.edge_facility, np.flatnonzero(ids == KHORGOS))
    kz = network.country_id("KZ")
    sea = network.edge_mode == EdgeMode.SEA
    from_kz = network.node_country[network.edge_src] == kz
    to_kz = network.node_country[network.edge_dst] == kz
    caspian = sea & (from_kz | to_kz) & (kz >= 0)
    return {KHORGOS: khorgos, CASPIAN: caspian}


def cn_kz_gateway_edges(network: Network) -> np.ndarray:
    """Edges of the border facilities between China and Kazakhstan."""
    fac = network.facilities.to_frame()
    if not len(fac) or "countries" not in fac:
        return np.zeros(network.n_edges, dtype=bool)
    both = fac["countries"].astype(str).str.split("-").apply(lambda c: set(c) >= CN_KZ)
    return np.isin(network.edge_facility, np.flatnonzero(both.to_numpy()))


def bundled_demand(od: pd.DataFrame) -> bool:
    """Whether every row belongs to a bundled segment: only then are the calibration elements
    the demand's targets."""
    return bool(len(od)) and "segment" in od and bool(od.segment.isin(SEGMENT_ROUTE).all())


def route_requirement(od: pd.DataFrame) -> np.ndarray:
    """Bits of the gateways each row's paths must use (``SEGMENT_ROUTE``; 0: free)."""
    if "segment" not in od:
        return np.zeros(len(od), dtype=np.int64)
    return od.segment.astype(str).map(SEGMENT_ROUTE).fillna(0).to_numpy(np.int64)


@dataclass(frozen=True)
class Offered:
    """The offered choice set under given constants and the constant of each offered path."""

    choice: ChoiceSet  # restricted to the offered paths
    path_constant: np.ndarray  # [n_offered] USD/t


@dataclass(frozen=True)
class PathTerms:
    """Per generated path: the gateway families it uses and the route bits it has."""

    uses: dict[str, np.ndarray]  # term -> bool [n_paths]
    path_route: np.ndarray  # int [n_paths]: NEEDS_* bits the path satisfies
    entry_route: np.ndarray  # int [n_entries]: NEEDS_* bits the entry requires


def path_terms(network: Network, choice: ChoiceSet, entry_route: np.ndarray) -> PathTerms:
    inc = choice.incidence
    uses = {t: (inc @ e.astype(float)) > 0 for t, e in term_edges(network).items()}
    cn_kz = (inc @ cn_kz_gateway_edges(network).astype(float)) > 0
    route = np.where(cn_kz, NEEDS_CN_KZ, 0) | np.where(uses[CASPIAN], NEEDS_CASPIAN, 0)
    return PathTerms(uses, route.astype(np.int64), np.asarray(entry_route, dtype=np.int64))


def offer(
    choice: ChoiceSet, terms: PathTerms, constants: RouteConstants, max_ratio: float
) -> Offered:
    """Paths allowed by the rule and within ``max_ratio`` in perceived cost (module docstring).

    A path is offered when its real cost is within ``max_ratio`` x the entry's cheapest, or its
    perceived cost (free cost + constants) exceeds the entry's best perceived cost by at most
    ``(max_ratio - 1)`` x that cheapest real cost: a constant can add an option, never remove one.
    """
    from landbridge.flows.route_choice import ChoiceSet

    n_entries = choice.entry_class.size
    need = terms.entry_route[choice.entry]
    allowed = (terms.path_route & need) == need
    const = np.zeros(choice.entry.size)
    for t in TERMS:
        const += np.where(terms.uses[t], constants.values[t], 0.0)
    perceived = choice.free_cost + const
    inf = np.inf
    best_real = np.full(n_entries, inf)
    np.minimum.at(best_real, choice.entry[allowed], choice.free_cost[allowed])
    best_perc = np.full(n_entries, inf)
    np.minimum.at(best_perc, choice.entry[allowed], perceived[allowed])
    slack = (max_ratio - 1.0) * best_real[choice.entry]
    tol = 1 + 1e-12
    real_ok = choice.free_cost - best_real[choice.entry] <= slack * tol
    keep = allowed & (real_ok | (perceived - best_perc[choice.entry] <= slack * tol))
    no_path = choice.no_path | ~np.isfinite(best_real)
    sub = ChoiceSet(
        incidence=choice.incidence[np.flatnonzero(keep)],
        entry=choice.entry[keep], free_cost=choice.free_cost[keep],
        entry_class=choice.entry_class, entry_origin=choice.entry_origin,
        entry_destination=choice.entry_destination, entry_demand=choice.entry_demand,
        entry_best=np.where(np.isfinite(best_real), best_real, choice.entry_best),
        no_path=no_path,
    )  # fmt: skip
    return Offered(sub, const[keep])
