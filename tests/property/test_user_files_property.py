"""Generated YAML and CSV fed to the commands that read user files: exit 0 or 2 with a one-line
message, never a traceback, never a hang.

Every command that reads a user's file, each through the command line: scenario YAML
(``scenario check FILE``; ``flows --scenario`` and ``simulate --scenario`` share its loader),
parameter YAML (``route --params FILE``), demand CSV (``flows --demand FILE`` and a scenario's
``base.demand: FILE``), OD pair CSV (``scenario run --routes FILE``, ``skim --od FILE``).
OpenStreetMap and GeoJSON imports have their own fuzz (``test_import_fuzz.py``). Texts are built
from random structures dumped as YAML/CSV, then sometimes damaged: a byte order mark, a
duplicated line, loader-breaking values (``2023-02-30``, ``!!int abc``), cut at a random point,
random characters inserted; each CSV command also gets one valid file (the path to exit 0).
Kept short: 60 examples in all.
"""

from __future__ import annotations

import signal
import tempfile
from pathlib import Path

import yaml
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from landbridge.cli import app

SETTINGS = dict(deadline=None, suppress_health_check=list(HealthCheck))
HANG_S = 60
"""Generous bound for one command (a network load on a busy machine); reaching it is a hang."""

FACILITIES = ["alashankou-dostyk", "khorgos-altynkol", "nowhere", ""]
REGIONS = ["cn-xian", "eu-duisburg", "kz-almaty", "xx-nowhere", ""]
PLACES = ["Xi'an", "Duisburg", "Almaty", "Narnia", "", "43.2,76.9"]
WEIRD = ["2023-02-30", "2023-13-01", "!!int abc", "0x_", ".nan", "-.inf", "1e300", "true",
         "null", "~", "'", "&a", "*a", "{", "[", "\ufeff", "-1", "0", "2.5"]  # fmt: skip

scalars = st.one_of(
    st.none(), st.booleans(), st.integers(-10**12, 10**12),
    st.floats(allow_nan=True, allow_infinity=True), st.text(max_size=12), st.dates(),
    st.sampled_from(FACILITIES),
)  # fmt: skip
values = st.recursive(
    scalars,
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=8), inner, max_size=3)
    ),
    max_leaves=8,
)
modification = st.fixed_dictionaries(
    {"type": st.sampled_from(["set_capacity", "close_crossing", "set_dwell", "teleport"])},
    optional={
        "facility": st.sampled_from(FACILITIES), "value": scalars,
        "unit": st.sampled_from(["trains_per_day", "servers", "t_per_yr", "furlongs"]),
        "from_date": scalars, "to_date": scalars, "factor": scalars, "extra": values,
    },
)  # fmt: skip
scenario_data = st.fixed_dictionaries(
    {"name": st.sampled_from(["fuzz", "Bad Name", ""]),
     "base": st.fixed_dictionaries({"year": st.sampled_from([2023, 2024, 1990, 2200])}),
     "modifications": st.lists(modification, max_size=4)},
)  # fmt: skip
params_data = st.dictionaries(
    st.sampled_from(["rail_speed", "rail_tariff", "scalars", "nope"]),
    st.dictionaries(st.sampled_from(["KZ", "QQ", "EU", "value_of_time_usd_per_feu_h"]), values,
                    max_size=2),
    max_size=2,
)  # fmt: skip


@st.composite
def damaged(draw: st.DrawFn, text_strategy: st.SearchStrategy[str]) -> str:
    text = draw(text_strategy)
    lines = text.splitlines(keepends=True) or [""]
    how = draw(st.sampled_from(["none", "bom", "duplicate", "weird", "cut", "insert"]))
    if how == "bom":
        text = "\ufeff" + text
    elif how == "duplicate":
        i = draw(st.integers(0, len(lines) - 1))
        text = "".join(lines[: i + 1] + [lines[i]] + lines[i + 1 :])
    elif how == "weird":
        i = draw(st.integers(0, len(lines) - 1))
        key = lines[i].split(":")[0] if ":" in lines[i] else "x"
        lines[i] = f"{key}: {draw(st.sampled_from(WEIRD))}\n"
        text = "".join(lines)
    elif how == "cut":
        text = text[: draw(st.integers(0, len(text)))]
    elif how == "insert":
        at = draw(st.integers(0, len(text)))
        text = text[:at] + draw(st.text(max_size=5)) + text[at:]
    return text


def yaml_text(data: st.SearchStrategy) -> st.SearchStrategy[str]:
    return data.map(lambda d: yaml.safe_dump(d, allow_unicode=True, sort_keys=False))


@st.composite
def csv_text(draw: st.DrawFn, columns: list[str], names: list[str] = REGIONS) -> str:
    header = draw(st.permutations(columns + ["t_per_yr"]).map(lambda c: c[: len(columns)]))
    rows = draw(st.lists(st.lists(st.one_of(st.sampled_from(names), st.text(max_size=6),
                                            st.floats().map(str)),
                                  min_size=len(header), max_size=len(header) + 1),
                         max_size=4))  # fmt: skip
    return "\n".join([",".join(header), *(",".join(r) for r in rows)]) + "\n"


def _on_alarm(signum: int, frame: object) -> None:
    raise TimeoutError(f"no answer within {HANG_S} s: a hang")


def run(*args: str) -> None:
    """Invoke the CLI; the outcome must be exit 0, or exit 2 with a one-line error."""
    previous = signal.signal(signal.SIGALRM, _on_alarm)
    signal.alarm(HANG_S)
    try:
        result = CliRunner().invoke(app, list(args))
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, previous)
    assert result.exception is None or isinstance(result.exception, SystemExit), (
        f"{args}: {type(result.exception).__name__}: {result.exception}"
    )
    assert result.exit_code in (0, 2), (args, result.exit_code, result.output[-500:])
    assert "Traceback" not in result.output
    if result.exit_code == 2:
        assert result.output.strip(), args


def _file(text: str, suffix: str) -> Path:
    folder = Path(tempfile.mkdtemp(prefix="landbridge-fuzz-"))
    path = folder / f"input{suffix}"
    path.write_text(text, encoding="utf-8", errors="surrogatepass")
    return path


@settings(max_examples=20, **SETTINGS)
@given(damaged(yaml_text(scenario_data)))
def test_scenario_files(text: str) -> None:
    run("scenario", "check", str(_file(text, ".yaml")))


@settings(max_examples=10, **SETTINGS)
@given(damaged(yaml_text(params_data)))
def test_params_files(text: str) -> None:
    run("route", "Xi'an", "Duisburg", "--params", str(_file(text, ".yaml")))


@settings(max_examples=12, **SETTINGS)
@given(damaged(csv_text(["origin", "destination", "t_per_yr"])))
def test_demand_files(text: str) -> None:
    demand = _file(text, ".csv")
    scenario = _file(f"name: fuzz\nbase: {{year: 2024, demand: '{demand}'}}\n", ".yaml")
    run("scenario", "check", str(scenario))


@settings(max_examples=5, **SETTINGS)
@example("origin,destination,t_per_yr\ncn-xian,eu-duisburg,1000000\n")
@given(damaged(csv_text(["origin", "destination", "t_per_yr"])))
def test_flows_demand_files(text: str) -> None:
    run("flows", "--demand", str(_file(text, ".csv")))


@settings(max_examples=5, **SETTINGS)
@example("\ufefforigin,destination\nXi'an,Almaty\n")
@given(damaged(csv_text(["origin", "destination"], PLACES)))
def test_route_pair_files_of_scenario_run(text: str) -> None:
    pairs = _file(text, ".csv")
    run("scenario", "run", "baseline-2023", "--routes", str(pairs),
        "--store", str(pairs.with_name("runs.duckdb")))  # fmt: skip


@settings(max_examples=5, **SETTINGS)
@example("origin,destination\nXi'an,Almaty\n")
@given(damaged(csv_text(["origin", "destination"], PLACES)))
def test_od_files_of_skim(text: str) -> None:
    od = _file(text, ".csv")
    run("skim", "--od", str(od), "--families", "northern", "--out", str(od.with_name("s.csv")))
