"""Symbolic forwards of the matrix functions (``ops/matrices.py``): SymPy
matrices built from the last two dimensions of object arrays, one batch
element at a time.

Determinants are Berkowitz's (``Matrix.det(method="berkowitz")``): no
divisions, and 0.1 s for a 7x7 matrix of symbols where Bareiss (SymPy's
default) takes minutes at 6x6.  The inverse is the adjugate over that same
determinant, so ``det(A) * inv(A)`` cancels to the adjugate by SymPy's own
collection of equal factors: the closed form of ``d det(A)/dA`` is the
cofactor matrix, with no division left.

A determinant of symbols has ``n!`` terms, so the sizes are estimated
*before* SymPy starts (it would run for minutes on a 10x10 matrix before the
size guard of ``symbolic.evaluate`` could measure the result) and refused
beyond ``limits.size`` with the same error.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

import numpy as np

from symgrad.ops._sympy import sp


def _refuse_if_large(what: str, n: int, batch: int, nodes: int) -> None:
    from symgrad.symbolic.evaluate import limits, too_large

    if batch * nodes > limits.size:
        raise too_large(f"The closed form of {what} of {batch} {n}x{n} matrix(es) has about {batch * nodes} "
                        f"nodes ({n}! = {math.factorial(n)} terms per determinant; limit {limits.size})")


def _det_nodes(n: int) -> int:
    return math.factorial(n) * (n + 1)


def _matrices(x: np.ndarray) -> list[tuple[tuple[int, ...], Any]]:
    """(batch index, SymPy matrix) for every matrix of ``x`` (shape ``(..., n, n)``)."""
    return [(idx, sp.Matrix(x[idx].tolist())) for idx in np.ndindex(*x.shape[:-2])]


def _filled(shape: tuple[int, ...], items: list[tuple[tuple[int, ...], Any]]) -> np.ndarray:
    out = np.empty(shape, dtype=object)
    for idx, v in items:
        out[idx] = v
    return out


def _det(m: Any) -> Any:
    return m.det(method="berkowitz")


def _inverse(m: Any) -> Any:
    """The inverse as an object array: each cofactor over the determinant."""
    d = sp.Pow(_det(m), -1)
    adj = m.adjugate(method="berkowitz")
    return np.array([[adj[i, j] * d for j in range(m.cols)] for i in range(m.rows)], dtype=object)


def of_determinant(fn: Callable[[Any], Any], what: str) -> Callable[[np.ndarray], np.ndarray]:
    """A symbolic forward ``(..., n, n) -> (...)``: ``fn`` of each determinant."""
    def forward(x: np.ndarray) -> np.ndarray:
        n = x.shape[-1]
        _refuse_if_large(what, n, int(np.prod(x.shape[:-2])), _det_nodes(n))
        return _filled(x.shape[:-2], [(idx, fn(_det(m))) for idx, m in _matrices(x)])
    return forward


def inverse(x: np.ndarray) -> np.ndarray:
    n = x.shape[-1]
    _refuse_if_large("inv", n, int(np.prod(x.shape[:-2])), n * n * _det_nodes(max(n - 1, 0)) + _det_nodes(n))
    out = np.empty(x.shape, dtype=object)
    for idx, m in _matrices(x):
        out[idx] = _inverse(m)
    return out


def solve(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """``inv(A) @ B`` by Cramer's rule: the cofactors times B, over the determinant."""
    n = a.shape[-1]
    batch = np.broadcast_shapes(a.shape[:-2], b.shape[:-2])
    a, b = np.broadcast_to(a, batch + a.shape[-2:]), np.broadcast_to(b, batch + b.shape[-2:])
    _refuse_if_large("solve", n, int(np.prod(batch)), n * n * _det_nodes(max(n - 1, 0)) + _det_nodes(n))
    out = np.empty(batch + b.shape[-2:], dtype=object)
    for idx in np.ndindex(*batch):
        m = sp.Matrix(a[idx].tolist())
        d, adj, rhs = sp.Pow(_det(m), -1), m.adjugate(method="berkowitz"), b[idx]
        for i in range(n):
            for j in range(rhs.shape[-1]):
                out[idx + (i, j)] = sp.Add(*[adj[i, k] * rhs[k, j] for k in range(n)]) * d
    return out


def pseudoinverse(x: np.ndarray, batch: tuple[int, ...], hermitian: bool) -> np.ndarray:
    """The pseudoinverse of full-rank matrices ``(..., m, n)``, broadcast to
    ``batch``: ``inv(A)``, ``inv(A.T @ A) @ A.T`` (tall) or ``A.T @ inv(A @ A.T)``
    (wide), each inverse the adjugate over the determinant.  ``hermitian``
    reads the lower triangle only, as the numbers do.  (Rank-deficient
    matrices are refused before this: see ``ops/pseudoinverse.py``.)"""
    m, n = x.shape[-2:]
    k, longest = min(m, n), max(m, n)
    _refuse_if_large("pinv", k, int(np.prod(batch)), (m * n * k + 1) * _det_nodes(k) * 2 * longest)
    x = np.broadcast_to(x, batch + (m, n))
    out = np.empty(batch + (n, m), dtype=object)
    for idx in np.ndindex(*batch) if k else ():
        out[idx] = _full_rank_pinv(sp.Matrix(_lower_symmetric(x[idx]) if hermitian else x[idx].tolist()))
    return out


def _lower_symmetric(a: np.ndarray) -> list[list[Any]]:
    n = a.shape[-1]
    return [[a[max(i, j), min(i, j)] for j in range(n)] for i in range(n)]


def _full_rank_pinv(a: Any) -> np.ndarray:
    if a.rows == a.cols:
        return _inverse(a)
    tall = a.rows > a.cols
    gram = a.T * a if tall else a * a.T
    d, adj = sp.Pow(_det(gram), -1), gram.adjugate(method="berkowitz")
    k = gram.rows

    def entry(i: int, j: int) -> Any:
        if tall:
            return sp.Add(*[adj[i, r] * a[j, r] for r in range(k)]) * d
        return sp.Add(*[a[r, i] * adj[r, j] for r in range(k)]) * d
    return np.array([[entry(i, j) for j in range(a.rows)] for i in range(a.cols)], dtype=object)
