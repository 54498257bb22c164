"""Any text a user may type gets ranked matches or a typed error: never a crash, never a hang."""

from __future__ import annotations

import csv

from hypothesis import given, settings
from hypothesis import strategies as st

from landbridge.errors import InvalidInputError, LandbridgeError
from landbridge.network.gazetteer import MAX_QUERY_CHARS, RESOLVE_MIN_SCORE, Gazetteer
from landbridge.network.names import normalize
from landbridge.network.place_sources import TERMINALS_TABLE

GAZ = Gazetteer.load()
with TERMINALS_TABLE.open(encoding="utf-8", newline="") as _fh:
    TERMINAL_NAMES = sorted({r["name"] for r in csv.DictReader(_fh)})

queries = st.one_of(
    st.text(max_size=60),
    st.text(alphabet="абвгдежзийклмнопрстуфхцчшщъыьэюяәғқңөұүһі -'", max_size=30),
    st.text(alphabet="西安阿拉山口霍尔果斯乌鲁木齐连云港 ", max_size=10),
    st.text(alphabet="0123456789.,;-+ NSEW°", max_size=25),
    st.text(min_size=MAX_QUERY_CHARS - 5, max_size=1000),
)


@settings(max_examples=300, deadline=None)
@given(queries, st.integers(min_value=1, max_value=20))
def test_search_returns_ranked_matches_or_a_typed_error(query: str, limit: int) -> None:
    try:
        matches = GAZ.search(query, limit=limit)
    except LandbridgeError as exc:
        assert str(exc)
        return
    assert len(matches) <= limit
    scores = [m.score for m in matches]
    assert all(0.0 <= s <= 1.0 for s in scores)
    non_coordinate = [m.score for m in matches if m.place.kind != "coordinate"]
    assert non_coordinate == sorted(non_coordinate, reverse=True)


@settings(max_examples=200, deadline=None)
@given(queries)
def test_resolve_returns_a_place_or_a_typed_error(query: str) -> None:
    try:
        place = GAZ.resolve(query)
    except LandbridgeError as exc:
        assert "\n" not in str(exc)
        return
    assert GAZ.search(query, limit=1)[0].score >= RESOLVE_MIN_SCORE
    assert place.name


@settings(max_examples=100, deadline=None)
@given(st.text(min_size=MAX_QUERY_CHARS + 1, max_size=5000))
def test_over_long_queries_are_refused(query: str) -> None:
    try:
        GAZ.search(query)
    except InvalidInputError as exc:
        assert "too long" in str(exc)
    else:
        raise AssertionError("an over-long query was searched")


@settings(max_examples=200, deadline=None)
@given(st.sampled_from(TERMINAL_NAMES), st.data())
def test_terminal_names_survive_case_and_spacing_changes(name: str, data: st.DataObject) -> None:
    flips = data.draw(st.lists(st.booleans(), min_size=len(name), max_size=len(name)))
    mangled = "".join(c.upper() if f else c.lower() for c, f in zip(name, flips, strict=True))
    mangled = (
        data.draw(st.sampled_from(["", " ", "  "]))
        + mangled
        + data.draw(st.sampled_from(["", " "]))
    )
    assert GAZ.resolve(mangled).name == name


@settings(max_examples=500, deadline=None)
@given(st.text(max_size=40))
def test_normalize_is_idempotent(text: str) -> None:
    key = normalize(text)
    assert normalize(key) == key
