"""Which side of a 1:10m land border a railway vertex lies on.

The 1:50m country polygons are generalised by several km, so a line that runs beside a border
(Shu–Taraz along the Kyrgyz border, the Danube line at the Iron Gates, the lines round
Salzburg) flickers into the neighbour and makes phantom crossings. Natural Earth's 1:10m land
boundary lines carry the country on each side (``iso2_left``/``iso2_right`` relative to the
digitised direction); a vertex close to such a line takes the country of its side.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import shapely

from landbridge.errors import NetworkDataError
from landbridge.network.build.countries import NO_COUNTRY

# Vertices this close to a 1:10m border (degrees, about 15 km) take its side; farther ones keep
# their 1:50m polygon country. Wider than the polygons' generalisation (a few km), narrower
# than the gap between two parallel borders on the study lines.
SIDE_MAX_DEG = 0.15


@dataclass(frozen=True)
class BoundaryLines:
    """The 1:10m land borders between study countries as single segments."""

    start: np.ndarray  # [k, 2] lon/lat of each segment's start
    end: np.ndarray  # [k, 2]
    prev_dir: np.ndarray  # [k, 2] direction of the previous segment of the same line (or own)
    next_dir: np.ndarray  # [k, 2] direction of the next segment of the same line (or own)
    left: np.ndarray  # int16 [k], index into the study countries
    right: np.ndarray  # int16 [k]
    tree: shapely.STRtree

    def side_country(self, lon: np.ndarray, lat: np.ndarray, current: np.ndarray) -> np.ndarray:
        """``current`` with every vertex near a border given the country of its side.

        A vertex keeps ``current`` when it is farther than ``SIDE_MAX_DEG`` from every border,
        or when its 1:50m country is neither side of the nearest border (a tri-point area)."""
        out = np.asarray(current).astype(np.int16).copy()
        if not len(self.left) or not len(lon):
            return out
        pts = shapely.points(np.asarray(lon, float), np.asarray(lat, float))
        idx = self.tree.query_nearest(pts, max_distance=SIDE_MAX_DEG, all_matches=False)
        p_i, s_i = idx[0], idx[1]
        if not len(p_i):
            return out
        p = np.column_stack([np.asarray(lon, float)[p_i], np.asarray(lat, float)[p_i]])
        a, b = self.start[s_i], self.end[s_i]
        d = b - a
        t = np.einsum("ij,ij->i", p - a, d) / np.maximum(np.einsum("ij,ij->i", d, d), 1e-18)
        # at a segment end the side is taken against the bisector of the two segments there
        direction = np.where(
            (t <= 0)[:, None],
            _unit(self.prev_dir[s_i]) + _unit(d),
            np.where((t >= 1)[:, None], _unit(d) + _unit(self.next_dir[s_i]), d),
        )
        foot = a + np.clip(t, 0.0, 1.0)[:, None] * d
        cross = direction[:, 0] * (p[:, 1] - foot[:, 1]) - direction[:, 1] * (p[:, 0] - foot[:, 0])
        side = np.where(cross > 0, self.left[s_i], self.right[s_i])
        cur = out[p_i]
        applies = (cur == self.left[s_i]) | (cur == self.right[s_i]) | (cur == NO_COUNTRY)
        out[p_i[applies]] = side[applies]
        return out


def _unit(v: np.ndarray) -> np.ndarray:
    return v / np.maximum(np.linalg.norm(v, axis=1, keepdims=True), 1e-18)


def load_boundary_lines(path: Path, iso2: tuple[str, ...]) -> BoundaryLines:
    """The borders of ``path`` whose both sides are in ``iso2``."""
    try:
        features = json.loads(path.read_text(encoding="utf-8"))["features"]
    except FileNotFoundError:
        raise NetworkDataError(
            f"border lines missing: {path}; restore the file from the repository"
        ) from None
    except (ValueError, KeyError) as exc:
        raise NetworkDataError(f"border lines unreadable ({exc}): {path}") from None
    code = {c: i for i, c in enumerate(iso2)}
    starts, ends, prevs, nexts, lefts, rights = [], [], [], [], [], []
    for f in features:
        props = f["properties"]
        left, right = code.get(props["iso2_left"]), code.get(props["iso2_right"])
        if left is None or right is None:
            continue
        geom = f["geometry"]
        parts = geom["coordinates"] if geom["type"] == "MultiLineString" else [geom["coordinates"]]
        for part in parts:
            xy = np.asarray(part, dtype=float)
            if len(xy) < 2:
                continue
            d = np.diff(xy, axis=0)
            starts.append(xy[:-1])
            ends.append(xy[1:])
            prevs.append(np.vstack([d[:1], d[:-1]]))
            nexts.append(np.vstack([d[1:], d[-1:]]))
            lefts.append(np.full(len(d), left, dtype=np.int16))
            rights.append(np.full(len(d), right, dtype=np.int16))
    if not starts:
        empty = np.zeros((0, 2))
        return BoundaryLines(
            empty, empty, empty, empty, np.zeros(0, np.int16), np.zeros(0, np.int16),
            shapely.STRtree([]),
        )  # fmt: skip
    start, end = np.vstack(starts), np.vstack(ends)
    segments = np.asarray(shapely.linestrings(np.stack([start, end], axis=1)))
    return BoundaryLines(
        start, end, np.vstack(prevs), np.vstack(nexts), np.concatenate(lefts),
        np.concatenate(rights), shapely.STRtree(segments),
    )  # fmt: skip
