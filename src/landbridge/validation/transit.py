"""Published end-to-end transit times against the model: the calibration set and its metrics.

Each case of ``data/validation/calibration-transit.csv`` is a published figure (one value or a
low-high range, with its year, scope and source). The model's answer for a case is the fastest
option of the case's corridor (among those whose label holds ``option`` when the source names
the route, and through ``via`` when the source names or measures the line), priced with
the dated parameters of 1 July of the case's year. Paths are searched on the nearest date the
dated tables allow (they start in 2021); before that the undated facility rows apply.

- error = model p50 / published midpoint - 1 (the p10 for a record, the fastest of many trips:
  a median trip is slower than the record); MAE = mean |error|, bias = mean error;
- inside = the published value or range lies inside the model's [p10, p90].
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import numpy as np

from landbridge.costs import dated
from landbridge.costs.params import Params, load_default_params
from landbridge.costs.time import TimeParts, transit_p10_p50_p90_h
from landbridge.errors import ParameterError
from landbridge.network.model import Network
from landbridge.units import HOURS_PER_DAY
from landbridge.validation.cases import Case, load_cases

FEU = 1.0
TONNES = 20.0


@dataclass(frozen=True)
class CasePath:
    """The model's option for a case: its path and the parts it was priced with."""

    case: Case
    label: str
    corridor: str
    edges: np.ndarray
    parts: TimeParts


@dataclass(frozen=True)
class CaseResult:
    case: Case
    label: str
    p10_days: float
    p50_days: float
    p90_days: float

    @property
    def model_days(self) -> float:
        """The model figure the published one is compared with (p10 for a record, else p50)."""
        return (self.p10_days, self.p50_days, self.p90_days)[self.case.quantile]

    @property
    def error(self) -> float:
        return self.model_days / self.case.mid_days - 1.0

    @property
    def inside(self) -> bool:
        return self.p10_days <= self.case.low_days and self.case.high_days <= self.p90_days


def search_date(case: Case) -> dt.date:
    """The departure date the path search may use: the case's, within the dated tables."""
    first = dated.earliest_dated()
    return max(case.date, dt.date(first.year, 1, 1))


def case_path(case: Case, net: Network, params: Params) -> CasePath:
    """The fastest option of the case's corridor, priced on the case's own date."""
    from landbridge.routing.evaluate import Shipment, evaluate_path
    from landbridge.routing.plan import edge_costs, plan_routes_with_paths
    from landbridge.schema.route import RouteRequest

    request = RouteRequest(
        origin=case.origin, destination=case.destination, corridor=case.corridor,
        via=case.via, depart=search_date(case), feu=FEU,
    )  # fmt: skip
    response, paths = plan_routes_with_paths(request, net, params)
    named = [i for i, o in enumerate(response.options) if (case.option or "") in o.label]
    if not named:
        raise ParameterError(f"case {case.case}: no option's label holds '{case.option}'")
    best = min(named, key=lambda i: response.options[i].transit_days.p50)
    option = response.options[best]
    costs = edge_costs(net, params, case.date)
    evaluated = evaluate_path(
        net, costs, paths[best], Shipment(FEU, TONNES), option.corridor, option.label
    )
    assert evaluated.parts is not None
    return CasePath(case, option.label, option.corridor, paths[best], evaluated.parts)


def result(path: CasePath, parts: TimeParts | None = None) -> CaseResult:
    p10, p50, p90 = transit_p10_p50_p90_h(parts if parts is not None else path.parts)
    return CaseResult(
        path.case, path.label, p10 / HOURS_PER_DAY, p50 / HOURS_PER_DAY, p90 / HOURS_PER_DAY
    )


def case_paths(
    params: Params | None = None, net: Network | None = None, cases: tuple[Case, ...] = ()
) -> list[CasePath]:
    from landbridge.routing.plan import load_bundled_network

    net = net if net is not None else load_bundled_network()
    params = params if params is not None else load_default_params()
    return [case_path(c, net, params) for c in (cases or load_cases())]


@dataclass(frozen=True)
class Metrics:
    mae: float
    bias: float
    inside_share: float
    n: int


def metrics(results: list[CaseResult]) -> Metrics:
    errors = np.array([r.error for r in results])
    return Metrics(
        mae=float(np.mean(np.abs(errors))),
        bias=float(np.mean(errors)),
        inside_share=float(np.mean([r.inside for r in results])),
        n=len(results),
    )
