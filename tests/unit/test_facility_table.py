"""The typed facility table (issue 16): every column in the schema, checked once, read-only, and
the same rows as a DataFrame (``to_frame``) as before; the parameter tables read with the csv
module hold the numbers pandas reads."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from landbridge.costs.params import PARAMS_DIR, TABLES, load_default_params
from landbridge.errors import NetworkDataError, ParameterError
from landbridge.network import load_network
from landbridge.network.facilities import UNKNOWN, FacilityTable
from landbridge.schema.facility import FACILITY_SCHEMA, QUOTA_PREFIX, facility_column


def toy() -> pd.DataFrame:
    return pd.DataFrame({
        "facility_id": ["a", "b"], "kind": ["crossing", "port"], "countries": ["KZ-CN", None],
        "dwell_p50_h": [2.0, np.nan], "closed": [True, False],
        "rail_served": pd.array([pd.NA, True], dtype="boolean"),
    })  # fmt: skip


def test_columns_take_their_schema_types() -> None:
    table = FacilityTable.from_frame(toy())
    assert table["facility_id"].dtype == object and table["countries"].tolist() == ["KZ-CN", ""]
    assert table["dwell_p50_h"].dtype == np.float64 and math.isnan(table["dwell_p50_h"][1])
    assert table["closed"].dtype == bool and table["closed"].tolist() == [True, False]
    assert table["rail_served"].tolist() == [UNKNOWN, 1]
    assert table.record(0)["rail_served"] is None and table.record(1)["rail_served"] is True
    assert table.row_of("b") == 1 and table.number(0, "dwell_p50_h") == 2.0


def test_the_frame_round_trip_keeps_rows_columns_and_types() -> None:
    table = FacilityTable.from_frame(toy())
    frame = table.to_frame()
    assert list(frame.columns) == list(toy().columns)
    assert frame["rail_served"].dtype == "boolean" and frame["closed"].dtype == bool
    assert FacilityTable.from_frame(frame).equals(table)


@pytest.mark.parametrize(
    ("column", "values", "message"),
    [
        ("capacity_of_everything", [1.0, 2.0], "not in the facility schema"),
        ("dwell_p50_h", ["2 h", 1.0], "holds numbers, got '2 h'"),
        ("closed", ["true", False], "holds yes/no flags, got 'true'"),  # no coercion of text
        ("name", [3, "x"], "holds text, got 3"),
    ],
)
def test_a_column_outside_the_schema_or_of_another_type_is_refused(
    column: str, values: list, message: str
) -> None:
    frame = toy().assign(**{column: values})
    with pytest.raises(NetworkDataError, match=message):
        FacilityTable.from_frame(frame)


def test_columns_are_read_only_and_to_frame_is_a_copy() -> None:
    table = FacilityTable.from_frame(toy())
    with pytest.raises(ValueError, match="read-only"):
        table["dwell_p50_h"][0] = 9.0
    frame = table.to_frame()
    frame.loc[0, "dwell_p50_h"] = 9.0
    assert table.number(0, "dwell_p50_h") == 2.0


def test_the_bundled_network_has_every_schema_column_typed() -> None:
    table = load_network().facilities
    assert table.columns == tuple(c.name for c in FACILITY_SCHEMA)
    stored = {"text": object, "number": np.float64, "flag": bool, "optional_flag": np.int8}
    for spec in FACILITY_SCHEMA:
        assert table[spec.name].dtype == stored[spec.type], spec.name
    assert facility_column(QUOTA_PREFIX + "CN") is not None  # scenario quota columns
    assert facility_column(QUOTA_PREFIX + "CHINA") is None


@pytest.mark.parametrize("name", list(TABLES))
def test_parameter_tables_hold_the_numbers_pandas_reads(name: str) -> None:
    spec = TABLES[name]
    frame = pd.read_csv(PARAMS_DIR / f"{name}.csv", dtype={spec.key: str},
                        keep_default_na=False, na_values={c: [""] for c in spec.values})
    table = load_default_params().tables[name]
    assert list(table.keys) == frame[spec.key].tolist()
    for col in spec.values:
        ours, theirs = table.column(col), frame[col].to_numpy(dtype=float)
        assert np.array_equal(ours, theirs, equal_nan=True), col  # bit for bit
    for col in ("source_ids", "assumption"):
        assert list(table.texts[col]) == frame[col].astype(str).tolist()


def test_a_value_cell_that_is_not_a_number_is_refused(tmp_path) -> None:
    from landbridge.costs.param_table import read_param_table

    path = tmp_path / "scalars.csv"
    path.write_text("key,value,year,source_ids,note,assumption\nx,1.5 t,2024,s,,\n")
    with pytest.raises(ParameterError, match="scalars.csv: column value: '1.5 t' is not a number"):
        read_param_table(path, "key", ("value",), ("year",))
