"""Parameter tables: loading, fallbacks, provenance, ``--params`` overrides and their errors."""

from __future__ import annotations

import math
from pathlib import Path

import pytest

from landbridge.costs.params import TABLES, RowRef, load_default_params, load_params
from landbridge.data import load_sources
from landbridge.errors import ParameterError


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "override.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def test_every_table_loads_with_sources_and_positive_speeds() -> None:
    params = load_default_params()
    known = set(load_sources().index)
    for name, spec in TABLES.items():
        frame = params.tables[name].to_frame()
        assert len(frame) > 0, name
        for key, row in frame.iterrows():
            ids = [s for s in str(row["source_ids"]).split(";") if s]
            assert ids, f"{name}[{key}] has no source id"
            assert set(ids) <= known, f"{name}[{key}] cites unknown {set(ids) - known}"
        if spec.needs_fallback:
            assert "*" in frame.index, f"{name} needs a '*' row"
    speed = params.tables["rail_speed"].to_frame()
    assert (speed["speed_p50_kmh"] > 0).all()
    assert (speed["speed_p90_kmh"] <= speed["speed_p50_kmh"]).all()


def test_published_figures_are_carried_exactly() -> None:
    params = load_default_params()
    assert params.value("rail_speed", "CN", "speed_p50_kmh") == 80.2  # CPMM 2023 SWOD
    assert params.value("rail_speed", "KZ", "speed_p50_kmh") == pytest.approx(941 / 24, abs=0.01)
    assert params.value("rail_tariff", "KZ") == pytest.approx(2900 / 5430, abs=1e-3)  # ERAI 2023
    assert params.value("grid_intensity", "KZ") == 802.04  # OWID 2024
    assert params.factor("ferry") == 0.1297  # GLEC v3.0 Ro-Pax 10-20k GT WTW
    assert params.factor("rail_diesel") == pytest.approx(0.0179 * (1 + 6.7 / 27.82), abs=1e-5)
    assert params.scalar("tonnes_per_teu") == 10.0  # IMO EEOI
    assert params.scalar("ocean_freight_usd_per_feu_km") == pytest.approx(
        1553 / (10600 * 1.852), rel=1e-3
    )


def test_unknown_country_falls_back_to_star_row() -> None:
    params = load_default_params()
    assert params.resolve_key("rail_speed", "UZ") == "*"
    assert params.value("rail_speed", "UZ", "speed_p50_kmh") == params.value(
        "rail_speed", "*", "speed_p50_kmh"
    )
    with pytest.raises(ParameterError, match="facility_defaults has no row 'dock'"):
        params.value("facility_defaults", "dock", "dwell_p50_h")


def test_provenance_lists_sources_and_assumptions_of_used_rows() -> None:
    params = load_default_params()
    ids, assumptions = params.sources_of([RowRef("rail_speed", "BY"), RowRef("rail_tariff", "*")])
    assert ids == [
        "bch-transit-2015",
        "rzd-speed-2019",
        "erai-2023",
        "erai-distance",
        "landbridge-assumption",
    ]
    assert any(a.startswith("rail_speed[BY]: p90 borrows") for a in assumptions)
    assert any(a.startswith("rail_tariff[*]: no tariff found") for a in assumptions)


def test_override_file_replaces_cells_and_is_reported(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        "rail_speed:\n  KZ: {speed_p50_kmh: 45}\nrail_tariff:\n  UZ: {usd_per_feu_km: 0.3}\n"
        "scalars:\n  tonnes_per_teu: 12\nfacilities:\n  alashankou-dostyk: {dwell_p50_h: 3}\n",
    )
    base = load_default_params()
    params = load_params(path)
    assert params.value("rail_speed", "KZ", "speed_p50_kmh") == 45.0
    assert params.value("rail_speed", "KZ", "speed_p90_kmh") == base.value(
        "rail_speed", "KZ", "speed_p90_kmh"
    )
    assert params.value("rail_tariff", "UZ") == 0.3  # a new country row
    assert params.scalar("tonnes_per_teu") == 12.0
    assert params.facility_overrides == {"alashankou-dostyk": {"dwell_p50_h": 3.0}}
    assert base.value("rail_speed", "KZ", "speed_p50_kmh") != 45.0, (
        "the bundled tables must stay untouched"
    )
    _, assumptions = params.sources_of(
        [RowRef("rail_speed", "KZ"), RowRef("scalars", "tonnes_per_teu")]
    )
    assert f"rail_speed.KZ.speed_p50_kmh set by the parameter file {path}" in assumptions
    assert f"scalars.tonnes_per_teu.value set by the parameter file {path}" in assumptions


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (
            "rail_speed:\n  KZ: {speed_p50_kmh: -3}\n",
            r"rail_speed\.KZ\.speed_p50_kmh: Input should be greater than or equal to 1",
        ),
        # finite but absurd: typos and unit mistakes are refused, not priced
        (
            "rail_tariff:\n  KZ: {usd_per_feu_km: 1.0e+300}\n",
            r"rail_tariff\.KZ\.usd_per_feu_km: Input should be less than or equal to 100",
        ),
        (
            "facilities:\n  x: {dwell_p50_h: 100000}\n",
            r"facilities\.x\.dwell_p50_h: Input should be less than or equal to 8760",
        ),
        (
            "grid_intensity:\n  KZ: {g_co2e_per_kwh: 802040}\n",
            r"grid_intensity\.KZ\.g_co2e_per_kwh: Input should be less than or equal to 3000",
        ),
        (
            "rail_sped:\n  KZ: {speed_p50_kmh: 3}\n",
            r"rail_sped: Extra inputs are not permitted.*allowed tables",
        ),
        ("rail_speed:\n  KZ: {speed: 3}\n", r"rail_speed\.KZ\.speed: Extra inputs"),
        (
            "scalars:\n  tonnes_per_teu: 0\n",
            r"scalars\.tonnes_per_teu: Input should be greater than 0",
        ),
        ("electric_share:\n  KZ: {electric_share: 1.5}\n", r"electric_share\.KZ\.electric_share"),
        (
            "facility_defaults:\n  dock: {dwell_p50_h: 3}\n",
            r"facility_defaults\.dock: unknown kind",
        ),
        (
            "rail_speed:\n  KZ: {speed_p90_kmh: 90}\n",
            r"speed_p90_kmh must not exceed speed_p50_kmh.*KZ",
        ),
        (
            "facilities:\n  x: {dwell_p50_h: 9, dwell_p90_h: 2}\n",
            r"dwell_p90_h must be at least dwell_p50_h for \['x'\]",
        ),
        ("- just\n- a list\n", r"expected a mapping of table names"),
        ("rail_speed: [unclosed\n", r"not valid YAML"),
        (
            "rail_speed:\n  KZ: {speed_p50_kmh: fast}\n",
            r"rail_speed\.KZ\.speed_p50_kmh: Input should be a valid number",
        ),
    ],
)
def test_bad_override_files_name_the_key(tmp_path: Path, text: str, message: str) -> None:
    with pytest.raises(ParameterError, match=message):
        load_params(write(tmp_path, text))


def test_missing_override_file(tmp_path: Path) -> None:
    with pytest.raises(ParameterError, match="parameter file not found"):
        load_params(tmp_path / "nope.yaml")


def test_empty_override_file_changes_nothing(tmp_path: Path) -> None:
    params = load_params(write(tmp_path, ""))
    assert math.isclose(
        params.scalar("tonnes_per_teu"), load_default_params().scalar("tonnes_per_teu")
    )
