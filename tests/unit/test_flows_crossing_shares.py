"""The published crossing volumes read their recipe from data/demand/crossing_shares.csv."""

from __future__ import annotations

import pandas as pd
import pytest

from landbridge.errors import ParameterError
from landbridge.flows import demand as dem
from landbridge.flows import published
from landbridge.flows.published import ALTYNKOL, DOSTYK, crossing_shares, published_calibration


@pytest.mark.parametrize("year", dem.YEARS)
def test_the_crossings_share_the_year_total(year: int) -> None:
    rows = published_calibration(year)[:2]
    total = dem.cn_kz_totals(year)["total"][0]
    assert [r["element"] for r in rows] == ["Dostyk–Alashankou", "Altynkol–Khorgos"]
    assert sum(r["published"] for r in rows) == pytest.approx(total, rel=1e-12)


def test_2024_reads_both_crossings_from_the_january_april_sample() -> None:
    shares = crossing_shares(2024, 32e6, "s-total")
    dostyk, s_dostyk = dem.figure("dostyk_janapr_t", 2024)
    part, s_part = dem.figure("cn_kz_janapr_t", 2024)
    assert shares[DOSTYK][0] == dostyk / part
    assert shares[DOSTYK][1] == f"s-total;{s_part};{s_dostyk}"
    altynkol, _ = dem.figure("altynkol_janapr_t", 2024)
    assert shares[ALTYNKOL][0] == altynkol / part


def _table(monkeypatch: pytest.MonkeyPatch, rows: list[dict]) -> None:
    frame = pd.DataFrame(rows, columns=["year", "facility_id", "sample_figure", "figure_id",
                                        "derivation"])  # fmt: skip
    monkeypatch.setattr(dem, "load_crossing_shares", lambda: frame)


def test_the_row_without_a_figure_takes_the_rest_of_the_year_total(monkeypatch) -> None:
    _table(monkeypatch, [
        dict(year=2025, facility_id=ALTYNKOL, sample_figure="", figure_id="altynkol_t",
             derivation="a"),
        dict(year=2025, facility_id=DOSTYK, sample_figure="", figure_id="", derivation="b"),
    ])  # fmt: skip
    altynkol, _ = dem.figure("altynkol_t", 2025)
    shares = crossing_shares(2025, 40e6, "s")
    assert shares[ALTYNKOL][0] == altynkol / 40e6
    assert shares[DOSTYK][0] == 1.0 - altynkol / 40e6
    assert shares[DOSTYK][2] == "b"


def test_a_year_without_a_row_per_crossing_is_refused(monkeypatch) -> None:
    _table(monkeypatch, [
        dict(year=2024, facility_id=DOSTYK, sample_figure="", figure_id="", derivation=""),
    ])  # fmt: skip
    with pytest.raises(ParameterError, match="2024 needs one row for each of"):
        published.crossing_shares(2024, 1.0, "s")


def test_two_rows_without_a_figure_are_refused(monkeypatch) -> None:
    _table(monkeypatch, [
        dict(year=2024, facility_id=fid, sample_figure="", figure_id="", derivation="")
        for fid in (DOSTYK, ALTYNKOL)
    ])
    with pytest.raises(ParameterError, match="more than one row without a figure"):
        published.crossing_shares(2024, 1.0, "s")
