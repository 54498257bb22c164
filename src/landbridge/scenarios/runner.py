"""Run a scenario: load its base, apply it, call the routing, flows and simulation layers, store.

The layers are reached through ``Engines``, a bundle of small callables, so the runner, the store
and the comparison work (and are tested) with stand-ins; ``landbridge.app.engines`` holds
the adapters to the real layers. Every engine returns a DataFrame with the columns of its store
table (``landbridge.store.tables.RESULT_TABLES``).
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from landbridge.errors import InvalidInputError, UnknownPlaceError
from landbridge.network.model import Network
from landbridge.scenarios.apply import apply_scenario
from landbridge.scenarios.load import (
    BUNDLED_DIR,
    modification_label,
    scenario_hash,
    scenario_to_yaml,
)
from landbridge.schema.scenario import Scenario, SetCapacity
from landbridge.store.db import Store
from landbridge.store.run_record import RunRecord
from landbridge.user_files import csv_header, read_user_text

STANDARD_OD_FILE = BUNDLED_DIR / "standard-od.csv"
MAX_OD_PAIRS = 200
"""Route options are planned per pair; 200 pairs is far beyond a comparison anyone reads."""
MAX_OD_FILE_BYTES = 100_000
NOTES_KEY = "notes"
"""An engine may return a frame under this key (column ``note``): what it could not model."""


@dataclass(frozen=True)
class ODPair:
    origin: str
    destination: str
    where: str = field(default="", compare=False)  # "file, line N" when read from a file

    @property
    def label(self) -> str:
        return f"{self.origin} → {self.destination}"


@contextmanager
def places_of(pairs: Iterable[ODPair]) -> Iterator[None]:
    """An unknown place of a pair read from a file names the file, the line and the column."""
    try:
        yield
    except UnknownPlaceError as exc:
        for pair in pairs:
            column = {pair.origin.strip(): "origin", pair.destination.strip(): "destination"}
            if pair.where and exc.query in column:
                exc.args = (f"{pair.where}, {column[exc.query]}: {exc}",)
                break
        raise


Base = tuple[Network, Any, pd.DataFrame | None]


@dataclass(frozen=True)
class Engines:
    """The layer calls a run makes. Each takes the scenario's (modified) network, params, demand."""

    base: Callable[[Scenario], Base]
    routes: Callable[[Network, Any, Sequence[ODPair], dt.date | None], pd.DataFrame]
    flows: Callable[[Network, Any, pd.DataFrame | None, Scenario], pd.DataFrame]
    simulate: Callable[[Network, Any, pd.DataFrame | None, Scenario], dict[str, pd.DataFrame]]


@dataclass(frozen=True)
class RunOptions:
    routes: bool = True
    flows: bool = False
    simulate: bool = False
    od_pairs: tuple[ODPair, ...] = ()


@dataclass
class ScenarioRun:
    """A finished run: its results by store table, timings, and the run id once stored."""

    scenario: Scenario
    scenario_hash: str
    results: dict[str, pd.DataFrame]
    timings_s: dict[str, float]
    options: RunOptions
    run_id: str | None = None
    notes: list[str] = field(default_factory=list)


def _capacities_not_routed(scenario: Scenario) -> list[str]:
    """Capacities change the flows and the simulation; the route planner prices one shipment
    without queues, so a route table does not move with them: said, not left to be guessed."""
    return [
        f"{modification_label(i, mod.type)}: a capacity changes the flows and the simulation, "
        "not the route options (the planner prices one shipment, without queues)"
        for i, mod in enumerate(scenario.modifications)
        if isinstance(mod, SetCapacity) and not mod.observed_floor
    ]


def load_od_pairs(path: str | Path | None = None) -> tuple[ODPair, ...]:
    """Origin–destination pairs from a CSV with ``origin`` and ``destination`` columns."""
    file = Path(path) if path is not None else STANDARD_OD_FILE
    text = read_user_text(file, InvalidInputError, "OD file", MAX_OD_FILE_BYTES)
    reader = csv.DictReader(io.StringIO(text))
    fields = [f.casefold() for f in csv_header(reader.fieldnames, InvalidInputError, str(file))]
    if "origin" not in fields or "destination" not in fields:
        raise InvalidInputError(
            f"{file}: the first line must name the columns origin,destination (got "
            f"{','.join(reader.fieldnames or []) or 'nothing'})"
        )
    pairs = []
    first_line: dict[ODPair, int] = {}
    for line, row in enumerate(reader, start=2):
        clean = {str(k).strip().casefold(): (v or "").strip() for k, v in row.items() if k}
        origin, destination = clean.get("origin", ""), clean.get("destination", "")
        if not origin or not destination:
            raise InvalidInputError(f"{file}, line {line}: origin and destination are required")
        pair = ODPair(origin, destination, f"{file}, line {line}")
        if pair in first_line:
            raise InvalidInputError(
                f"{file}:{line}: the pair {origin} -> {destination} is already on line "
                f"{first_line[pair]}; list each pair once"
            )
        first_line[pair] = line
        pairs.append(pair)
        if len(pairs) > MAX_OD_PAIRS:
            raise InvalidInputError(f"{file}: more than {MAX_OD_PAIRS} pairs; split the file")
    if not pairs:
        raise InvalidInputError(f"{file}: no origin–destination pairs")
    return tuple(pairs)


def run_scenario(
    scenario: Scenario,
    engines: Engines,
    options: RunOptions,
    store: Store | None = None,
    source: str = "<scenario>",
) -> ScenarioRun:
    """Apply ``scenario`` to its base and compute the asked-for results; store them if given."""
    timings: dict[str, float] = {}

    def timed(step: str, call: Callable[[], Any]) -> Any:
        start = time.perf_counter()
        out = call()
        timings[step] = round(time.perf_counter() - start, 4)
        return out

    network, base_params, base_demand = timed("load_base", lambda: engines.base(scenario))
    net, params, demand = timed(
        "apply",
        lambda: apply_scenario(scenario, network, base_params, base_demand, source=source),
    )
    results: dict[str, pd.DataFrame] = {}
    if options.routes:
        pairs = options.od_pairs or load_od_pairs()
        depart = scenario.base.departure_date

        def planned() -> pd.DataFrame:
            with places_of(pairs):
                return engines.routes(net, params, pairs, depart)

        results["route_options"] = timed("routes", planned)
    if options.flows:
        # the year's flows see a dated closure as lost days of capacity, not a closed facility
        def annual_flows() -> pd.DataFrame:
            annual, _, _ = apply_scenario(
                scenario, network, base_params, base_demand, source=source, annual=True
            )
            return engines.flows(annual, params, demand, scenario)

        results["flows"] = timed("flows", annual_flows)
    notes = list(net.meta.get("notes", []))
    if "route_options" in results:
        notes += _capacities_not_routed(scenario)
    if "flows" in results:
        notes += results["flows"].attrs.get("warnings", [])
    if options.simulate:
        simulated = timed("simulate", lambda: engines.simulate(net, params, demand, scenario))
        if NOTES_KEY in simulated:
            notes += [str(n) for n in simulated.pop(NOTES_KEY)["note"]]
        results.update(simulated)
    run = ScenarioRun(
        scenario=scenario,
        scenario_hash=scenario_hash(scenario),
        results=results,
        timings_s=timings,
        options=options,
        notes=notes,
    )
    if store is not None:
        run.run_id = store.write_run(
            RunRecord(
                scenario_name=scenario.name,
                scenario_hash=run.scenario_hash,
                scenario_yaml=scenario_to_yaml(scenario),
                seed=scenario.seed,
                parameters={
                    "routes": options.routes,
                    "flows": options.flows,
                    "simulate": options.simulate,
                    "od_pairs": [p.label for p in (options.od_pairs or ())],
                    "source": source,
                    "base": scenario.base.model_dump(mode="json"),
                    "notes": notes,
                },
                timings_s=timings,
            ),
            results,
        )
    return run


def stored_run(store: Store, run_id: str) -> ScenarioRun:
    """A stored run read back (for comparisons of earlier runs)."""
    from landbridge.scenarios.load import parse_scenario
    from landbridge.store.tables import RESULT_TABLES

    meta = store.get_run(run_id)
    scenario = parse_scenario(meta["scenario_yaml"], source=f"run {run_id}")
    results = {
        table: store.read_results(run_id, table)
        for table, n in meta["row_counts"].items()
        if n and table in RESULT_TABLES
    }
    params = meta["parameters"]
    return ScenarioRun(
        scenario=scenario,
        scenario_hash=meta["scenario_hash"],
        results=results,
        timings_s=meta["timings_s"],
        options=RunOptions(
            routes=bool(params.get("routes")),
            flows=bool(params.get("flows")),
            simulate=bool(params.get("simulate")),
        ),
        run_id=run_id,
    )
