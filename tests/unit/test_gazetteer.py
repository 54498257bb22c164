"""Gazetteer: spellings in several scripts, UN/LOCODEs, coordinates, typos, ranking, errors."""

from __future__ import annotations

import csv
import struct

import pytest

from landbridge.errors import InvalidInputError, NetworkDataError, UnknownPlaceError
from landbridge.places.gazetteer import Gazetteer
from landbridge.places.names import normalize, transliterate
from landbridge.places.place_query import MAX_QUERY_CHARS, parse_coordinate
from landbridge.places.place_sources import (
    COUNTRIES_TABLE,
    PLACES_TABLE,
    TERMINALS_TABLE,
    build_places_table,
    gpkg_point,
    read_country_names,
    render_countries_csv,
    render_places_csv,
)


@pytest.fixture(scope="module")
def gaz() -> Gazetteer:
    return Gazetteer.load()


@pytest.mark.parametrize(
    ("query", "place_id"),
    [
        ("Xi'an", "terminal:xian-itp"),
        ("Xian", "terminal:xian-itp"),
        ("xi’an", "terminal:xian-itp"),
        ("XI-AN", "terminal:xian-itp"),
        ("西安", "terminal:xian-itp"),
        ("Xi'an International Trade & Logistics Park", "terminal:xian-itp"),
        ("Dostyk", "terminal:dostyk"),
        ("Достык", "terminal:dostyk"),
        ("Достық", "terminal:dostyk"),
        ("DOSTYK", "terminal:dostyk"),
        ("Małaszewicze", "terminal:malaszewicze"),
        ("Malaszewicze", "terminal:malaszewicze"),
        ("MAŁASZEWICZE", "terminal:malaszewicze"),
        ("Alashankou", "terminal:alashankou"),
        ("阿拉山口", "terminal:alashankou"),
        ("Alataw Pass", "terminal:alashankou"),
        ("Khorgos", "terminal:khorgos"),
        ("Horgos", "terminal:khorgos"),
        ("Qorgas", "terminal:khorgos"),
        ("霍尔果斯", "terminal:khorgos"),
        ("Altynkol", "terminal:khorgos-gateway"),
        ("Khorgos Gateway", "terminal:khorgos-gateway"),
        ("Saryagash", "terminal:saryagash"),
        ("Сарыагаш", "terminal:saryagash"),
        ("Petropavlovsk", "terminal:petropavl"),
        ("Nur-Sultan", "terminal:astana"),
        ("Alma-Ata", "terminal:almaty"),
        ("Łódź", "terminal:lodz"),
        ("Lodz", "terminal:lodz"),
        ("Constanta", "terminal:constanta"),
        ("Constanța", "terminal:constanta"),
        ("Ürümqi", "terminal:urumqi"),
        ("Urumqi", "terminal:urumqi"),
        ("Alat", "terminal:baku-alat"),
        ("Ələt", "terminal:baku-alat"),
        ("Baku", "terminal:baku-alat"),
        ("Türkmenbaşy", "terminal:turkmenbashi"),
        ("Krasnovodsk", "terminal:turkmenbashi"),
        ("Tuanjiecun", "terminal:chongqing-tuanjiecun"),
        ("Qingbaijiang", "terminal:chengdu-qingbaijiang"),
        ("İstanbul", "terminal:istanbul"),
        ("  duisburg  ", "terminal:duisburg"),
    ],
)
def test_spellings_resolve_to_the_curated_place(gaz: Gazetteer, query: str, place_id: str) -> None:
    assert gaz.resolve(query).place_id == place_id


def _terminal_rows() -> list[dict[str, str]]:
    with TERMINALS_TABLE.open(encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


@pytest.mark.parametrize("row", _terminal_rows(), ids=lambda r: r["place_id"])
def test_every_curated_terminal_resolves_by_name_and_aliases(
    gaz: Gazetteer, row: dict[str, str]
) -> None:
    expected = f"terminal:{row['place_id']}"
    assert gaz.resolve(row["name"]).place_id == expected
    for alias in row["aliases"].split("|"):
        hit = gaz.search(alias, limit=1)[0]
        assert hit.score == 1.0, alias
        assert hit.place.place_id == expected, alias


def test_curated_terminals_carry_country_coordinates_and_sources(gaz: Gazetteer) -> None:
    terminals = [gaz.by_id(f"terminal:{r['place_id']}") for r in _terminal_rows()]
    assert len(terminals) >= 44
    for place in terminals:
        assert place.curated and len(place.country) == 2 and place.source, place.place_id
    # coordinates taken from the raw record the row refers to
    dostyk, osm_dostyk = gaz.by_id("terminal:dostyk"), gaz.by_id("osm:4025083258")
    assert (dostyk.lat, dostyk.lon) == (osm_dostyk.lat, osm_dostyk.lon)
    assert gaz.by_id("terminal:aktau").lat == pytest.approx(43.682325)
    assert gaz.by_id("terminal:alashankou").lon == pytest.approx(82.57028)


@pytest.mark.parametrize(
    ("code", "place_id"),
    [
        ("DEDUI", "terminal:duisburg"),
        ("dedui", "terminal:duisburg"),
        ("KZAAU", "terminal:aktau"),
        ("CNXAN", "terminal:xian-itp"),
        ("GEPTI", "terminal:poti"),
        ("ROCND", "terminal:constanta"),
        ("TMKRW", "terminal:turkmenbashi"),
    ],
)
def test_unlocode(gaz: Gazetteer, code: str, place_id: str) -> None:
    place = gaz.resolve(code)
    assert place.place_id == place_id
    assert place.locode == code.upper()


def test_searoute_port_country_fix(gaz: Gazetteer) -> None:
    assert gaz.by_id("port:TKMRW").country == "TM"
    assert gaz.by_id("port:DEHAM").country == "DE"


@pytest.mark.parametrize(
    ("text", "lat", "lon"),
    [
        ("51.43,6.76", 51.43, 6.76),
        ("51.43 6.76", 51.43, 6.76),
        (" 51.43 ; 6.76 ", 51.43, 6.76),
        ("51,43 6,76", 51.43, 6.76),
        ("51.43N 6.76E", 51.43, 6.76),
        ("6.76E 51.43N", 51.43, 6.76),
        ("33.9S, 18.4W", -33.9, -18.4),
        ("-33.9,-18.4", -33.9, -18.4),
        ("90,180", 90.0, 180.0),
    ],
)
def test_coordinates(gaz: Gazetteer, text: str, lat: float, lon: float) -> None:
    assert parse_coordinate(text) == pytest.approx((lat, lon))
    place = gaz.resolve(text)
    assert place.kind == "coordinate"
    assert (place.lat, place.lon) == pytest.approx((lat, lon))


def test_coordinate_search_lists_nearby_places(gaz: Gazetteer) -> None:
    matches = gaz.search("51.43,6.76", limit=5)
    assert matches[0].place.kind == "coordinate"
    assert matches[1].place.name == "Duisburg"
    assert "km from" in matches[1].matched
    assert matches[1].score < matches[0].score


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("95,200", "latitude 95 out of range"),
        ("-91 0", "latitude -91 out of range"),
        ("45,200", "longitude 200 out of range"),
        ("45 -180.5", "longitude -180.5 out of range"),
    ],
)
def test_coordinates_out_of_range(gaz: Gazetteer, text: str, message: str) -> None:
    with pytest.raises(InvalidInputError, match=message):
        gaz.search(text)


def test_not_a_coordinate() -> None:
    assert parse_coordinate("Dostyk") is None
    assert parse_coordinate("51.43") is None
    assert parse_coordinate("1 2 3") is None


@pytest.mark.parametrize(
    ("typo", "suggestion"),
    [
        ("Dostik", "Dostyk (KZ)"),
        ("Duisbrug", "Duisburg (DE)"),
        ("Malashevicze", "Małaszewicze (PL)"),
        ("Alashankuo", "Alashankou (CN)"),
        ("Urumchi Sanpin", "Urumqi (CN)"),
    ],
)
def test_typos_raise_with_suggestions(gaz: Gazetteer, typo: str, suggestion: str) -> None:
    with pytest.raises(UnknownPlaceError) as info:
        gaz.resolve(typo)
    assert info.value.query == typo
    assert suggestion in info.value.suggestions
    assert len(info.value.suggestions) == len(set(info.value.suggestions))


def test_unknown_place_message(gaz: Gazetteer) -> None:
    with pytest.raises(UnknownPlaceError) as info:
        gaz.resolve("Dostik")
    message = str(info.value)
    assert message.startswith("Unknown place 'Dostik'. Did you mean: Dostyk (KZ)")
    assert "\n" not in message
    with pytest.raises(UnknownPlaceError, match="no letters or digits"):
        gaz.resolve("!!!")
    with pytest.raises(UnknownPlaceError, match="^Unknown place 'Qqqqxxzzv'.$"):
        gaz.resolve("Qqqqxxzzv")


def test_bad_queries(gaz: Gazetteer) -> None:
    with pytest.raises(InvalidInputError, match="empty place query"):
        gaz.search("   ")
    with pytest.raises(InvalidInputError, match=f"at most {MAX_QUERY_CHARS}"):
        gaz.search("x" * 1000)
    with pytest.raises(InvalidInputError, match="limit"):
        gaz.search("Dostyk", limit=0)


def test_ranking_curated_then_cities_then_stations_then_ports(gaz: Gazetteer) -> None:
    kinds = [(m.place.curated, m.place.kind) for m in gaz.search("Xian", limit=3)]
    assert kinds == [(True, "terminal"), (False, "city"), (False, "port")]
    dostyk = gaz.search("Dostyk", limit=5)
    assert dostyk[0].place.place_id == "terminal:dostyk"
    # the homonym station in West Kazakhstan is found, ranked after the curated crossing
    assert "osm:4038453578" in [m.place.place_id for m in dostyk[1:]]


def test_population_breaks_ties_between_cities(gaz: Gazetteer) -> None:
    hits = [m for m in gaz.search("Hyderabad", limit=10) if m.place.kind == "city"]
    assert [m.place.country for m in hits[:2]] == ["IN", "PK"]  # 6.4 M before 1.5 M
    hits = [m for m in gaz.search("Valencia", limit=10) if m.place.kind == "city"]
    assert [m.place.country for m in hits[:2]] == ["VE", "ES"]  # 1.77 M before 0.81 M


def test_exact_beats_prefix_beats_fuzzy(gaz: Gazetteer) -> None:
    scores = {m.matched: m.score for m in gaz.search("Petropavl", limit=10)}
    assert scores["Petropavl"] == 1.0
    assert scores["Петропавловск"] == pytest.approx(0.8)  # plain prefix of the translit
    almaty = {m.place.place_id: m.score for m in gaz.search("Almaty", limit=10)}
    assert almaty["osm:260543817"] == pytest.approx(0.9)  # whole-word prefix of "almaty 1"


def test_osm_station_found_by_latin_transliteration(gaz: Gazetteer) -> None:
    hit = gaz.search("Sary-Agach", limit=3)
    assert ("osm:4041813395", 1.0) in [(m.place.place_id, m.score) for m in hit]
    assert gaz.by_id("osm:4041813395").aliases == ("Sary-Agach",)


def test_load_is_cached_and_by_id_errors(gaz: Gazetteer) -> None:
    assert Gazetteer.load() is Gazetteer.load()
    with pytest.raises(UnknownPlaceError, match="no place has this id"):
        gaz.by_id("terminal:atlantis")


def test_missing_table_is_a_network_data_error(tmp_path) -> None:
    with pytest.raises(NetworkDataError, match="places table missing"):
        Gazetteer.load(tmp_path / "nope.csv")


@pytest.mark.parametrize(
    ("text", "key"),
    [
        ("Xi'an", "xian"),
        ("XI-AN", "xi an"),
        ("Сарыагаш", "saryagash"),
        ("Достық", "dostyk"),
        ("Ақтоғай", "aktogay"),
        ("Łódź", "lodz"),
        ("Ələt", "alat"),
        ("Türkmenbaşy", "turkmenbasy"),
        ("Constanța", "constanta"),
        ("西安", "西安"),
        ("  Alma--Ata!! ", "alma ata"),
    ],
)
def test_normalize(text: str, key: str) -> None:
    assert normalize(text) == key


def test_transliterate_keeps_case_and_punctuation() -> None:
    assert transliterate("Сары-Агач") == "Sary-Agach"
    assert transliterate("Шығыс Ақтоғай") == "Shygys Aktogay"
    assert transliterate("Km 5") == "Km 5"


def _gpkg_blob(lon: float, lat: float, envelope: int, big_endian: bool) -> bytes:
    flags = (envelope << 1) | (0 if big_endian else 1)
    env_bytes = {0: 0, 1: 32, 2: 48, 3: 48, 4: 64}[envelope]
    order = ">" if big_endian else "<"
    header = b"GP\x00" + bytes([flags]) + struct.pack(order + "i", 4326) + b"\x00" * env_bytes
    wkb = (b"\x00" if big_endian else b"\x01") + struct.pack(order + "Idd", 1, lon, lat)
    return header + wkb


@pytest.mark.parametrize(("envelope", "big_endian"), [(0, False), (1, False), (2, True)])
def test_gpkg_point(envelope: int, big_endian: bool) -> None:
    assert gpkg_point(_gpkg_blob(82.5, 45.25, envelope, big_endian)) == (82.5, 45.25)


def test_gpkg_point_rejects_other_blobs() -> None:
    with pytest.raises(NetworkDataError, match="GeoPackage"):
        gpkg_point(b"XX\x00\x01" + b"\x00" * 30)
    line = b"GP\x00\x01" + struct.pack("<i", 4326) + b"\x01" + struct.pack("<I", 2) + b"\x00" * 40
    with pytest.raises(NetworkDataError, match="WKB Point"):
        gpkg_point(line)


def test_places_table_is_reproducible_from_the_raw_sources() -> None:
    committed = PLACES_TABLE.read_text(encoding="utf-8")
    assert render_places_csv(build_places_table()) == committed, (
        "data/places/places.csv is stale: run 'python -m landbridge.places.place_sources'"
    )


def test_places_table_counts() -> None:
    rows = build_places_table()
    kinds = {
        k: sum(r.kind == k for r in rows if not r.curated) for k in ("city", "station", "port")
    }
    assert kinds == {"city": 1249, "station": 1636, "port": 3957}
    assert len({r.place_id for r in rows}) == len(rows)


@pytest.mark.parametrize(
    ("query", "place_id"),
    [
        ("Brest, Belarus", "terminal:brest"),
        ("Brest, BY", "terminal:brest"),
        ("Hamburg, DE", "terminal:hamburg"),
        ("Dostyk, Kazakhstan", "terminal:dostyk"),
        ("Istanbul, Türkiye", "terminal:istanbul"),
        ("Kars, Turkey", "terminal:kars"),
    ],
)
def test_country_qualified_names(gaz: Gazetteer, query: str, place_id: str) -> None:
    assert gaz.resolve(query).place_id == place_id


def test_country_qualifier_filters_homonyms(gaz: Gazetteer) -> None:
    for query in ("Brest, France", "Brest, fr"):
        hits = gaz.search(query, limit=5)
        assert hits and {m.place.country for m in hits} == {"FR"}
    # a name the country does not have: suggestions from elsewhere, never a resolution
    with pytest.raises(UnknownPlaceError) as info:
        gaz.resolve("Brest, Germany")
    assert "Brest (BY)" in info.value.suggestions and "Brest (FR)" in info.value.suggestions
    # a qualifier that is no country is part of the name (Natural Earth's "Xi'an, Shaanxi")
    assert gaz.resolve("Xi'an, Shaanxi").name == "Xian"


def test_country_code(gaz: Gazetteer) -> None:
    assert gaz.country_code("Germany") == "DE"
    assert gaz.country_code(" kazakhstan ") == "KZ"
    assert gaz.country_code("de") == "DE"
    assert gaz.country_code("Türkiye") == "TR"
    assert gaz.country_code("Atlantis") == ""
    assert gaz.country_code("QQ") == ""


def test_countries_table_is_reproducible() -> None:
    committed = COUNTRIES_TABLE.read_text(encoding="utf-8")
    assert render_countries_csv(read_country_names()) == committed


def test_parsed_table_is_cached_and_a_damaged_cache_is_rebuilt(tmp_path, monkeypatch) -> None:
    from landbridge.places import gazetteer as module

    monkeypatch.setenv("LANDBRIDGE_CACHE", str(tmp_path))
    table = tmp_path / "places.csv"
    table.write_bytes(PLACES_TABLE.read_bytes())
    module._load_cached.cache_clear()
    first = Gazetteer.load(table)
    (pickled,) = tmp_path.glob("gazetteer-v*.pkl")
    module._load_cached.cache_clear()
    second = Gazetteer.load(table)
    assert second is not first and second.resolve("Dostyk").place_id == "terminal:dostyk"
    assert second._fuzzy is not None  # the trigram index comes with the pickle, not rebuilt
    assert second.search("Dostik")[0].place.place_id == "terminal:dostyk"
    pickled.write_bytes(b"not a pickle")
    module._load_cached.cache_clear()
    with pytest.warns(module.GazetteerCacheWarning, match="damaged"):
        assert Gazetteer.load(table).resolve("Dostyk").place_id == "terminal:dostyk"
    assert pickled.read_bytes() != b"not a pickle"  # rewritten
    table.write_text(table.read_text(encoding="utf-8").replace("Dostyk,", "Dostyq,", 1))
    module._load_cached.cache_clear()
    assert Gazetteer.load(table).by_id("terminal:dostyk").name == "Dostyq"  # new table, new key
    assert len(list(tmp_path.glob("gazetteer-v*.pkl"))) == 1  # the old pickle is removed
    module._load_cached.cache_clear()


@pytest.mark.parametrize(
    ("query", "name", "country"),
    [
        ("Karaganda", "Qaraghandy", "KZ"),
        ("Қарағанды", "Qaraghandy", "KZ"),
        ("Ust-Kamenogorsk", "Oskemen", "KZ"),
        ("Aktobe", "Aqtobe", "KZ"),
        ("Samarkand", "Samarqand", "UZ"),
        ("Санкт-Петербург", "St. Petersburg", "RU"),
        ("北京", "Beijing", "CN"),
        ("Shenyang", "Shenyeng", "CN"),
        ("喀什", "Kashgar", "CN"),
        ("Ghulja", "Yining", "CN"),
    ],
)
def test_extra_aliases_of_natural_earth_cities(
    gaz: Gazetteer, query: str, name: str, country: str
) -> None:
    place = gaz.resolve(query)
    assert (place.name, place.country, place.kind) == (name, country, "city")
    assert "landbridge-place-aliases" in place.source.split(";")


def test_custom_table_without_keys_and_malformed_tables(tmp_path, monkeypatch) -> None:
    from landbridge.places import gazetteer as module

    monkeypatch.setenv("LANDBRIDGE_CACHE", str(tmp_path / "cache"))
    header = "place_id,name,kind,country,lat,lon,locode,population,curated,aliases,source\n"
    table = tmp_path / "mine.csv"
    table.write_text(header + "x:1,Test Yard,station,KZ,45.0,80.0,,,0,Тест,\n", encoding="utf-8")
    module._load_cached.cache_clear()
    assert Gazetteer.load(table).resolve("Тест").name == "Test Yard"
    bad = tmp_path / "bad.csv"
    bad.write_text(header + "x:1,Too,few\n", encoding="utf-8")
    with pytest.raises(NetworkDataError, match="malformed"):
        Gazetteer.load(bad)
    bad.write_text("name,lat\nA,1\n", encoding="utf-8")
    module._load_cached.cache_clear()
    with pytest.raises(NetworkDataError, match="lacks columns"):
        Gazetteer.load(bad)
    module._load_cached.cache_clear()


def test_nearest_places_to_a_point(gaz: Gazetteer) -> None:
    dostyk = gaz.by_id("terminal:dostyk")
    hits = gaz.nearest(dostyk.lat, dostyk.lon, limit=3)
    assert {hits[0].place.place_id, hits[1].place.place_id} == {"terminal:dostyk", "osm:4025083258"}
    assert hits[0].score == pytest.approx(0.8) and hits[0].matched.startswith("0.0 km from")
    assert [h.score for h in hits] == sorted((h.score for h in hits), reverse=True)
    assert gaz.nearest(0.0, -30.0) == []  # mid-Atlantic: nothing within 50 km
    with pytest.raises(InvalidInputError, match="latitude 91 out of range"):
        gaz.nearest(91.0, 0.0)


def test_resolve_is_the_best_match_of_the_full_search(gaz: Gazetteer) -> None:
    """resolve skips the fuzzy step when a match scores 0.9 or more: same place, same error."""
    from landbridge.places.gazetteer import RESOLVE_MIN_SCORE
    from landbridge.places.place_query import unknown_place

    queries = [gaz.name[i] for i in range(0, len(gaz), 97)]
    queries += [key[: max(3, len(key) - 2)] for key in gaz.keys[::151]]  # prefixes
    queries += [key.replace("a", "e", 1) for key in gaz.keys[::149]]  # typos
    queries += [
        f"{gaz.name[i]}, {c}" for i in range(0, len(gaz), 491) for c in ("DE", "Kazakhstan")
    ]
    queries += ["Xi'an", "Dostik", "Brest, Belarus", "Brest, France", "51.43,6.76", "qqqq"]
    for query in queries:
        matches = gaz.search(query, limit=10)
        if matches and matches[0].score >= RESOLVE_MIN_SCORE:
            assert gaz.resolve(query) == matches[0].place, query
        else:
            with pytest.raises(UnknownPlaceError) as err:
                gaz.resolve(query)
            assert str(err.value) == str(unknown_place(query, matches)), query
