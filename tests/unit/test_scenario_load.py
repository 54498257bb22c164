"""Scenario files: parsing, form errors with clear messages, YAML round trips, content hash."""

from __future__ import annotations

import re
import textwrap
from pathlib import Path

import pytest

from landbridge.errors import ScenarioError
from landbridge.scenarios.load import (
    bundled_names,
    load_scenario,
    parse_scenario,
    resolve_scenario,
    scenario_from_data,
    scenario_hash,
    scenario_to_yaml,
)
from landbridge.schema.scenario import AddLink, CloseCrossing, ScaleDemand, SetCapacity

FULL = textwrap.dedent(
    """
    name: every-kind
    title: One of each
    base: {year: 2024, demand: default, params: default, departure_date: 2024-03-05}
    modifications:
      - {type: close_crossing, facility: khorgos-altynkol,
         from_date: 2024-03-01, to_date: 2024-03-07}
      - {type: set_capacity, facility: dostyk-moyinty, value: 60, unit: train_pairs_per_day}
      - type: add_link
        from_place: Tacheng
        to_place: Ayagoz
        length_km: 297
        gauge_mm: 1520
        capacity: {value: 20, unit: mt_per_yr}
        name: Bakhty–Ayagoz
        via: [[82.9, 46.8]]
        crossing: {facility_id: tacheng-bakhty, name: Bakhty, like: alashankou-dostyk}
      - {type: set_ferry_fleet, facility: aktau-baku, fleet: 8}
      - {type: scale_demand, pct: 25, od: {origin: Urumqi}}
      - {type: set_tariff, country: KZ, factor: 0.5}
      - {type: set_dwell, facility: alashankou-dostyk, dwell_p50_h: 4.25}
      - {type: avoid_country, country: RU}
    sources: [qazinform-2025-dostyk-moyinty]
    """
)


def test_parse_every_modification_type() -> None:
    s = parse_scenario(FULL, source="every.yaml")
    assert [m.type for m in s.modifications] == [
        "close_crossing",
        "set_capacity",
        "add_link",
        "set_ferry_fleet",
        "scale_demand",
        "set_tariff",
        "set_dwell",
        "avoid_country",
    ]
    assert isinstance(s.modifications[0], CloseCrossing)
    assert isinstance(s.modifications[2], AddLink)
    assert s.modifications[2].via == [(82.9, 46.8)]
    assert isinstance(s.modifications[4], ScaleDemand)
    assert s.modifications[4].multiplier == pytest.approx(1.25)


def test_yaml_round_trip_keeps_content_and_hash() -> None:
    s = parse_scenario(FULL)
    again = parse_scenario(scenario_to_yaml(s))
    assert again == s
    assert scenario_hash(again) == scenario_hash(s)


def test_hash_ignores_comments_but_not_content() -> None:
    s = parse_scenario(FULL)
    commented = parse_scenario(
        "# a comment\n" + FULL.replace("modifications:", "modifications:  # x")
    )
    changed = parse_scenario(FULL.replace("value: 60", "value: 61"))
    assert scenario_hash(commented) == scenario_hash(s)
    assert scenario_hash(changed) != scenario_hash(s)


def _error(text: str) -> str:
    with pytest.raises(ScenarioError) as info:
        parse_scenario(text, source="bad.yaml")
    return str(info.value)


def test_unknown_modification_type_names_index_and_allowed() -> None:
    msg = _error(
        "name: x\nbase: {year: 2024}\nmodifications:\n"
        "  - {type: set_dwell, facility: a, factor: 2}\n"
        "  - {type: close_crosing, facility: a}\n"
    )
    assert msg.startswith("bad.yaml: ")
    assert "modification 1" in msg
    assert "unknown modification type 'close_crosing'" in msg
    assert "did you mean: close_crossing" in msg
    assert "allowed: close_crossing, set_capacity, add_link" in msg


def test_wrong_type_names_field_and_modification() -> None:
    msg = _error(
        "name: x\nbase: {year: 2024}\nmodifications:\n"
        "  - {type: set_capacity, facility: a, value: lots, unit: t_per_yr}\n"
    )
    assert "modification 0 (set_capacity): field 'value'" in msg
    assert "valid number" in msg


def test_bad_unit_lists_allowed_units() -> None:
    msg = _error(
        "name: x\nbase: {year: 2024}\nmodifications:\n"
        "  - {type: set_capacity, facility: a, value: 3, unit: wagons}\n"
    )
    assert "field 'unit'" in msg
    assert "'trains_per_day'" in msg and "'teu_per_yr'" in msg


def test_missing_type_and_extra_field() -> None:
    assert "field 'type' is missing" in _error(
        "name: x\nbase: {year: 2024}\nmodifications:\n  - {facility: a}\n"
    )
    msg = _error(
        "name: x\nbase: {year: 2024}\nmodifications:\n"
        "  - {type: avoid_country, country: RU, colour: red}\n"
    )
    assert "modification 0 (avoid_country): field 'colour'" in msg


def test_cross_field_rules() -> None:
    dates = _error(
        "name: x\nbase: {year: 2024}\nmodifications:\n"
        "  - {type: close_crossing, facility: a, from_date: 2024-03-07, to_date: 2024-03-01}\n"
    )
    assert "modification 0 (close_crossing)" in dates and "before from_date" in dates
    one_date = _error(
        "name: x\nbase: {year: 2024}\nmodifications:\n"
        "  - {type: close_crossing, facility: a, from_date: 2024-03-07}\n"
    )
    assert "both from_date and to_date" in one_date
    both = _error(
        "name: x\nbase: {year: 2024}\nmodifications:\n"
        "  - {type: scale_demand, factor: 2, pct: 10}\n"
    )
    assert "exactly one of factor or pct" in both
    unit = _error(
        "name: x\nbase: {year: 2024}\nmodifications:\n"
        "  - {type: set_tariff, facility: a, value: 10, unit: usd_per_feu_km}\n"
    )
    assert "needs unit: usd_per_feu" in unit
    absurd = _error(
        "name: x\nbase: {year: 2024}\nmodifications:\n"
        "  - {type: set_tariff, country: KZ, value: 1.0e+300, unit: usd_per_feu_km}\n"
    )
    assert "modification 0 (set_tariff)" in absurd and "beyond the plausible 100" in absurd


def test_not_a_mapping_and_bad_yaml() -> None:
    assert "must be a mapping" in _error("- just\n- a list\n")
    assert "got empty" in _error("")
    msg = _error("name: x\nbase: {year: 2024\n")
    assert re.search(r":\d+:\d+: not valid YAML", msg), msg


def test_unsafe_yaml_tag_is_refused() -> None:
    msg = _error("!!python/object/apply:os.system ['echo hi']\n")
    assert "not valid YAML" in msg


def test_resolve_names_and_paths(tmp_path: Path) -> None:
    path = tmp_path / "mine.yaml"
    path.write_text("name: mine\nbase: {year: 2023}\n")
    assert load_scenario(path).name == "mine"
    with pytest.raises(ScenarioError) as info:
        resolve_scenario("khorgos-closed-one-wek")
    assert "Did you mean: khorgos-closed-one-week" in str(info.value)


def test_unreadable_file_is_a_scenario_error(tmp_path: Path) -> None:
    path = tmp_path / "bin.yaml"
    path.write_bytes(b"\xff\xfe\x00bad")
    with pytest.raises(ScenarioError, match="not UTF-8"):
        load_scenario(path)


def test_bundled_scenarios_parse_and_cite_known_sources() -> None:
    import csv

    from landbridge.paths import DATA_DIR

    ids = set()
    for table in (DATA_DIR / "sources").glob("*.csv"):
        with table.open(encoding="utf-8") as fh:
            ids |= {row["source_id"] for row in csv.DictReader(fh)}
    names = bundled_names()
    assert {
        "baseline-2023",
        "dostyk-moyinty-second-track",
        "bakhty-ayagoz-line",
        "northern-route-closed-to-eu-transit",
        "middle-corridor-2030",
        "khorgos-closed-one-week",
    } <= set(names)
    for name in names:
        s = load_scenario(name)
        assert s.name == name
        assert s.sources, f"{name} cites no source"
        assert set(s.sources) <= ids, f"{name} cites unknown sources {set(s.sources) - ids}"


def test_dostyk_second_track_sets_sixty_pairs() -> None:
    s = load_scenario("dostyk-moyinty-second-track")
    caps = [m for m in s.modifications if isinstance(m, SetCapacity)]
    assert any(m.value == 60 and m.unit == "train_pairs_per_day" for m in caps)


def test_alias_bombs_and_deep_nesting_are_refused_quickly() -> None:
    bomb = "a: &a [x, x, x, x, x, x, x, x, x, x]\n"
    for level in "bcdefghi":
        prev = chr(ord(level) - 1)
        bomb += f"{level}: &{level} [{', '.join([f'*{prev}'] * 10)}]\n"
    assert "once YAML aliases are expanded" in _error(bomb)
    assert "nested more than" in _error("name: " + "[" * 60 + "]" * 60 + "\n")


def test_base_events_expand_into_dated_modifications_once() -> None:
    data = {"name": "with-events", "base": {"year": 2025, "events": True},
            "modifications": [{"type": "scale_demand", "factor": 1.1}]}  # fmt: skip
    scenario = scenario_from_data(data)
    assert scenario.base.events is False
    closures = [m for m in scenario.modifications if isinstance(m, CloseCrossing)]
    assert any(m.facility == "brest-malaszewicze" for m in closures)
    assert isinstance(scenario.modifications[-1], ScaleDemand)  # the file's own come last
    again = scenario_from_data(scenario.model_dump(mode="json"))
    assert again.modifications == scenario.modifications  # not expanded a second time
    plain = scenario_from_data({**data, "base": {"year": 2025}})
    assert len(plain.modifications) == 1
