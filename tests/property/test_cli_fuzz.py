"""Hostile arguments for every CLI command, run in-process with Typer's ``CliRunner``.

Every command must answer with a result or a one-line typed error and an exit code of the
documented set (0 ok, 2 bad input or unknown place, 3 unreachable, 4 network data, 5 store,
6 simulation; Typer's usage errors are 2): never a traceback, never a hang, and never exit 0
on a value that cannot be right (a NaN shipment, 30 February, an unassigned country code).

Where a valid request would start a long computation (the flows assignment, a scenario run, a
long simulation), a stub stands in for that computation once validation has passed: it records
what reached it and exits with ``ACCEPTED``. The real computations are tested elsewhere.
"""

from __future__ import annotations

import csv
import datetime as dt
import faulthandler
import io
import json
import math
import os
import shutil
import signal
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from unittest import mock

import pytest
from hypothesis import HealthCheck, event, example, given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner, Result

from landbridge.cli import app
from landbridge.errors import LandbridgeError
from landbridge.outputs import is_complete_folder
from landbridge.schema.route import MAX_TONNES_PER_TEU

OK, BAD_INPUT, UNREACHABLE, NETWORK_DATA, STORE, SIMULATION = 0, 2, 3, 4, 5, 6
#: Exit code of the stubs standing in for long computations: "validation let this through".
ACCEPTED = 97
#: A command still running after this long counts as hung. The slowest real call here, a
#: 3,650-day simulation of three replications, takes a few seconds; caches are built and code
#: compiled before the first test; the margin covers a loaded machine.
HANG_S = 60
FUZZ = settings(
    deadline=None,  # single calls are bounded by HANG_S instead
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
    derandomize=True,  # the same examples on every run: a failure here is reproducible
)

# Codes ISO 3166-1 leaves unassigned or user-assigned: no country has them.
UNASSIGNED_ISO2 = ("AA", "OO", "QQ", "QZ", "XX", "XY", "ZZ")
# Dates that do not exist (or are not ISO dates at all).
IMPOSSIBLE_DATES = ("2023-02-30", "2023-02-29", "2023-13-01", "2023-00-10", "0000-01-01",
                    "2023-04-31", "yesterday", "2023-1-1x")  # fmt: skip
PLACES = ("Xi'an", "Duisburg", "Dostyk", "Достык", "西安", "Małaszewicze", "DEDUI", "51.43,6.76",
          "Tashkent", "Istanbul", "Baku")  # fmt: skip

runner = CliRunner()


class Accepted(LandbridgeError):
    """Raised by a stub in place of a long computation."""

    exit_code = ACCEPTED


class Hang(BaseException):  # noqa: N818 - BaseException so no `except Exception` swallows it
    """A command ran longer than ``HANG_S``."""


_running: list[list[str]] = []


def _show(args: list[str]) -> str:
    """The arguments for a failure message, long ones cut."""
    return repr([a if len(a) <= 60 else f"{a[:40]}...({len(a)} chars)" for a in args])


def _alarm(signum: int, frame: object) -> None:
    raise Hang(f"{_show(_running[-1])} still running after {HANG_S} s")


def invoke(args: list[str], allowed: set[int]) -> Result:
    """Run the CLI; fail on an uncaught exception, a traceback, a hang or an undocumented code."""
    previous = signal.signal(signal.SIGALRM, _alarm)
    signal.alarm(HANG_S)
    # last resort if a hang sits in C code that never returns to the interpreter
    faulthandler.dump_traceback_later(HANG_S * 2, exit=True)
    _running.append(args)
    try:
        result = runner.invoke(app, args, catch_exceptions=True)
    finally:
        _running.pop()
        signal.alarm(0)
        faulthandler.cancel_dump_traceback_later()
        signal.signal(signal.SIGALRM, previous)
    event(f"exit {result.exit_code}")
    if "--help" in args:  # a hostile value that is also Typer's help flag
        allowed = allowed | {OK}
    exc = result.exception
    if exc is not None and not isinstance(exc, SystemExit):
        raise AssertionError(f"{_show(args)}: uncaught {type(exc).__name__}: {str(exc)[:300]}")
    assert "Traceback" not in result.output, (_show(args), result.output[-500:])
    assert result.exit_code in allowed, (_show(args), result.exit_code, result.output[-500:])
    if result.exit_code not in (OK, ACCEPTED) and "Usage:" not in result.output:
        assert "error:" in result.output, (_show(args), result.output[-500:])  # typed one-liner
    return result


def asked_for_help(result: Result) -> bool:
    """A hostile value that happened to be ``--help``: Typer printed the help and exited 0."""
    return result.exit_code == OK and result.output.lstrip().startswith("Usage:")


# --- the files and folders hostile paths point at ---

WORK = Path(tempfile.mkdtemp(prefix="landbridge-cli-fuzz-"))


def _hostile_files() -> dict[str, str]:
    files = {
        "empty": b"",
        "binary": bytes(range(256)) * 4,
        "utf16": "name: x\n".encode("utf-16"),
        "deep.yaml": b"[" * 20_000 + b"]" * 20_000,
        "deep-map.yaml": b"a: " * 5_000 + b"1",
        "alias-bomb.yaml": _alias_bomb(),
        "list.yaml": b"- 1\n- 2\n",
        "text.yaml": b"just a string\n",
        "od.csv": b"origin,destination\nXi'an,Duisburg\n",
        "od-unknown.csv": b"origin,destination\nNowhere-zzqx,Duisburg\n",
        "od-nocols.csv": b"a,b\n1,2\n",
    }
    out = {}
    for name, data in files.items():
        (WORK / name).write_bytes(data)
        out[name] = str(WORK / name)
    os.mkfifo(WORK / "fifo")  # opening it for reading blocks until a writer comes: a hang test
    (WORK / "folder").mkdir()
    out |= {"fifo": str(WORK / "fifo"), "folder": str(WORK / "folder")}
    return out


def _alias_bomb() -> bytes:
    lines = ["a0: &a0 [x, x, x, x, x, x, x, x, x]"]
    for i in range(1, 10):
        refs = ", ".join([f"*a{i - 1}"] * 9)
        lines.append(f"a{i}: &a{i} [{refs}]")
    return ("\n".join(lines) + "\n").encode()


FILES = _hostile_files()
# Paths that only read: anything goes, including system files.
READ_PATHS = (*FILES.values(), "", ".", "..", "/", "/etc/passwd", "/etc/shadow",
              "/proc/self/status", "../../../../etc/hosts", "~", "$HOME", "C:\\Windows\\win.ini",
              "\\\\server\\share", "file:///etc/passwd", "a" * 5_000,
              "nul\x00byte", "/nonexistent/x.yaml")  # fmt: skip
# Paths a command may write to: only inside WORK, or places where writing must fail.
WRITE_PATHS = (FILES["folder"], str(WORK / "out.csv"), str(WORK / "out.parquet"),
               "/nonexistent/dir/x.out", "/proc/version", str(WORK / ("b" * 5_000)),
               str(WORK / "nul\x00byte"), "")  # fmt: skip


@pytest.fixture(scope="module", autouse=True)
def isolated_home() -> Iterator[str]:
    """A fresh ``LANDBRIDGE_HOME`` (store) and working folder, with one stored run."""
    from landbridge.costs.params import load_default_params
    from landbridge.network import load_network
    from landbridge.places.gazetteer import Gazetteer
    from landbridge.store.db import Store
    from landbridge.store.run_record import RunRecord

    # caches built and code compiled (numba) outside the alarm: the first call may take a minute
    load_network(), Gazetteer.load(), load_default_params()
    warm_ups = (["route", "Xi'an", "Duisburg", "--json"],
                ["simulate", "--days", "1", "-n", "1", "--workers", "1", "--demand", "trains",
                 "--json"])  # fmt: skip
    for warm_up in warm_ups:
        assert runner.invoke(app, warm_up).exit_code == OK

    with pytest.MonkeyPatch.context() as mp:
        home = WORK / "home"
        home.mkdir(exist_ok=True)
        mp.setenv("LANDBRIDGE_HOME", str(home))
        mp.chdir(WORK)
        record = RunRecord(
            scenario_name="baseline-2023", scenario_hash="a" * 64,
            scenario_yaml="name: baseline-2023\n", seed=1, parameters={}, timings_s={},
        )  # fmt: skip
        yield Store().write_run(record, {})
    shutil.rmtree(WORK, ignore_errors=True)


hostile_text = st.one_of(
    st.text(max_size=40),
    st.text(alphabet=st.characters(codec="utf-8"), min_size=1, max_size=12),
    st.sampled_from(
        [
            "",
            " ",
            "\x00",
            "\n",
            "-",
            "--",
            "--help",
            "--json",
            "'",
            '"',
            "%s",
            "{}",
            "[bold]x[/]",
            "\u202e",
            "🚂",
            "ﷺ",
            "a" * 10_000,
        ]
    ),  # fmt: skip
)
coordinates = st.tuples(st.floats(), st.floats()).map(lambda p: f"{p[0]},{p[1]}")
place_names = st.one_of(st.sampled_from(PLACES), hostile_text, coordinates)
quantities = st.one_of(
    st.floats().map(repr),
    st.integers(min_value=-(10**30), max_value=10**30).map(str),
    st.sampled_from(
        [
            "abc",
            "",
            "1e999",
            "-0",
            "0x10",
            "1_000",
            "١٢",
            " 5 ",
            "5 FEU",
            "nan",
            "-inf",
            "1e-300",
            "10000",
            "10000.0001",
        ]
    ),  # fmt: skip
)
dates = st.one_of(
    st.dates().map(dt.date.isoformat), st.sampled_from(IMPOSSIBLE_DATES), hostile_text
)
iso_codes = st.one_of(
    st.sampled_from(["RU", "BY", "KZ", "CN", "IR", "TR", "DE", "PL", "ru", " by "]),
    st.sampled_from(UNASSIGNED_ISO2),
    hostile_text,
)
avoid_lists = st.lists(iso_codes, max_size=4).map(",".join)


def _float_or_none(text: str) -> float | None:
    try:
        return float(text)
    except ValueError:
        return None


def requests(sane: dict, hostile: dict, most_hostile: int = 2):
    """Argument dicts: every field sane except at most ``most_hostile`` hostile ones, so that
    fully valid requests are common and each failure points at one or two fields."""

    @st.composite
    def build(draw: st.DrawFn) -> dict:
        bad = draw(st.sets(st.sampled_from(sorted(hostile)), max_size=most_hostile))
        return {k: draw(hostile[k] if k in bad else sane[k]) for k in sane}

    return build()


def options(req: dict, flags: dict[str, str]) -> list[str]:
    """``--flag value`` for every field of ``req`` that is not None."""
    out: list[str] = []
    for key, flag in flags.items():
        if req.get(key) is not None:
            out += [flag, req[key]]
    return out


# --- places ---


PLACE_REQUESTS = requests(
    sane={"query": st.sampled_from(PLACES), "limit": st.integers(1, 100).map(str),
          "as_json": st.booleans()},
    hostile={"query": place_names,
             "limit": st.integers(-(10**20), 10**20).map(str) | hostile_text},
)  # fmt: skip


@settings(FUZZ, max_examples=60)
@given(req=PLACE_REQUESTS)
@example(req={"query": "Dostyk", "limit": "5", "as_json": True})
@example(req={"query": "\x00", "limit": "0", "as_json": True})
def test_places(req: dict) -> None:
    query, limit = req["query"], req["limit"]
    args = ["places", query, "--limit", limit] + (["--json"] if req["as_json"] else [])
    result = invoke(args, {OK, BAD_INPUT})
    if asked_for_help(result):
        return
    n = int(limit) if limit.strip().lstrip("+-").isdigit() else None
    if n is None or not 1 <= n <= 100 or not query.strip():
        assert result.exit_code != OK
    if result.exit_code == OK and req["as_json"]:
        assert 1 <= len(json.loads(result.stdout)) <= n  # type: ignore[operator]


# --- route ---


SIZE_FLAGS = st.sampled_from(["--feu", "--teu", "--tonnes-per-teu"])
ROUTE_REQUESTS = requests(
    sane={
        "origin": st.sampled_from(PLACES), "destination": st.sampled_from(PLACES),
        "size": st.tuples(SIZE_FLAGS, st.sampled_from(["1", "2", "40", "0.5"])),
        "depart": st.none() | st.dates(dt.date(2020, 1, 1), dt.date(2030, 12, 31)).map(str),
        "avoid": st.none() | st.sampled_from(["RU,BY", "IR", "kz", "TR, ge"]),
        "via": st.none() | st.sampled_from(["Dostyk", "Baku", "Brest"]),
        "corridor": st.none() | st.sampled_from(["northern", "middle", "southern", "sea"]),
        "as_json": st.booleans(),
    },
    hostile={
        "origin": place_names, "destination": place_names,
        "size": st.tuples(SIZE_FLAGS, quantities), "depart": dates, "avoid": avoid_lists,
        "via": place_names, "corridor": hostile_text,
    },
)  # fmt: skip
XIAN_DUISBURG = {"origin": "Xi'an", "destination": "Duisburg", "size": ("--feu", "1"),
                 "depart": None, "avoid": None, "via": None, "corridor": None,
                 "as_json": True}  # fmt: skip


@settings(FUZZ, max_examples=45)
@given(req=ROUTE_REQUESTS)
@example(req=XIAN_DUISBURG | {"size": ("--feu", "nan")})
@example(req=XIAN_DUISBURG | {"depart": "2023-02-30"})
@example(req=XIAN_DUISBURG | {"depart": "9999-12-31"})
@example(req=XIAN_DUISBURG | {"avoid": "XX", "as_json": False})
def test_route(req: dict) -> None:
    size = req["size"]
    args = ["route", req["origin"], req["destination"], *size]
    args += options(req, {"depart": "--depart", "avoid": "--avoid", "via": "--via",
                          "corridor": "--corridor"})  # fmt: skip
    result = invoke(args + (["--json"] if req["as_json"] else []), {OK, BAD_INPUT, UNREACHABLE})
    if asked_for_help(result) or result.exit_code != OK:
        return
    # what was accepted must have been a sensible request
    value = _float_or_none(size[1])
    assert value is not None and math.isfinite(value), args
    if size[0] == "--feu":
        assert 0.5 <= value <= 10_000, args  # one TEU to ~180 block trains
    elif size[0] == "--teu":
        assert 1 <= value <= 20_000, args
    else:  # cargo per TEU: light cargo is fine, beyond what any box carries is not
        assert 0 < value <= MAX_TONNES_PER_TEU, args
    assert req["depart"] not in IMPOSSIBLE_DATES, args
    codes = {c.strip().upper() for c in (req["avoid"] or "").split(",")}
    assert not codes & set(UNASSIGNED_ISO2), f"unassigned country code accepted: {args}"
    if req["as_json"]:
        response = json.loads(result.stdout)
        if size[0] == "--feu":
            assert response["shipment"]["feu"] == pytest.approx(value)


@settings(FUZZ, max_examples=25)
@given(params=st.sampled_from(READ_PATHS) | hostile_text)
@example(params=FILES["binary"])
@example(params=FILES["deep.yaml"])
@example(params=FILES["fifo"])
@example(params=FILES["folder"])
@example(params="nul\x00byte")
def test_route_params_file(params: str) -> None:
    invoke(["route", "Dostyk", "Duisburg", "--params", params, "--json"], {OK, BAD_INPUT})


PARAM_TABLES = {
    "rail_speed": (["KZ", "RU", "CN", "xx", "ZZ"], ["speed_p50_kmh", "speed_p90_kmh"]),
    "rail_tariff": (["KZ", "RU", "QQ"], ["usd_per_feu_km"]),
    "facilities": (["alashankou-dostyk", "khorgos-altynkol", "no-such-facility"],
                   ["dwell_p50_h", "dwell_p90_h", "cost_usd_per_feu", "speed_kmh"]),
    "facility_defaults": (["crossing", "port", "ferry", "bogus"], ["dwell_p50_h", "headway_h"]),
}  # fmt: skip
param_values = st.one_of(
    st.floats(),
    st.integers(-(10**30), 10**30),
    st.sampled_from([".inf", "-.inf", ".nan", "1e400"]),
    st.text(max_size=5),
    st.none(),
    st.lists(st.integers(), max_size=2),
)


@st.composite
def param_files(draw: st.DrawFn) -> tuple[str, list[object]]:
    """A ``--params`` YAML text (known and unknown tables, keys and columns) and its values."""
    lines: list[str] = []
    values: list[object] = []
    for table in draw(st.lists(st.sampled_from([*PARAM_TABLES, "bogus"]), max_size=3,
                               unique=True)):  # fmt: skip
        keys, columns = PARAM_TABLES.get(table, (["KZ"], ["x"]))
        lines.append(f"{table}:")
        for key in draw(st.lists(st.sampled_from(keys), min_size=1, max_size=2, unique=True)):
            column = draw(st.sampled_from([*columns, "bogus_column"]))
            value = draw(param_values)
            text = (
                value
                if isinstance(value, str) and value.startswith(("-.", "."))
                else (json.dumps(value) if not isinstance(value, float) else repr(value))
            )
            lines.append(f"  {key}: {{{column}: {text}}}")
            values.append(value)
    return "\n".join(lines) + "\n", values


def _finite_number(value: object) -> bool:
    if isinstance(value, str):
        return value not in (".inf", "-.inf", ".nan", "1e400")
    return not isinstance(value, float) or math.isfinite(value)


@settings(FUZZ, max_examples=15)
@given(doc=param_files())
@example(doc=("rail_speed:\n  KZ: {speed_p50_kmh: .inf}\n", [".inf"]))
@example(doc=("facilities:\n  alashankou-dostyk: {dwell_p50_h: .inf}\n", [".inf"]))
def test_route_params_content(doc: tuple[str, list[object]]) -> None:
    text, values = doc
    path = WORK / "params-fuzz.yaml"
    path.write_text(text, encoding="utf-8")
    result = invoke(["route", "Dostyk", "Duisburg", "--params", str(path), "--json"],
                    {OK, BAD_INPUT, UNREACHABLE})  # fmt: skip
    if result.exit_code == OK:
        assert all(_finite_number(v) for v in values), f"infinite parameter accepted: {text}"


# --- network check ---


@settings(FUZZ, max_examples=6)
@given(extra=st.lists(hostile_text | st.sampled_from(["--json", "--fast", "-x", "1"]), max_size=2))
@example(extra=["--json"])
def test_network_check(extra: list[str]) -> None:
    result = invoke(["network", "check", *extra], {OK, BAD_INPUT})
    if extra == ["--json"]:
        assert result.exit_code == OK
        assert {"nodes", "edges", "components", "hubs"} <= set(json.loads(result.stdout))


# --- flows ---


@contextmanager
def _flows_stubbed() -> Iterator[list[tuple[int, float]]]:
    """Stop ``run_flows`` where the assignment would start; record year and growth."""
    import landbridge.flows.run as flows_run

    seen: list[tuple[int, float]] = []
    real = flows_run.run_flows

    def recording(year=2024, growth_pct=0.0, *args, **kwargs):  # type: ignore[no-untyped-def]
        seen.append((year, growth_pct))
        return real(year, growth_pct, *args, **kwargs)

    def stop(*_args, **_kwargs):  # type: ignore[no-untyped-def]
        raise Accepted("validation passed")

    with mock.patch.object(flows_run, "run_flows", recording), \
         mock.patch.object(flows_run, "prepare", stop):  # fmt: skip
        yield seen


FLOWS_REQUESTS = requests(
    sane={"year": st.sampled_from([None, "2023", "2024"]),
          "growth": st.none() | st.floats(-99, 1000).map(repr),
          "scenario": st.sampled_from([None, "baseline-2023", "khorgos-closed-one-week"])},
    hostile={"year": st.integers(-(10**20), 10**20).map(str) | hostile_text,
             "growth": quantities, "scenario": st.sampled_from(READ_PATHS) | hostile_text},
)  # fmt: skip


@settings(FUZZ, max_examples=25)
@given(req=FLOWS_REQUESTS)
@example(req={"year": "2023", "growth": "nan", "scenario": None})
@example(req={"year": "2024", "growth": "1000", "scenario": None})
@example(req={"year": None, "growth": None, "scenario": "a" * 5_000})
def test_flows(req: dict) -> None:
    args = ["flows", "--json"]
    args += options(req, {"year": "--year", "growth": "--growth", "scenario": "--scenario"})
    with _flows_stubbed() as seen:
        result = invoke(args, {BAD_INPUT, ACCEPTED})
    if asked_for_help(result):
        return
    if result.exit_code == ACCEPTED:
        (got_year, got_growth), *_ = seen
        assert got_year in (2023, 2024)
        assert math.isfinite(got_growth) and -100 < got_growth <= 1000, args


# --- simulate ---

#: Simulated replication-days run for real; a bigger valid request stops at the stub.
REAL_SIM_DAYS = 3 * 3650


@contextmanager
def _simulation_bounded() -> Iterator[list[int]]:
    import landbridge.sim.run as sim_run
    from landbridge.sim.montecarlo import MAX_WORKERS

    real = sim_run.iter_replications

    def bounded(task, replications, seed, workers=1, **kwargs):  # type: ignore[no-untyped-def]
        days = task.args[1]  # partial(replicate, system, days, engine, keep_log)
        in_process = workers == 1 or replications == 1
        small = in_process and replications * days <= REAL_SIM_DAYS
        if small or not 1 <= workers <= MAX_WORKERS:  # bad workers: the real one refuses at once
            return real(task, replications, seed, workers=workers, **kwargs)
        raise Accepted("validation passed")

    with mock.patch.object(sim_run, "iter_replications", bounded):
        yield []


SIM_REQUESTS = requests(
    sane={
        "days": st.integers(1, 60).map(str),
        "reps": st.integers(1, 3).map(str), "seed": st.none() | st.integers(0, 10**6).map(str),
        "workers": st.sampled_from(["1"]),
        # the default demand ('network') routes the OD tables first (tens of seconds when
        # cold): the sourced train counts keep each example short
        "demand": st.sampled_from(["trains", "od-2023", "od-2024"]),
        "engine": st.sampled_from([None, "fast"]),
        "scenario": st.sampled_from([None, "baseline-2023", "khorgos-closed-one-week"]),
        "output": st.sampled_from([None, ("--events", str(WORK / "events.parquet")),
                                   ("--timeseries", str(WORK / "daily.csv"))]),
    },
    hostile={
        "days": st.integers(-(10**20), 10**20).map(str) | st.sampled_from(["0", "3651"])
        | quantities,
        "reps": st.integers(-(10**6), 10**6).map(str) | st.sampled_from(["0", "10000", "10001"]),
        "seed": st.integers(-(10**30), 10**30).map(str) | hostile_text,
        "workers": st.sampled_from(["0", "-1", "2", "65", "9" * 30, "x"]),
        "demand": st.sampled_from(["od-1999", "od-", "OD-2023"]) | hostile_text,
        "engine": st.sampled_from(["simpy"]) | hostile_text,
        "scenario": st.sampled_from(READ_PATHS) | hostile_text,
        "output": st.tuples(st.sampled_from(["--events", "--timeseries"]),
                            st.sampled_from(WRITE_PATHS)),
    },
)  # fmt: skip
FIVE_DAYS = {"days": "5", "reps": "1", "seed": "1", "workers": "1", "demand": "trains",
             "engine": None, "scenario": None, "output": None}  # fmt: skip


@settings(FUZZ, max_examples=30)
@given(req=SIM_REQUESTS)
@example(req=FIVE_DAYS | {"days": "3650", "output": ("--timeseries", str(WORK / "daily.csv"))})
@example(req=FIVE_DAYS | {"output": ("--events", "/nonexistent/dir/x.out")})
@example(req=FIVE_DAYS | {"output": ("--events", str(WORK / "nul\x00byte"))})
@example(req=FIVE_DAYS | {"output": ("--timeseries", FILES["folder"])})
def test_simulate(req: dict) -> None:
    days, reps = req["days"], req["reps"]
    args = ["simulate", "--days", days, "--replications", reps, "--json"]
    args += options(req, {"seed": "--seed", "workers": "--workers", "demand": "--demand",
                          "engine": "--engine", "scenario": "--scenario"})  # fmt: skip
    if req["output"] is not None:
        args += list(req["output"])
    with _simulation_bounded():
        result = invoke(args, {OK, BAD_INPUT, ACCEPTED})
    if asked_for_help(result):
        return
    if result.exit_code in (OK, ACCEPTED):
        n_days, n_reps = _float_or_none(days), _float_or_none(reps)
        assert n_days is not None and 1 <= n_days <= 3650, args
        assert n_reps is not None and 1 <= n_reps <= 10_000, args
    if result.exit_code == OK:
        run = json.loads(result.stdout)["run"]
        assert (run["days"], run["replications"]) == (int(days), int(reps))


# --- scenario run / compare ---


@contextmanager
def _scenario_stubbed() -> Iterator[None]:
    import landbridge.scenarios.runner as runner_module

    def stop(*_args, **_kwargs):  # type: ignore[no-untyped-def]
        raise Accepted("validation passed")

    with mock.patch.object(runner_module, "run_scenario", stop):
        yield


scenario_names = (
    st.sampled_from(["baseline-2023", "khorgos-closed-one-week"])
    | st.sampled_from(READ_PATHS)
    | hostile_text
)


@settings(FUZZ, max_examples=30)
@given(
    command=st.sampled_from(["run", "compare"]), a=scenario_names, b=scenario_names,
    routes=st.none() | st.sampled_from(READ_PATHS), flags=st.lists(st.sampled_from(
        ["--flows", "--simulate", "--json"]), max_size=3, unique=True),
    store=st.none() | st.sampled_from(WRITE_PATHS),
)  # fmt: skip
@example(command="run", a="baseline-2023", b="", routes=FILES["fifo"], flags=[], store=None)
@example(command="run", a="baseline-2023", b="", routes=FILES["od-unknown.csv"], flags=[],
         store=None)  # fmt: skip
def test_scenario(command, a, b, routes, flags, store) -> None:
    args = ["scenario", command, a] + ([b] if command == "compare" else []) + flags
    if routes is not None:
        args += ["--routes", routes]
    if store is not None:
        args += ["--store", store]
    with _scenario_stubbed():
        invoke(args, {BAD_INPUT, STORE, ACCEPTED})


@st.composite
def od_files(draw: st.DrawFn) -> tuple[str, bool]:
    """An OD CSV text for ``--routes`` and whether it is valid by construction."""
    headers = ["origin,destination"] * 3 + [" Origin , DESTINATION ", "from,to", "origin", "",
                                            "destination,origin,extra"]  # fmt: skip
    hostile = draw(st.booleans())
    header = draw(st.sampled_from(headers)) if hostile else "origin,destination"
    name = st.sampled_from(PLACES)
    if hostile:
        name |= place_names | st.just("")
    rows = draw(st.lists(st.tuples(name, name), min_size=0 if hostile else 1, max_size=4))
    if hostile:
        rows = rows * draw(st.sampled_from([1, 201]))  # beyond the 200-pair limit
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    for o, d in rows:
        writer.writerow([d, o] if header.startswith("destination") else [o, d])
    text = header + "\n" + buffer.getvalue()
    named = {c.strip().casefold() for c in header.split(",")} >= {"origin", "destination"}
    filled = all(o.strip() and d.strip() and "\n" not in o + d and "\r" not in o + d
                 for o, d in rows)  # fmt: skip
    return text, named and filled and 1 <= len(rows) <= 200


@settings(FUZZ, max_examples=20)
@given(od=od_files())
def test_scenario_routes_file_content(od: tuple[str, bool]) -> None:
    text, valid = od
    path = WORK / "od-fuzz.csv"
    path.write_text(text, encoding="utf-8")
    with _scenario_stubbed():
        result = invoke(["scenario", "run", "baseline-2023", "--routes", str(path)],
                        {BAD_INPUT, ACCEPTED})  # fmt: skip
    if not valid:
        assert result.exit_code != ACCEPTED, text[:300]


# --- runs show / export ---


@settings(FUZZ, max_examples=40)
@given(
    run_id=st.sampled_from(["<stored>", "<stored>x", "../<stored>", "20261128T000000Z-x-00000000"])
    | hostile_text,
    command=st.sampled_from(["show", "export"]),
    fmt=st.none() | st.sampled_from(["parquet", "csv", "geojson"]) | hostile_text,
    out=st.none() | st.sampled_from(["../../etc/x", "/etc/passwd", ".hidden", "a/b", "..", "con",
                                     "ok-name", "a" * 300, "nul\x00x"]) | hostile_text,
    store=st.none()
    | st.sampled_from((*WRITE_PATHS, FILES["binary"], FILES["empty"], FILES["fifo"])),
)  # fmt: skip
@example(run_id="<stored>", command="show", fmt=None, out=None, store=str(WORK / ("b" * 5_000)))
@example(run_id="<stored>", command="export", fmt="csv", out="../../etc/x", store=None)
@example(run_id="<stored>", command="show", fmt=None, out=None, store=FILES["fifo"])
def test_runs(isolated_home, run_id, command, fmt, out, store) -> None:
    run_id = run_id.replace("<stored>", isolated_home)
    args = ["runs", command, run_id, "--json"] if command == "show" else ["runs", command, run_id]
    target = None
    if command == "export":
        # --out is the path as given: kept inside WORK/out (no '/'), so nothing lands elsewhere
        target = WORK / "out" / out.replace("/", "_") if out else None
        args += (["--format", fmt] if fmt is not None else []) + (
            ["--out", str(target)] if target else []
        )
    if store is not None:
        args += ["--store", store]
    result = invoke(args, {OK, BAD_INPUT, STORE})
    if asked_for_help(result):
        return
    fresh = command == "show" or target is None or target.name == "ok-name"
    if run_id == isolated_home and store is None and fmt in (None, "parquet", "csv", "geojson") \
            and fresh:
        assert result.exit_code == OK, (args, result.output)  # the stored run is always there
    if result.exit_code == OK and command == "export":
        written = Path(result.output.split("wrote ", 1)[1].strip())
        db = Path(store) if store else WORK / "home" / "runs.duckdb"
        expected = target or db.with_name(db.stem + "-exports") / run_id
        assert written == expected.resolve(), (args, written)
        assert is_complete_folder(written)
    if result.exit_code == OK and command == "show":
        assert json.loads(result.stdout)["run_id"] == isolated_home
