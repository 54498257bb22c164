"""Sparse graphs for scipy's shortest paths, keeping the shortest of parallel edges
(``csr_matrix`` would add their weights up)."""

from __future__ import annotations

import numpy as np
from scipy.sparse import csr_matrix


def min_weight_csr(src: np.ndarray, dst: np.ndarray, weight: np.ndarray, n: int) -> csr_matrix:
    """An ``n``×``n`` CSR matrix with the smallest weight of each (src, dst) pair."""
    src = np.asarray(src, dtype=np.int64)
    dst = np.asarray(dst, dtype=np.int64)
    weight = np.asarray(weight, dtype=np.float64)
    order = np.lexsort((weight, dst, src))
    s, d, w = src[order], dst[order], weight[order]
    first = np.ones(len(s), dtype=bool)
    first[1:] = (s[1:] != s[:-1]) | (d[1:] != d[:-1])
    return csr_matrix((w[first], (s[first], d[first])), shape=(n, n))
