"""Fast engine and SimPy reference agree statistically on the bundled 2023 corridor.

Independent seeds for the two engines (they share no draws here), 90-day replications. For every
corridor, the difference of the engines' replication means of (a) mean transit time and (b) the
90th percentile must lie inside its Welch confidence interval. Six comparisons are made, so each
interval is at the Bonferroni level 1 - 0.05/6 (a family-wise 95%).
"""

from __future__ import annotations

import numpy as np
import pytest
from scipy.special import stdtrit

from landbridge.sim import analysis, engine, reference
from landbridge.sim.corridor2023 import build_corridor_2023
from landbridge.sim.draws import HOURS_PER_DAY, draw

DAYS = 90
FAMILY_ALPHA = 0.05


def _per_replication(simulate, system, seeds) -> dict[str, tuple[np.ndarray, np.ndarray]]:
    means: dict[str, list[float]] = {c: [] for c in system.corridors}
    p90s: dict[str, list[float]] = {c: [] for c in system.corridors}
    for seed in seeds:
        d = draw(system, DAYS, seed)
        s = analysis.summarise(simulate(system, d), system, d.horizon_h)
        for corridor in system.corridors:
            ks = [k for k, c in enumerate(system.class_corridor) if c == corridor]
            days = s.transit_h[np.isin(s.train_class, ks)] / HOURS_PER_DAY
            means[corridor].append(days.mean())
            p90s[corridor].append(np.percentile(days, 90))
    return {c: (np.array(means[c]), np.array(p90s[c])) for c in system.corridors}


def _welch_contains_zero(a: np.ndarray, b: np.ndarray, level: float) -> tuple[bool, float, float]:
    va, vb = a.var(ddof=1) / a.size, b.var(ddof=1) / b.size
    dof = (va + vb) ** 2 / (va**2 / (a.size - 1) + vb**2 / (b.size - 1))
    half = stdtrit(dof, 0.5 + level / 2) * np.sqrt(va + vb)
    diff = a.mean() - b.mean()
    return abs(diff) <= half, diff, half


@pytest.mark.slow
def test_fast_engine_and_simpy_agree_on_the_2023_corridor() -> None:
    system = build_corridor_2023()
    fast = _per_replication(engine.simulate, system, np.random.SeedSequence(101).spawn(30))
    ref = _per_replication(reference.simulate, system, np.random.SeedSequence(202).spawn(8))
    level = 1 - FAMILY_ALPHA / (2 * len(system.corridors))
    for corridor in system.corridors:
        for stat, i in (("mean", 0), ("p90", 1)):
            ok, diff, half = _welch_contains_zero(fast[corridor][i], ref[corridor][i], level)
            assert ok, f"{corridor} {stat}: fast - simpy = {diff:.3f} d, CI half-width {half:.3f} d"
            # The interval is narrow enough to catch a real difference (under 5% of the value).
            assert half < 0.05 * fast[corridor][i].mean(), (corridor, stat, half)
