"""The gateway constants' estimator (``landbridge flows --calibrate``), see ``flows.calibration``.

Each constant is fitted by bisection on the log error of its own published element of
``ESTIMATION_YEAR``, the others held, until none moves; ``VALIDATION_YEAR`` is reported as the test.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from landbridge.costs.params import Params
from landbridge.flows import demand as dem
from landbridge.flows.calibration import (
    BISECTION_TOL_USD_PER_T,
    CALIBRATION_SOURCE,
    CASPIAN,
    CONSTANT_COLUMNS,
    CONSTANTS_PATH,
    ESTIMATION_YEAR,
    KHORGOS,
    MAX_SWEEPS,
    TARGET_OF,
    TERMS,
    VALIDATION_YEAR,
    RouteConstants,
)
from landbridge.flows.published import published_calibration
from landbridge.flows.run import PreparedRun, evaluate, prepare_run
from landbridge.network.model import Network
from landbridge.schema.flows import FlowsResult
from landbridge.units import TEU_PER_FEU


@dataclass(frozen=True)
class Fit:
    """Published vs modelled calibration elements of one year under one set of constants."""

    year: int
    rows: list[dict]  # element, published, modelled, error_pct


@dataclass(frozen=True)
class Estimate:
    constants: RouteConstants
    bounds: dict[str, tuple[float, float]]
    at_bound: dict[str, bool]
    fits: list[Fit]  # estimation and validation year, calibrated
    without: list[Fit]  # same years, constants set to zero (the rule kept)
    carried: dict[str, list[dict]]  # term -> element changes when that constant alone is zeroed


def bounds(params: Params) -> dict[str, tuple[float, float]]:
    """Bounds the sources allow (USD/t), with the reasoning in ``route_constants.csv``.

    Khorgos: a gateway preference worth more than a third of the whole China–Europe rail rate
    (ERAI mean) would be a different market, not a gateway choice. Caspian: the constant may at
    most cancel the modelled Caspian leg's charges (two port handlings + the ferry proxy rate),
    or double them.
    """
    t_per_feu = TEU_PER_FEU * float(params.scalar("tonnes_per_teu"))
    lo, _ = dem.figure("erai_min_usd_per_feu", 2024)
    hi, _ = dem.figure("erai_max_usd_per_feu", 2024)
    erai_t = (lo + hi) / 2.0 / t_per_feu
    port = float(params.value("facility_defaults", "port", "cost_usd_per_feu"))
    ferry = float(params.value("facility_defaults", "ferry", "cost_usd_per_feu"))
    leg_t = (2.0 * port + ferry) / t_per_feu
    return {KHORGOS: (-erai_t / 3.0, erai_t / 3.0), CASPIAN: (-leg_t, leg_t)}


def estimate(
    network: Network | None = None,
    params: Params | None = None,
    progress: Callable[[int, str, float], None] | None = None,
    demand: dict[int, pd.DataFrame] | None = None,
) -> Estimate:
    """Estimate the gateway constants on ``ESTIMATION_YEAR``, judge them on ``VALIDATION_YEAR``.

    ``network``, ``params`` and the ``demand`` of each year default to the bundled ones.
    """
    if network is None:
        from landbridge.network import load_network

        network = load_network()
    if params is None:
        from landbridge.costs.params import load_default_params

        params = load_default_params()
    box = bounds(params)
    demand = demand or {}
    runs = {
        y: prepare_run(y, network=network, params=params, demand=demand.get(y))
        for y in (ESTIMATION_YEAR, VALIDATION_YEAR)
    }
    est = runs[ESTIMATION_YEAR]

    def errors(run: PreparedRun, values: dict[str, float]) -> dict[str, float]:
        rows = evaluate(run, RouteConstants(values, "trial", "")).calibration
        return {r.element: math.log(max(r.modelled, 1.0) / r.published) for r in rows}

    values = {t: 0.0 for t in TERMS}
    at_bound = {t: False for t in TERMS}
    for sweep in range(MAX_SWEEPS):
        moved = 0.0
        for term in TERMS:
            lo, hi = box[term]
            target = TARGET_OF[term]

            def f(x: float, term: str = term, target: str = target) -> float:
                return errors(est, {**values, term: x})[target]

            # a larger constant makes the gateway dearer: f falls with x
            f_lo, f_hi = f(lo), f(hi)
            if f_lo <= 0:
                x, at_bound[term] = lo, True
            elif f_hi >= 0:
                x, at_bound[term] = hi, True
            else:
                a, b = lo, hi
                while b - a > BISECTION_TOL_USD_PER_T:
                    mid = 0.5 * (a + b)
                    if f(mid) > 0:
                        a = mid
                    else:
                        b = mid
                x, at_bound[term] = 0.5 * (a + b), False
            moved = max(moved, abs(x - values[term]))
            values[term] = x
            if progress is not None:
                progress(sweep, term, x)
        if moved <= BISECTION_TOL_USD_PER_T * 2:
            break
    on = f"{ESTIMATION_YEAR}: " + "; ".join(TARGET_OF[t] for t in TERMS)
    constants = RouteConstants(values, "calibrated", on)
    zero = RouteConstants.zero()
    fits = [Fit(y, _rows(evaluate(r, constants))) for y, r in runs.items()]
    without = [Fit(y, _rows(evaluate(r, zero))) for y, r in runs.items()]
    carried = {}
    for term in TERMS:
        alone = RouteConstants({**values, term: 0.0}, "trial", "")
        rows = _rows(evaluate(est, alone))
        carried[term] = [
            dict(element=a["element"], calibrated=a["modelled"], without_term=b["modelled"])
            for a, b in zip(fits[0].rows, rows, strict=True)
        ]
    return Estimate(constants, box, at_bound, fits, without, carried)


def _rows(result: FlowsResult) -> list[dict]:
    return [
        dict(element=r.element, published=r.published, modelled=r.modelled, error_pct=r.error_pct)
        for r in result.calibration
    ]


def write_constants(est: Estimate, path: Path = CONSTANTS_PATH) -> Path:
    """Write the estimated constants, marked calibrated with the elements and fit they used."""
    fit = {r["element"]: r["error_pct"] for r in est.fits[0].rows}
    val = {r["element"]: r["error_pct"] for r in est.fits[1].rows}
    sources = ";".join(dict.fromkeys(s for s in _target_sources() if s))
    rows = []
    for term in TERMS:
        lo, hi = est.bounds[term]
        target = TARGET_OF[term]
        rows.append(dict(
            key=term, value_usd_per_t=round(est.constants.values[term], 3),
            lower_usd_per_t=round(lo, 3), upper_usd_per_t=round(hi, 3), status="calibrated",
            estimated_on=f"{ESTIMATION_YEAR}: {target}", elements=target,
            year=ESTIMATION_YEAR, source_ids=f"{CALIBRATION_SOURCE};{sources}",
            note=(f"fit {ESTIMATION_YEAR} {fit[target]:+.1f}%, validation {VALIDATION_YEAR} "
                  f"{val[target]:+.1f}%" + ("; at its bound" if est.at_bound[term] else "")),
            assumption=ASSUMPTIONS[term],
        ))  # fmt: skip
    pd.DataFrame(rows, columns=list(CONSTANT_COLUMNS)).to_csv(path, index=False)
    return path


ASSUMPTIONS = {
    KHORGOS: "stands for what the cost model lacks at Khorgos vs Dostyk (dry port and free zone, "
    "haul to Almaty and Central Asia, assumed regional weights); bounds: ± a third of the ERAI "
    "mean China–Europe rate per tonne",
    CASPIAN: "stands for the Caspian leg's real cost (modelled only by the Poti–Mersin container "
    "proxy, applied to bulk too), contract and state-programme bulk on the TITR and avoidance "
    "of Russian transit; bounds: ± the modelled leg charges (two ports + ferry)",
}


def _target_sources() -> list[str]:
    out: list[str] = []
    for pub in published_calibration(ESTIMATION_YEAR):
        if pub["element"] in TARGET_OF.values():
            out.extend(pub["source"].split(";"))
    return out
