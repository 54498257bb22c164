"""The transit-time validation as plain data (``landbridge validate --json``)."""

from __future__ import annotations

from typing import Any

import numpy as np

from landbridge.costs import transit
from landbridge.costs.params import Params, load_default_params
from landbridge.validation.calibrate import fit, leave_one_out, problem
from landbridge.validation.cases import EVIDENCE
from landbridge.validation.transit import case_paths, metrics, result


def transit_report(params: Params | None = None) -> dict[str, Any]:
    params = params if params is not None else load_default_params()
    paths = case_paths(params)
    results = [result(p) for p in paths]
    summary = metrics(results)
    by_evidence = {
        kind: metrics(chosen)
        for kind in EVIDENCE
        if (chosen := [r for r in results if r.case.evidence == kind])
    }
    prob = problem(params, paths)
    loo = leave_one_out(prob, fit(prob))
    frame = params.tables[transit.TABLE]
    return {
        "cases": [
            {
                "case": r.case.case, "origin": r.case.origin, "destination": r.case.destination,
                "corridor": r.case.corridor, "option": r.label, "year": r.case.year,
                "scope": r.case.scope, "evidence": r.case.evidence,
                "published_low_days": r.case.low_days, "published_high_days": r.case.high_days,
                "p10_days": round(r.p10_days, 2),
                "p50_days": round(r.p50_days, 2), "p90_days": round(r.p90_days, 2),
                "compared_with": ("p10", "p50", "p90")[r.case.quantile],
                "error": round(r.error, 4), "inside": r.inside,
                "loo_error": round(float(e), 4), "quote": r.case.quote,
                "source_ids": list(r.case.source_ids),
            }
            for r, e in zip(results, loo, strict=True)
        ],  # fmt: skip
        "summary": {
            "n": summary.n,
            "mae": round(summary.mae, 4),
            "bias": round(summary.bias, 4),
            "loo_mae": round(float(np.mean(np.abs(loo))), 4),
            "inside_share": round(summary.inside_share, 4),
            "by_evidence": {
                kind: {"n": m.n, "mae": round(m.mae, 4), "bias": round(m.bias, 4),
                       "inside_share": round(m.inside_share, 4)}
                for kind, m in by_evidence.items()
            },  # fmt: skip
        },
        "parameters": [
            {
                "key": key, "value": frame.number(key, "value"),
                "lower": frame.number(key, "lower"), "upper": frame.number(key, "upper"),
                "unit": frame.text(key, "unit"), "status": frame.text(key, "status"),
                "cases": frame.text(key, "cases"), "source_ids": frame.text(key, "source_ids"),
            }
            for key in frame.keys
        ],  # fmt: skip
    }
