"""Resolve what users type (names in any script, UN/LOCODEs, coordinates) to places.

The gazetteer reads the compact places table (``data/places/places.csv``, built by
``landbridge.places.place_sources``) into flat arrays and a few dictionaries; ``Place`` models
are made only for the hits a search returns.

Scores (0..1) say how a query matched a spelling:
exact key or UN/LOCODE 1.0 > key without spaces 0.97 > whole-word prefix 0.9 > plain prefix 0.8 >
fuzzy (difflib ratio on trigram candidates, scaled by 0.8). ``resolve`` accepts 0.9 and above;
below that it raises ``UnknownPlaceError`` with the best matches as suggestions, so a typo is
never silently routed to a look-alike place.

Ranking among equal scores: curated terminals, then cities by population, stations, ports.
"""

from __future__ import annotations

import bisect
import csv
import difflib
import hashlib
import io
import pickle
import warnings
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from landbridge.csv_rows import read_text_rows
from landbridge.errors import InvalidInputError, NetworkDataError, OutputError, UnknownPlaceError
from landbridge.network.geo import chord_to_km, unit_vectors
from landbridge.outputs import write_bytes
from landbridge.paths import cache_dir
from landbridge.places.names import compact, normalize
from landbridge.places.place_query import (
    SUGGESTIONS,
    check_query,
    parse_coordinate,
    unknown_place,
)
from landbridge.places.place_sources import (
    ALIAS_SEPARATOR,
    COUNTRIES_TABLE,
    PLACE_COLUMNS,
    PLACES_TABLE,
)
from landbridge.schema.place import Place, PlaceMatch

if TYPE_CHECKING:  # scipy.spatial is imported only for coordinate queries (its import is slow)
    from scipy.spatial import cKDTree

SCORE_EXACT = 1.0
SCORE_COMPACT = 0.97
SCORE_WORD_PREFIX = 0.9
SCORE_PREFIX = 0.8
FUZZY_SCALE = 0.8  # a fuzzy hit always ranks below any prefix hit
FUZZY_MIN_RATIO = 0.6  # difflib ratio below which two spellings are unrelated
FUZZY_CANDIDATES = 200  # keys sharing the most trigrams that get a full difflib comparison
PREFIX_MIN_CHARS = 3  # shorter prefixes match too many names to be useful
PREFIX_MAX_HITS = 50
RESOLVE_MIN_SCORE = SCORE_WORD_PREFIX
NEAR_COORDINATE_KM = 50.0  # places listed under a coordinate query

# Curated first; then cities, stations, ports (a kind's rank breaks ties between equal scores).
_KIND_RANK = {"city": 1, "terminal": 1, "crossing": 1, "station": 2, "port": 3, "coordinate": 4}


@dataclass
class _Fuzzy:
    """Trigram index over the distinct keys in CSR form (one array, so the pickled gazetteer
    loads it fast): the keys holding trigram ``g`` are ``key_ids[offsets[s] : offsets[s + 1]]``
    with ``s = slot[g]``."""

    slot: dict[str, int]
    offsets: np.ndarray  # int64 [trigrams + 1]
    key_ids: np.ndarray  # int32, indexes into ``Gazetteer.keys``, ascending per trigram

    def postings(self, gram: str) -> np.ndarray | None:
        s = self.slot.get(gram)
        return None if s is None else self.key_ids[self.offsets[s] : self.offsets[s + 1]]


@dataclass
class Gazetteer:
    """Places as flat arrays plus lookup dictionaries. Build with ``Gazetteer.load()``."""

    place_id: list[str]
    name: list[str]
    kind: list[str]
    country: list[str]
    lat: np.ndarray
    lon: np.ndarray
    locode: list[str]
    population: np.ndarray  # int64, -1 when unknown
    curated: np.ndarray  # bool
    aliases: list[tuple[str, ...]]
    source: list[str]
    keys: list[str]  # distinct normalised spellings, sorted
    key_entries: list[list[tuple[int, str]]]  # per key: (place index, original spelling)
    key_index: dict[str, int]
    compact_index: dict[str, list[int]]
    locode_index: dict[str, list[int]]
    rank: np.ndarray  # int, smaller first among equal scores
    _fuzzy: _Fuzzy | None = field(default=None, repr=False)
    _tree: cKDTree | None = field(default=None, repr=False)
    _countries: dict[str, str] | None = field(default=None, repr=False)

    # ----------------------------------------------------------------- loading
    @classmethod
    def load(cls, path: Path | None = None) -> Gazetteer:
        """The gazetteer of the bundled places table (cached: later calls are free)."""
        return _load_cached(str(path or PLACES_TABLE))

    @classmethod
    def from_rows(cls, rows: list[dict[str, str]]) -> Gazetteer:
        """Build from places-table rows (dicts with the ``PLACE_COLUMNS`` keys)."""
        return cls.from_columns({c: [r.get(c, "") for r in rows] for c in PLACE_COLUMNS})

    @classmethod
    def from_columns(cls, cols: dict[str, list[str]]) -> Gazetteer:
        """Build from the places table as columns of strings (``keys`` computed if empty)."""
        names, locodes = cols["name"], cols["locode"]
        aliases = [tuple(a.split(ALIAS_SEPARATOR)) if a else () for a in cols["aliases"]]
        spellings: dict[str, list[tuple[int, str]]] = {}
        for i, (name, alias, stored) in enumerate(zip(names, aliases, cols["keys"], strict=True)):
            texts = (name, *alias)
            keys_i = stored.split(ALIAS_SEPARATOR) if stored else [normalize(t) for t in texts]
            for key, spelling in zip(keys_i, texts, strict=True):
                if key:
                    entries = spellings.setdefault(key, [])
                    if not entries or entries[-1][0] != i:
                        entries.append((i, spelling))
        keys = sorted(spellings)
        compact_index: dict[str, list[int]] = {}
        for k, key in enumerate(keys):
            compact_index.setdefault(compact(key), []).append(k)
        locode_index: dict[str, list[int]] = {}
        for i, code in enumerate(locodes):
            if code:
                locode_index.setdefault(code.upper(), []).append(i)
        curated = np.array(cols["curated"]) == "1"
        kind_rank = np.array([_KIND_RANK[k] for k in cols["kind"]], dtype=np.int8)
        population = np.array([p or "-1" for p in cols["population"]]).astype(np.int64)
        return cls(
            place_id=list(cols["place_id"]),
            name=list(names),
            kind=list(cols["kind"]),
            country=list(cols["country"]),
            lat=np.array(cols["lat"]).astype(np.float64),
            lon=np.array(cols["lon"]).astype(np.float64),
            locode=list(locodes),
            population=population,
            curated=curated,
            aliases=aliases,
            source=list(cols["source"]),
            keys=keys,
            key_entries=[spellings[k] for k in keys],
            key_index={k: i for i, k in enumerate(keys)},
            compact_index=compact_index,
            locode_index=locode_index,
            rank=np.where(curated, 0, kind_rank).astype(np.int8),
        )

    def __len__(self) -> int:
        return len(self.name)

    def place(self, i: int) -> Place:
        """The ``Place`` model of row ``i``."""
        return Place(
            place_id=self.place_id[i],
            name=self.name[i],
            kind=self.kind[i],
            country=self.country[i],
            lat=float(self.lat[i]),
            lon=float(self.lon[i]),
            aliases=self.aliases[i],
            locode=self.locode[i],
            population=int(self.population[i]) if self.population[i] >= 0 else None,
            curated=bool(self.curated[i]),
            source=self.source[i],
        )

    def by_id(self, place_id: str) -> Place:
        """The place with this ``place_id`` (e.g. ``terminal:dostyk``)."""
        try:
            return self.place(self.place_id.index(place_id))
        except ValueError:
            raise UnknownPlaceError(place_id, reason="no place has this id") from None

    # ----------------------------------------------------------------- search
    def search(self, query: str, limit: int = 10) -> list[PlaceMatch]:
        """Places matching ``query``, best first (at most ``limit``); empty list if none.

        ``query`` is a name in any script, a UN/LOCODE, a "lat,lon" pair, or a name qualified
        by a country after a comma ("Brest, Belarus", "Hamburg, DE"). Raises
        ``InvalidInputError`` for an empty or over-long query or out-of-range coordinates.
        """
        return self._search(query, limit, fuzzy_always=True)

    def _search(self, query: str, limit: int, fuzzy_always: bool) -> list[PlaceMatch]:
        """``search``; without ``fuzzy_always`` the fuzzy step runs only when nothing scores
        ``RESOLVE_MIN_SCORE`` or more (the best match is then the same)."""
        text = check_query(query)
        if limit < 1:
            raise InvalidInputError(f"limit must be at least 1, got {limit}")
        coordinate = parse_coordinate(text)
        if coordinate is not None:
            return self._near(text, *coordinate, limit=limit)
        qualified = self._split_country(text)
        if qualified is not None:
            name, iso2 = qualified
            ranked = self._ranked(name, fuzzy_room=len(self) if fuzzy_always else 1)
            in_country = [hit for hit in ranked if self.country[hit[0]] == iso2]
            # none in that country: the name's matches elsewhere become suggestions only
            ranked = in_country or [(i, score * FUZZY_SCALE, sp) for i, score, sp in ranked]
        else:
            ranked = self._ranked(text, fuzzy_room=limit if fuzzy_always else 1)
        return [
            PlaceMatch(place=self.place(i), score=round(score, 3), matched=spelling)
            for i, score, spelling in ranked[:limit]
        ]

    def country_code(self, text: str) -> str:
        """ISO2 code for a country name or code ("Germany", "de", "Türkiye"); '' if unknown."""
        if self._countries is None:
            self._countries = _load_countries(COUNTRIES_TABLE)
        word = text.strip()
        if len(word) == 2 and word.isalpha() and word.upper() in self._countries.values():
            return word.upper()
        return self._countries.get(normalize(word), "")

    def _split_country(self, text: str) -> tuple[str, str] | None:
        name, comma, qualifier = text.rpartition(",")
        if not comma or not normalize(name):
            return None
        iso2 = self.country_code(qualifier)
        return (name, iso2) if iso2 else None

    def _ranked(self, text: str, fuzzy_room: int) -> list[tuple[int, float, str]]:
        """(place, score, spelling) best first; fuzzy matching runs while fewer than
        ``fuzzy_room`` places matched exactly or by prefix."""
        best: dict[int, tuple[float, str]] = {}

        def offer(i: int, score: float, spelling: str) -> None:
            if score > best.get(i, (-1.0, ""))[0]:
                best[i] = (score, spelling)

        upper = text.strip().upper()
        for i in self.locode_index.get(upper, []) if len(upper) == 5 else []:
            offer(i, SCORE_EXACT, self.locode[i])
        key = normalize(text)
        if key:
            self._offer_keys(key, offer)
            if sum(score >= RESOLVE_MIN_SCORE for score, _ in best.values()) < fuzzy_room:
                self._offer_fuzzy(key, offer)
        order = sorted(
            best,
            key=lambda i: (
                -round(best[i][0], 3),
                int(self.rank[i]),
                -int(self.population[i]),
                self.name[i],
            ),
        )
        return [(i, best[i][0], best[i][1]) for i in order]

    def resolve(self, query: str) -> Place:
        """The one place ``query`` names; ``UnknownPlaceError`` with suggestions if none does."""
        # a fuzzy score (at most FUZZY_SCALE) never outranks one of RESOLVE_MIN_SCORE or more:
        # the fuzzy step runs only when nothing scores that much, or for an error's suggestions
        quick = self._search(query, limit=1, fuzzy_always=False)
        if quick and quick[0].score >= RESOLVE_MIN_SCORE:
            return quick[0].place
        matches = self.search(query, limit=SUGGESTIONS * 2)
        if matches and matches[0].score >= RESOLVE_MIN_SCORE:
            return matches[0].place
        raise unknown_place(query, matches)

    # ----------------------------------------------------------------- internals
    def _offer_fuzzy(self, key: str, offer: Callable[[int, float, str], None]) -> None:
        for k, ratio in self._fuzzy_keys(key):
            for i, spelling in self.key_entries[k]:
                offer(i, FUZZY_SCALE * ratio, spelling)

    def _offer_keys(self, key: str, offer: Callable[[int, float, str], None]) -> None:
        exact = self.key_index.get(key)
        if exact is not None:
            for i, spelling in self.key_entries[exact]:
                offer(i, SCORE_EXACT, spelling)
        for k in self.compact_index.get(compact(key), []):
            if k != exact:
                for i, spelling in self.key_entries[k]:
                    offer(i, SCORE_COMPACT, spelling)
        if len(key) >= PREFIX_MIN_CHARS:
            start = bisect.bisect_left(self.keys, key)
            for k in range(start, min(start + PREFIX_MAX_HITS, len(self.keys))):
                candidate = self.keys[k]
                if not candidate.startswith(key):
                    break
                if candidate == key:
                    continue
                score = SCORE_WORD_PREFIX if candidate[len(key)] == " " else SCORE_PREFIX
                for i, spelling in self.key_entries[k]:
                    offer(i, score, spelling)

    def _fuzzy_keys(self, key: str) -> list[tuple[int, float]]:
        if self._fuzzy is None:
            self._fuzzy = _build_trigrams(self.keys)
        found = (self._fuzzy.postings(g) for g in _trigrams(key))
        lists = [keys for keys in found if keys is not None]
        if not lists:
            return []
        shared = np.bincount(np.concatenate(lists), minlength=len(self.keys))
        top = np.flatnonzero(shared)
        if len(top) > FUZZY_CANDIDATES:
            top = top[np.argpartition(-shared[top], FUZZY_CANDIDATES)[:FUZZY_CANDIDATES]]
        matcher = difflib.SequenceMatcher(autojunk=False)
        matcher.set_seq2(key)
        out = []
        for k in top.tolist():
            matcher.set_seq1(self.keys[k])
            if matcher.real_quick_ratio() < FUZZY_MIN_RATIO:
                continue
            ratio = matcher.ratio()
            if ratio >= FUZZY_MIN_RATIO:
                out.append((k, ratio))
        return out

    def nearest(
        self, lat: float, lon: float, limit: int = SUGGESTIONS, max_km: float = NEAR_COORDINATE_KM
    ) -> list[PlaceMatch]:
        """Places within ``max_km`` of a point, nearest first; score falls linearly with distance
        (0.8 at the point, 0 at ``max_km``), ``matched`` says how far."""
        parse_coordinate(f"{lat},{lon}")  # range check with the usual message
        if limit < 1 or not len(self):
            return []
        if self._tree is None:
            from scipy.spatial import cKDTree

            self._tree = cKDTree(unit_vectors(self.lon, self.lat))
        label = f"{lat:.5f}, {lon:.5f}"
        point = unit_vectors(np.array([lon]), np.array([lat]))[0]
        chord, idx = self._tree.query(point, k=min(limit, len(self)))
        out = []
        for c, i in zip(np.atleast_1d(chord), np.atleast_1d(idx), strict=True):
            km = float(chord_to_km(float(c)))
            if km <= max_km:
                score = round(max(0.0, 1.0 - km / max_km) * SCORE_PREFIX, 3)
                out.append(PlaceMatch(place=self.place(int(i)), score=score,
                                      matched=f"{km:.1f} km from {label}"))  # fmt: skip
        return out

    def _near(self, text: str, lat: float, lon: float, limit: int) -> list[PlaceMatch]:
        label = f"{lat:.5f}, {lon:.5f}"
        point = Place(place_id=f"coordinate:{lat:.5f},{lon:.5f}", name=label, kind="coordinate",
                      lat=lat, lon=lon)  # fmt: skip
        out = [PlaceMatch(place=point, score=SCORE_EXACT, matched=text.strip())]
        return out + self.nearest(lat, lon, limit=limit - 1)


@lru_cache(maxsize=4)
def _load_cached(path: str) -> Gazetteer:
    try:
        data = Path(path).read_bytes()
    except FileNotFoundError:
        raise NetworkDataError(
            f"places table missing: {path}; rebuild it with "
            "'python -m landbridge.places.place_sources' or restore it from the repository"
        ) from None
    # the key also covers the class layout and its module (a pickle names the class by module
    # path), so a changed or moved Gazetteer never reads an old pickle
    layout = f"{Gazetteer.__module__}:{','.join(Gazetteer.__dataclass_fields__)}".encode()
    pickled = _pickle_path(hashlib.sha256(data + layout).hexdigest())
    cached = _read_pickle(pickled)
    if cached is not None:
        return cached
    gazetteer = _parse_table(data.decode("utf-8"), path)
    gazetteer._fuzzy = _build_trigrams(gazetteer.keys)  # most queries need it: keep it pickled
    _write_pickle(gazetteer, pickled)
    return gazetteer


def _parse_table(text: str, path: str) -> Gazetteer:
    try:
        reader = csv.reader(io.StringIO(text, newline=""))
        header = next(reader, [])
        missing = [c for c in PLACE_COLUMNS if c not in header and c != "keys"]
        if missing:
            raise NetworkDataError(f"places table {path} lacks columns {missing}")
        columns = list(zip(*reader, strict=True)) or [()] * len(header)
        table = dict(zip(header, map(list, columns), strict=True))
    except ValueError as exc:
        raise NetworkDataError(f"places table {path} is malformed ({exc}); restore it") from None
    table.setdefault("keys", [""] * len(table["name"]))  # optional: computed when absent
    return Gazetteer.from_columns(table)


# The parsed gazetteer, with its trigram index, is kept in the user cache, keyed by the table's
# SHA-256: unpickling is several times faster than parsing and indexing the CSV. An unreadable
# cache is rebuilt with a warning; bump the format when the indexing code changes.
GAZETTEER_CACHE_FORMAT = 2


class GazetteerCacheWarning(UserWarning):
    """The gazetteer cache file was damaged and has been rebuilt."""


def _pickle_path(digest: str) -> Path | None:
    try:
        return cache_dir() / f"gazetteer-v{GAZETTEER_CACHE_FORMAT}-{digest[:20]}.pkl"
    except OSError:
        return None


def _read_pickle(path: Path | None) -> Gazetteer | None:
    if path is None or not path.is_file():
        return None
    try:
        obj = pickle.loads(path.read_bytes())
    except Exception as exc:  # noqa: BLE001 - a damaged cache of any kind is rebuilt
        warnings.warn(
            f"gazetteer cache {path} is damaged ({type(exc).__name__}); rebuilding it",
            GazetteerCacheWarning, stacklevel=4,
        )  # fmt: skip
        return None
    if not isinstance(obj, Gazetteer):
        warnings.warn(
            f"gazetteer cache {path} holds a {type(obj).__name__}; rebuilding it",
            GazetteerCacheWarning, stacklevel=4,
        )  # fmt: skip
        return None
    return obj


def _write_pickle(gazetteer: Gazetteer, path: Path | None) -> None:
    if path is None:
        return
    try:
        for old in path.parent.glob("gazetteer-v*.pkl"):  # older formats too
            old.unlink(missing_ok=True)
        write_bytes(path, pickle.dumps(gazetteer, protocol=pickle.HIGHEST_PROTOCOL),
                    "gazetteer cache")  # fmt: skip
    except (OSError, OutputError):
        return  # a read-only or full cache only costs speed


def _load_countries(path: Path) -> dict[str, str]:
    """Normalised country name -> ISO2 from ``countries.csv`` (empty if the file is absent)."""
    if not path.is_file():
        return {}
    rows = read_text_rows(path, ("name", "iso2"), NetworkDataError)
    return {normalize(row["name"]): row["iso2"] for row in rows}


def _trigrams(key: str) -> set[str]:
    padded = f"  {key} "
    return {padded[i : i + 3] for i in range(len(padded) - 2)}


def _build_trigrams(keys: list[str]) -> _Fuzzy:
    postings: dict[str, list[int]] = {}
    for k, key in enumerate(keys):
        for gram in _trigrams(key):
            postings.setdefault(gram, []).append(k)
    offsets = np.zeros(len(postings) + 1, dtype=np.int64)
    np.cumsum([len(ks) for ks in postings.values()], out=offsets[1:])
    key_ids = np.fromiter(
        (k for ks in postings.values() for k in ks), dtype=np.int32, count=int(offsets[-1])
    )
    return _Fuzzy({g: s for s, g in enumerate(postings)}, offsets, key_ids)


def search(query: str, limit: int = 10) -> list[PlaceMatch]:
    """Search the bundled gazetteer (see ``Gazetteer.search``)."""
    return Gazetteer.load().search(query, limit=limit)


def resolve(query: str) -> Place:
    """Resolve with the bundled gazetteer (see ``Gazetteer.resolve``)."""
    return Gazetteer.load().resolve(query)
