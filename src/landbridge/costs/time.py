"""Transit time from its parts, and p10/p50/p90 of the total (docs/validation.md, "Transit times").

Scope: the days run from the train's departure at the origin terminal to its arrival at the
destination terminal (``SCOPE``); pre- and on-carriage are not in them.

Parts of a trip:
- rail running per country: lognormal, median ``length / speed_p50``, 90th percentile
  ``length / speed_p90`` (all legs in one country share one draw: a slow network is slow
  everywhere on it);
- dwell at a crossing, gauge-change yard or port: lognormal from the facility's p50/p90;
- ferry/feeder/ocean waiting: ships without timetables sail when full, so a box arriving at
  random waits a uniform share of the interval between sailings: ``U(0, headway)``;
- sailing: ``length / speed``, deterministic;
- weather closure of a ferry line (winter months): the box's vessel is held for a closure of
  mean length ``closure_h`` with probability ``closure_share`` (Bernoulli), so the expected
  added wait is ``closure_share × closure_h``.

The parts of one option share one corridor state (congestion, season): each part's standard
normal draw is ``sqrt(rho) z_corridor + sqrt(1 - rho) z_own`` (waits through their normal
score), so every part keeps its own distribution while slow parts come together; with rho = 0
they are independent, with rho = 1 the p90 of the sum is the sum of the p90s. The delay
factors, dwells and wait scales that set the parts, and rho, are the declared parameters of
``costs.transit``. The total's p10/p50/p90 come from a seeded Monte Carlo of ``DRAWS`` joint
draws (deterministic). The shared draws depend on the seed, the count and rho only: they are
kept in the cache folder (``landbridge.mapped_store``), so a fresh process maps them and never
imports ``scipy.special`` (~40 ms of a cold ``landbridge route``).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache

import numpy as np

from landbridge import mapped_store
from landbridge.distributions import lognormal_sigma
from landbridge.paths import code_and_tables_signature

DRAWS = 4000  # Monte Carlo draws per option: p90 standard error below 1% of the spread
SEED = 14083  # fixed seed so every run of the same request gives the same p50/p90
SCOPE = "terminal to terminal"  # what an option's days cover
QUANTILES = (0.1, 0.5, 0.9)


def running_h(length_km: np.ndarray | float, speed_kmh: np.ndarray | float) -> np.ndarray:
    """Running time in hours of ``length_km`` at ``speed_kmh`` (array form)."""
    return np.asarray(length_km, dtype=float) / np.asarray(speed_kmh, dtype=float)


def sailing_h(length_km: np.ndarray | float, speed_kmh: np.ndarray | float) -> np.ndarray:
    """Sailing time in hours (deterministic)."""
    return running_h(length_km, speed_kmh)


def mean_wait_h(headway_h: np.ndarray | float) -> np.ndarray:
    """Mean wait for a sail-when-full service: half the mean interval between sailings."""
    return np.asarray(headway_h, dtype=float) / 2.0


@dataclass(frozen=True)
class TimeParts:
    """The random and fixed parts of one trip, in hours."""

    lognormal_p50_h: np.ndarray  # [k] medians (rail running per country, dwell per facility)
    lognormal_p90_h: np.ndarray  # [k] 90th percentiles
    headway_h: np.ndarray  # [j] intervals between sailings (uniform waits)
    fixed_h: float  # sailing time
    closure_share: np.ndarray = field(default_factory=lambda: np.zeros(0))  # [c] P(held)
    closure_h: np.ndarray = field(default_factory=lambda: np.zeros(0))  # [c] hold length
    # [k] / [j] index of the costs.transit parameter that set each part (-1: none); only the
    # calibration reads them, to re-price a path at other parameter values
    lognormal_role: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.int64))
    headway_role: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.int64))
    corridor_rho: float = 0.0  # share of each part's log-variance from the corridor state


_BLOCK_ROWS = 32  # rows of standard draws generated per seeded block
SHARED_DRAWS_KEPT = 16  # files of shared draws kept in the cache folder (~1 MB per block)
_KIND_CODE = {"normal": 0, "uniform": 1, "closure": 2, "corridor": 3}  # a stream per kind


@lru_cache(maxsize=64)
def _block(seed: int, draws: int, kind: str, index: int) -> np.ndarray:
    """Block ``index`` of standard draws (normal or uniform), each row one random part.

    Row r of a block depends only on (seed, draws, kind, block index), never on which options
    were priced before: every part i of every option uses the same stream (common random
    numbers, so differences between options are not Monte Carlo noise).
    """
    rng = np.random.default_rng([seed, draws, _KIND_CODE[kind], index])
    block = (
        rng.standard_normal((_BLOCK_ROWS, draws))
        if kind in ("normal", "corridor")
        else rng.random((_BLOCK_ROWS, draws))
    )
    block.setflags(write=False)
    return block


def _rows(seed: int, draws: int, kind: str, n: int) -> np.ndarray:
    blocks = [_block(seed, draws, kind, b) for b in range(-(-n // _BLOCK_ROWS))]
    return np.concatenate(blocks)[:n] if len(blocks) > 1 else blocks[0][:n]


def _shared_rows(seed: int, draws: int, kind: str, n: int, rho: float) -> np.ndarray:
    """The first ``n`` rows of standard draws of ``kind`` (normal or uniform), each moved by
    the corridor state: ``sqrt(rho) z_corridor + sqrt(1 - rho) z_own`` (uniforms through their
    normal score). Elementwise, so the rows of a longer block are the same numbers."""
    if rho <= 0:
        return _rows(seed, draws, kind, n)
    return _shared_block(seed, draws, kind, -(-n // _BLOCK_ROWS), rho)[:n]


@lru_cache(maxsize=64)
def _shared_block(seed: int, draws: int, kind: str, blocks: int, rho: float) -> np.ndarray:
    # the draws of numpy's generators may change between numpy versions; the code is in the key
    key = repr((seed, draws, kind, blocks, rho, np.__version__, code_and_tables_signature()))
    out = mapped_store.load(key, "shared-draws")
    if not (
        isinstance(out, np.ndarray)
        and out.dtype == np.float64
        and out.shape == (blocks * _BLOCK_ROWS, draws)
    ):
        common = _rows(seed, draws, "corridor", 1)[0]
        own = _rows(seed, draws, kind, blocks * _BLOCK_ROWS)
        if kind == "uniform":
            from scipy.special import ndtr, ndtri

            out = ndtr(np.sqrt(rho) * common + np.sqrt(1.0 - rho) * ndtri(own))
        else:
            out = np.sqrt(rho) * common + np.sqrt(1.0 - rho) * own
        mapped_store.save(key, out, "shared-draws", SHARED_DRAWS_KEPT)
    out.setflags(write=False)
    return out


@lru_cache(maxsize=512)  # 32 kB each
def _lognormal_row(seed: int, draws: int, row: int, sigma: float, rho: float) -> np.ndarray:
    """``exp(sigma z)`` of row ``row`` of the shared normal draws: the lognormal factors of the
    part at that position (remembered: parts of one kind share a spread, e.g. the running
    parts of one country, so their rows recur across options)."""
    out = np.exp(sigma * _shared_rows(seed, draws, "normal", row + 1, rho)[row])
    out.setflags(write=False)
    return out


_QUANTILES: dict[tuple, tuple[float, float, float]] = {}
_QUANTILES_LIMIT = 4096


def transit_quantiles_h(
    parts: TimeParts, draws: int = DRAWS, seed: int = SEED
) -> tuple[float, float]:
    """p50 and p90 of the total trip time in hours (see ``transit_p10_p50_p90_h``)."""
    _, p50, p90 = transit_p10_p50_p90_h(parts, draws, seed)
    return p50, p90


def transit_p10_p50_p90_h(
    parts: TimeParts, draws: int = DRAWS, seed: int = SEED
) -> tuple[float, float, float]:
    """p10, p50 and p90 of the total trip time in hours (seeded Monte Carlo, deterministic).

    Remembered per parts: the same path on the same date (any shipment size) draws once."""
    arrays = (parts.lognormal_p50_h, parts.lognormal_p90_h, parts.headway_h,
              parts.closure_share, parts.closure_h)  # fmt: skip
    key = (
        *(np.asarray(a, dtype=float).tobytes() for a in arrays),
        float(parts.fixed_h),
        float(parts.corridor_rho),
        draws,
        seed,
    )
    hit = _QUANTILES.get(key)
    if hit is None:
        if len(_QUANTILES) >= _QUANTILES_LIMIT:
            _QUANTILES.clear()
        hit = _QUANTILES[key] = _simulated_quantiles_h(parts, draws, seed)
    return hit


def _simulated_quantiles_h(
    parts: TimeParts, draws: int, seed: int
) -> tuple[float, float, float]:
    k = parts.lognormal_p50_h.shape[0]
    j = parts.headway_h.shape[0]
    rho = float(parts.corridor_rho)
    total = np.full(draws, parts.fixed_h)
    if k:
        sigma = lognormal_sigma(parts.lognormal_p50_h, parts.lognormal_p90_h)
        factors = [_lognormal_row(seed, draws, i, s, rho) for i, s in enumerate(sigma.tolist())]
        total += parts.lognormal_p50_h @ np.stack(factors)
    if j:
        total += parts.headway_h @ _shared_rows(seed, draws, "uniform", j, rho)
    c = parts.closure_share.shape[0]
    if c:
        held = _rows(seed, draws, "closure", c) < parts.closure_share[:, None]
        total += parts.closure_h @ held
    p10, p50, p90 = _linear_quantiles(total)
    return float(p10), float(p50), float(p90)


def _linear_quantiles(total: np.ndarray) -> np.ndarray:
    """``np.quantile(total, QUANTILES)`` (its default 'linear' method, the same numbers) by
    one partition at the order statistics it interpolates between, without its general
    set-up (a third of an option's Monte Carlo time)."""
    if np.isnan(total).any():
        return np.quantile(total, QUANTILES)
    below, above, gamma = _quantile_positions(total.shape[0])
    ordered = np.partition(total, np.unique(np.concatenate([below, above])))
    a, b = ordered[below], ordered[above]
    diff = b - a
    out = a + diff * gamma
    np.subtract(b, diff * (1 - gamma), out=out, where=gamma >= 0.5)
    return out


@lru_cache(maxsize=8)
def _quantile_positions(n: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Order statistics below and above each of ``QUANTILES`` of ``n`` values and the weight of
    the one above, as numpy's 'linear' method takes them."""
    virtual = (n - 1) * np.asarray(QUANTILES)
    below = np.floor(virtual)
    above = below + 1
    top = virtual >= n - 1
    below[top] = above[top] = -1
    below_i, above_i = below.astype(np.intp), above.astype(np.intp)
    return below_i, above_i, virtual - below_i
