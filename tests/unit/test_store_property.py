"""Any result values (Unicode text, NaN, None, extreme floats) round-trip through the store."""

from __future__ import annotations

import math
import tempfile
from pathlib import Path

import pandas as pd
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

from landbridge.store.db import Store
from landbridge.store.run_record import RunRecord

# One store for all examples (each run has its own id); a new file per example is slow.
STORE = Store(Path(tempfile.mkdtemp(prefix="landbridge-store-prop-")) / "runs.duckdb")
TEXT = st.text(max_size=40)
FLOATS = st.floats(allow_nan=True, allow_infinity=True, width=64)
ROWS = st.lists(st.tuples(TEXT, FLOATS, st.one_of(st.none(), TEXT)), min_size=0, max_size=20)


def _same(a: object, b: object) -> bool:
    if isinstance(a, float) and isinstance(b, float):
        return (math.isnan(a) and math.isnan(b)) or a == b
    return a == b


# Each example opens a store on disk (~0.2 s): no shrinking phase, to keep the run bounded.
@settings(
    max_examples=15,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
    phases=[Phase.explicit, Phase.reuse, Phase.generate],
)
@given(ROWS, TEXT, st.dictionaries(TEXT, st.one_of(TEXT, st.integers(), st.booleans()), max_size=4))
def test_values_round_trip(
    rows: list[tuple[str, float, str | None]], name: str, params: dict
) -> None:
    frame = pd.DataFrame(rows, columns=["kpi", "value", "unit"])
    record = RunRecord(name, "h" * 64, f"name: {name!r}", 0, parameters=params)
    run_id = STORE.write_run(record, {"sim_kpis": frame})
    meta = STORE.get_run(run_id)
    assert meta["scenario_name"] == name
    assert meta["parameters"] == params
    back = STORE.read_results(run_id, "sim_kpis")
    assert len(back) == len(frame)
    key = lambda r: (r[0], str(r[1]), str(r[2]))  # noqa: E731
    want = sorted(frame.itertuples(index=False, name=None), key=key)
    got = sorted(back.itertuples(index=False, name=None), key=key)
    for (k1, v1, u1), (k2, v2, u2) in zip(want, got, strict=True):
        assert k1 == k2 and _same(v1, v2)
        assert u1 == u2 or (pd.isna(u1) and pd.isna(u2))
