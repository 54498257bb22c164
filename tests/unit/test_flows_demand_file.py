"""A user's OD table: the bundled tables read back unchanged, every bad cell named, and the
toy network's flows driven by the file."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from test_flows_corridor import toy_network
from typer.testing import CliRunner

import landbridge.network as network_pkg
from landbridge.cli import app
from landbridge.costs.params import load_default_params
from landbridge.errors import InvalidInputError
from landbridge.flows.demand import OD_COLUMNS, load_demand, load_regions
from landbridge.flows.demand_file import MAX_T_PER_YR, PLACE_MAPPING, read_demand_file

TONNES_PER_TEU = 10.0
HEADER = "origin,destination,t_per_yr"


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "od.csv"
    path.write_text(text, encoding="utf-8")
    return path


@pytest.mark.parametrize("year", [2023, 2024])
def test_bundled_table_read_as_a_user_file_is_unchanged(tmp_path: Path, year: int) -> None:
    bundled = load_demand(year)
    path = write(tmp_path, bundled.to_csv(index=False))
    got = read_demand_file(path, year, TONNES_PER_TEU)
    pd.testing.assert_frame_equal(
        got[list(OD_COLUMNS)], bundled[list(OD_COLUMNS)], check_dtype=False
    )


def test_defaults_for_the_optional_columns(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        "origin,destination,t_per_yr,cargo_class\n"
        "cn-xian,eu-duisburg,2000,container\n"
        "kz-karaganda,cn-xian,500,bulk\n",
    )
    got = read_demand_file(path, 2023, TONNES_PER_TEU)
    assert got.teu_per_yr.tolist() == [200.0, 0.0]
    assert got.segment.tolist() == ["user", "user"]
    assert got.year.tolist() == [2023, 2023]
    assert (got.origin_group + got.destination_group).tolist() == ["CNEU", "KZCN"]
    assert got.source_ids.tolist() == ["user-file", "user-file"]


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("origin,destination\ncn-xian,eu-duisburg\n", "header lacks t_per_yr"),
        (f"{HEADER}\ncn-xian,eu-duisbrg,1\n", "line 2, destination: unknown region 'eu-duisbrg'; "
         "did you mean eu-duisburg"),
        (f"{HEADER}\ncn-xian,cn-xian,1\n", "line 2, destination: same region as the origin"),
        (f"{HEADER}\ncn-xian,eu-duisburg,-1\n", "line 2, t_per_yr: '-1' must be a finite"),
        (f"{HEADER}\ncn-xian,eu-duisburg,inf\n", "line 2, t_per_yr: 'inf' must be a finite"),
        (f"{HEADER}\ncn-xian,eu-duisburg,many\n", "line 2, t_per_yr: 'many' is not a number"),
        (f"{HEADER}\ncn-xian,eu-duisburg,\n", "line 2, t_per_yr: '' is not a number"),
        (f"{HEADER}\ncn-xian,eu-duisburg,2e9\n", "line 2, t_per_yr: 2e+09 is beyond"),
        (f"{HEADER},cargo_class\ncn-xian,eu-duisburg,1,liquid\n", "'liquid' is not one of"),
        (f"{HEADER},ru_by_avoiding_share\ncn-xian,eu-duisburg,1,1.5\n", "1.5 is beyond the "
         "plausible 1"),
        (f"{HEADER}\ncn-xian,eu-duisburg,1,9\n", "line 2: more cells than header columns"),
        (f"{HEADER}\n", "no OD rows below the header"),
        (f'{HEADER}\n"cn-xian,eu-duisburg,1\n', "not valid CSV"),
        ("", "header lacks origin, destination, t_per_yr"),
    ],
)  # fmt: skip
def test_each_bad_cell_is_named(tmp_path: Path, text: str, message: str) -> None:
    with pytest.raises(InvalidInputError, match=message.replace("(", r"\(").replace("+", r"\+")):
        read_demand_file(write(tmp_path, text), 2024, TONNES_PER_TEU)


REGIONS = list(load_regions().index)
OPTIONAL = ["cargo_class", "teu_per_yr", "segment", "ru_by_avoiding_share", "source_ids", "year"]
GOOD_CELLS = {
    "origin": st.sampled_from(REGIONS),
    "destination": st.sampled_from(REGIONS),
    "t_per_yr": st.floats(0, 1e8).map(repr),
    "teu_per_yr": st.floats(0, 1e7).map(repr) | st.just(""),
    "cargo_class": st.sampled_from(["container", "bulk", ""]),
    "segment": st.sampled_from(["cn_eu_west", "user", "kz_titr", ""]),
    "ru_by_avoiding_share": st.floats(0, 1).map(repr) | st.just(""),
    "source_ids": st.sampled_from(["", "my-survey-2025"]),
    "year": st.sampled_from(["2024", "", "1999"]),
}
HOSTILE_CELLS = st.one_of(
    st.text(max_size=12),
    st.floats(allow_nan=True, allow_infinity=True).map(repr),
    st.sampled_from(["1e999", "-0", "-1", "0x10", "1_000", '"', ",", "\n", "cn-xian ", "CN-XIAN"]),
)
good_header = st.permutations(["origin", "destination", "t_per_yr"]).flatmap(
    lambda req: st.lists(st.sampled_from(OPTIONAL), unique=True, max_size=3).map(
        lambda opt: [*req, *opt]
    )
)
any_header = st.lists(st.sampled_from([*GOOD_CELLS, "x"]), min_size=1, max_size=7)


@st.composite
def demand_files(draw) -> str:
    """Mostly well-formed files with a few hostile cells, sometimes a hostile header."""
    header = draw(st.one_of(good_header, good_header, good_header, any_header))
    lines = [",".join(header)]
    for _ in range(draw(st.integers(0, 4))):
        row = [
            draw(HOSTILE_CELLS if draw(st.integers(0, 9)) == 0 else GOOD_CELLS.get(c, st.just("")))
            for c in header
        ]
        lines.append(",".join(row))
    return "\n".join(lines) + "\n"


@settings(max_examples=200, deadline=None, derandomize=True,
          suppress_health_check=[HealthCheck.function_scoped_fixture])  # fmt: skip
@given(text=demand_files())
def test_any_file_gives_rows_that_make_sense_or_a_named_error(tmp_path, text) -> None:
    path = write(tmp_path, text)
    try:
        got = read_demand_file(path, 2024, TONNES_PER_TEU)
    except InvalidInputError as exc:
        assert str(path) in str(exc)
        return
    assert len(got) == text.count("\n") - 1  # every row kept: none silently dropped
    assert got.origin.isin(REGIONS).all() and got.destination.isin(REGIONS).all()
    assert (got.origin != got.destination).all()
    values = got[["t_per_yr", "teu_per_yr"]].to_numpy(float)
    assert ((values >= 0) & (values <= MAX_T_PER_YR)).all()
    assert got.cargo_class.isin(["container", "bulk"]).all()
    assert (got.year == 2024).all()


def test_flows_command_runs_on_the_file(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setattr(network_pkg, "load_network", lambda *a, **k: toy_network())
    path = write(
        tmp_path,
        "origin,destination,t_per_yr,cargo_class\n"
        "cn-urumqi,kz-almaty,10000000,container\n"
        "cn-urumqi,ca-tashkent,2000000,container\n",
    )
    out = CliRunner().invoke(app, ["flows", "--demand", str(path), "--json"])
    assert out.exit_code == 0, out.output
    data = json.loads(out.stdout)
    assert data["demand_t"] == pytest.approx(12e6)
    assert any(str(path) in note for note in data["notes"])
    bad = write(tmp_path, f"{HEADER}\ncn-urumqi,kz-almaty,lots\n")
    out = CliRunner().invoke(app, ["flows", "--demand", str(bad)])
    assert out.exit_code == 2
    assert "line 2, t_per_yr: 'lots' is not a number" in out.output


def test_flows_of_a_scenario_whose_demand_is_a_file(tmp_path: Path, monkeypatch) -> None:
    """A CSV ``base.demand`` drives ``flows --scenario`` as it drives a scenario run."""
    monkeypatch.setattr(network_pkg, "load_network", lambda *a, **k: toy_network())
    path = write(tmp_path, f"{HEADER}\ncn-urumqi,kz-almaty,3000000\n")
    spec = tmp_path / "own-demand.yaml"
    spec.write_text(f"name: own-demand\nbase: {{year: 2023, demand: '{path}'}}\n", encoding="utf-8")
    out = CliRunner().invoke(app, ["flows", "--scenario", str(spec), "--json"])
    assert out.exit_code == 0, out.output
    data = json.loads(out.stdout)
    assert data["year"] == 2023 and data["demand_t"] == pytest.approx(3e6)


@pytest.mark.slow
def test_bundled_table_as_a_file_gives_the_default_flows(tmp_path: Path) -> None:
    from landbridge.flows.run import run_flows

    path = write(tmp_path, load_demand(2024).to_csv(index=False))
    default = run_flows(2024).model_dump(mode="json")
    from_file = run_flows(2024, demand=read_demand_file(path, 2024, TONNES_PER_TEU))
    assert from_file.model_dump(mode="json") == default


def test_places_by_name_snap_to_regions_and_the_mapping_is_kept(tmp_path: Path) -> None:
    path = write(tmp_path, f"{HEADER}\nXi'an,Hamburg,1000\nLanzhou,Almaty,500\n")
    od = read_demand_file(path, 2024, TONNES_PER_TEU)
    assert od[["origin", "destination"]].values.tolist() == [
        ["cn-xian", "eu-duisburg"], ["cn-xian", "kz-almaty"],
    ]  # fmt: skip
    mapping = od.attrs[PLACE_MAPPING]
    assert len(mapping) == 4
    assert any(m.startswith("'Hamburg' = Hamburg (DE) -> region eu-duisburg") for m in mapping)


def test_user_demand_calibration_is_marked_not_comparable(tmp_path: Path) -> None:
    from landbridge.flows.run import run_flows

    od = read_demand_file(write(tmp_path, f"{HEADER}\ncn-urumqi,kz-almaty,800000\n"), 2024, 10.0)
    res = run_flows(2024, network=toy_network(), params=load_default_params(), demand=od)
    assert res.calibration and all(c.error_pct is None for c in res.calibration)
    assert all(c.note.startswith("not comparable") for c in res.calibration)
