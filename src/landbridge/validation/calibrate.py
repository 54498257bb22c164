"""Estimate the declared transit-time parameters on the published cases.

Estimator: penalised robust regression on log days (a maximum a posteriori fit whose priors
are the component sources, with Huber's loss for the cases),

    sum_i rho(ln q_i(theta) - ln published_i) + sum_k rho(SIGMA_DATA (ln theta_k - ln m_k) / s_k)

where rho is Huber's loss with scale SIGMA_DATA: squared for a log error up to SIGMA_DATA,
linear beyond (scipy ``least_squares(loss="huber", f_scale=SIGMA_DATA)``). A published figure
is one train, one schedule or one announcement; a few contradict the rest by 30-50% (a record
run, an inaugural train, a regular service held at the border), and under squared loss one
such case sets a parameter for all the others. Huber's loss bounds that pull and sits closer to
the absolute errors the fit is judged by (MAE); inside SIGMA_DATA it is least squares.

over the parameters of ``transit_time.csv`` with kind running, dwell or wait, each kept inside
its sourced bounds [l_k, u_k] (scipy ``least_squares``, trust-region reflective). q_i is the
case's p50, or its p10 when the published figure is a record (``Case.quantile``); the published
value is a case's midpoint; the prior of a parameter is lognormal with median
m_k = sqrt(l_k u_k) and s_k = ln(u_k / l_k) / 4 (the sourced range is +-2 standard deviations);
SIGMA_DATA is the log-error expected of one published figure. Without the prior the estimates
trade off against each other (a slower EU network or a longer EU-entry dwell) and move with
every path change. The paths are those the planner picks with the stored parameters; during the
fit each case's time parts are re-priced at the trial values (``costs.transit.reparametrised``,
exact because the reference parts have every dwell at its lower bound). The corridor-state
correlation is not estimated: the p50s do not identify it.

Leave-one-out: each case is predicted by a fit on the others.

``python -m landbridge.validation.calibrate`` fits, writes the values into
``data/params/transit_time.csv`` (status ``calibrated``, ``cases`` = the case ids used) and
prints the fit; run it again until the paths no longer change.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy.optimize import least_squares

from landbridge.costs import transit
from landbridge.costs.params import PARAMS_DIR, Params, load_default_params
from landbridge.costs.time import TimeParts, transit_p10_p50_p90_h
from landbridge.units import HOURS_PER_DAY
from landbridge.validation.transit import FEU, TONNES, CasePath, case_paths

FITTED_KINDS = ("running", "dwell", "wait")
SIGMA_DATA = 0.1  # log-error of one published end-to-end figure (rounded days, one train)
TABLE_CSV = PARAMS_DIR / f"{transit.TABLE}.csv"


@dataclass(frozen=True)
class Problem:
    """The fit's fixed inputs: reference parts per case and the published midpoints."""

    ref: transit.TransitTime
    parts: tuple[TimeParts, ...]
    log_published: np.ndarray
    quantile: np.ndarray  # per case, index into (p10, p50, p90) compared with the published
    fitted: np.ndarray  # indices of the estimated rows of ``transit_time``

    def values(self, x: np.ndarray) -> np.ndarray:
        value = self.ref.value.copy()
        value[self.fitted] = x
        return value

    def model_days(self, x: np.ndarray, cases: np.ndarray | None = None) -> np.ndarray:
        """Each case's model figure (p50, or p10 for a record) at parameter values ``x``."""
        value = self.values(x)
        rows = range(len(self.parts)) if cases is None else cases
        return np.array(
            [
                transit_p10_p50_p90_h(transit.reparametrised(self.parts[i], self.ref, value))[
                    int(self.quantile[i])
                ]
                / HOURS_PER_DAY
                for i in rows
            ]
        )

    def residuals(self, x: np.ndarray, cases: np.ndarray) -> np.ndarray:
        lower, upper = self.ref.lower[self.fitted], self.ref.upper[self.fitted]
        prior = SIGMA_DATA * np.log(x / np.sqrt(lower * upper)) / (np.log(upper / lower) / 4)
        misfit = np.log(self.model_days(x, cases)) - self.log_published[cases]
        return np.concatenate([misfit, prior])


def reference_params(params: Params) -> Params:
    """``params`` with every dwell parameter at its lower bound (exact re-pricing)."""
    tt = transit.transit_time(params)
    return transit.with_values(
        params, {k: tt.lower[i] for i, k in enumerate(tt.keys) if tt.kind[i] == "dwell"}
    )


def problem(params: Params | None = None, paths: list[CasePath] | None = None) -> Problem:
    """The fit on the planner's paths for ``params``, priced at the reference values."""
    from landbridge.routing.evaluate import Shipment, evaluate_path
    from landbridge.routing.plan import edge_costs, load_bundled_network

    params = params if params is not None else load_default_params()
    found = paths if paths is not None else case_paths(params)
    net = load_bundled_network()
    ref_params = reference_params(params)
    parts = []
    for p in found:
        costs = edge_costs(net, ref_params, p.case.date)
        ev = evaluate_path(net, costs, p.edges, Shipment(FEU, TONNES), p.corridor, p.label)
        assert ev.parts is not None
        parts.append(ev.parts)
    tt = transit.transit_time(ref_params)
    return Problem(
        ref=tt,
        parts=tuple(parts),
        log_published=np.log([p.case.mid_days for p in found]),
        quantile=np.array([p.case.quantile for p in found], dtype=np.int64),
        fitted=np.array([i for i, k in enumerate(tt.kind) if k in FITTED_KINDS]),
    )


def fit(prob: Problem, cases: np.ndarray | None = None, x0: np.ndarray | None = None) -> np.ndarray:
    """Estimated values of the fitted rows on ``cases`` (all cases by default)."""
    rows = np.arange(len(prob.parts)) if cases is None else cases
    lower, upper = prob.ref.lower[prob.fitted], prob.ref.upper[prob.fitted]
    start = np.clip(prob.ref.value[prob.fitted] if x0 is None else x0, lower, upper)
    solution = least_squares(
        prob.residuals, start, bounds=(lower, upper), args=(rows,),
        # scipy-stubs type diff_step as an array only; scipy takes one relative step for all
        diff_step=1e-2,  # type: ignore[arg-type]
        x_scale=np.maximum(upper - lower, 1e-9),
        loss="huber", f_scale=SIGMA_DATA,
    )  # fmt: skip
    return solution.x


def leave_one_out(prob: Problem, x_all: np.ndarray) -> np.ndarray:
    """Error of each case's model figure when it is predicted by a fit on the other cases."""
    n = len(prob.parts)
    errors = np.empty(n)
    for i in range(n):
        others = np.array([j for j in range(n) if j != i])
        x = fit(prob, others, x_all)
        errors[i] = prob.model_days(x, np.array([i]))[0] / np.exp(prob.log_published[i]) - 1.0
    return errors


def write_table(prob: Problem, x: np.ndarray, case_ids: list[str]) -> None:
    """Store the estimates in ``transit_time.csv`` (status ``calibrated``, cases used)."""
    frame = pd.read_csv(TABLE_CSV, dtype=str, keep_default_na=False)
    for i, value in zip(prob.fitted.tolist(), x.tolist(), strict=True):
        row = frame.index[frame["key"] == prob.ref.keys[i]][0]
        frame.at[row, "value"] = f"{value:.4g}"
        frame.at[row, "status"] = "calibrated"
        frame.at[row, "cases"] = ";".join(case_ids)
    frame.to_csv(TABLE_CSV, index=False)


def main() -> None:
    paths = case_paths()
    prob = problem(paths=paths)
    x = fit(prob)
    before = prob.model_days(prob.ref.value[prob.fitted]) / np.exp(prob.log_published) - 1
    after = prob.model_days(x) / np.exp(prob.log_published) - 1
    for i, value in zip(prob.fitted.tolist(), x.tolist(), strict=True):
        lo, hi = prob.ref.lower[i], prob.ref.upper[i]
        print(f"{prob.ref.keys[i]:<24} {value:8.4g}  [{lo:g}, {hi:g}]")
    print(f"MAE {np.mean(np.abs(before)):.1%} -> {np.mean(np.abs(after)):.1%}; "
          f"bias {np.mean(before):+.1%} -> {np.mean(after):+.1%}")  # fmt: skip
    write_table(prob, x, [p.case.case for p in paths])


if __name__ == "__main__":
    main()
