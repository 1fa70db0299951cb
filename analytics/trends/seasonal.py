"""Vectorised robust seasonal component (period 12) for rows with at least two years.

See `harmonic_seasonal`. Like the rest of the trend statistics, rows are customers, columns
consecutive months, NaN outside a customer's window.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray

from analytics.trends.stats import FloatArray, difference_scale, robust_scale, row_median


def yearly_level(values: FloatArray) -> FloatArray:
    """Running median over 13 months; the first (last) six months use the first (last) 13.

    Every window spans a full year, so a seasonal swing averages out of it while a step or a
    trend stays in it: the deviations from this level are what a season has to explain.

    Examples:
        >>> y = np.r_[np.full(12, 100.0), np.full(12, 40.0)]
        >>> yearly_level(y[None, :])[0, [0, 11, 12, 23]]
        array([100., 100.,  40.,  40.])
    """
    values = np.asarray(values, dtype=float)
    n_rows, n_months = values.shape
    padded = np.pad(values, ((0, 0), (6, 6)), constant_values=np.nan)
    windows = np.lib.stride_tricks.sliding_window_view(padded, 13, axis=1)
    level = row_median(windows.reshape(-1, 13)).reshape(n_rows, n_months)
    if n_months >= 13:
        level[:, :6] = row_median(values[:, :13])[:, None]
        level[:, -6:] = row_median(values[:, -13:])[:, None]
    return level


def _harmonic_design(month_of_year: NDArray[np.int64]) -> FloatArray:
    """Columns: intercept, cos and sin of the month of year (period 12)."""
    angle = 2.0 * np.pi * np.asarray(month_of_year, dtype=float) / 12.0
    return np.column_stack([np.ones(angle.size), np.cos(angle), np.sin(angle)])


def _weighted_fit(design: FloatArray, values: FloatArray, weights: FloatArray) -> FloatArray:
    """Batch weighted least squares: one coefficient vector per row."""
    gram = np.einsum("tk,nt,tl->nkl", design, weights, design)
    gram += 1e-9 * np.eye(design.shape[1])  # rows with all-zero weights stay solvable
    rhs = np.einsum("tk,nt->nk", design, weights * values)
    return np.linalg.solve(gram, rhs[:, :, None])[:, :, 0]


def _bisquare_fit(
    design: FloatArray, values: FloatArray, floor: FloatArray, n_iter: int
) -> tuple[FloatArray, FloatArray]:
    """IRLS with Tukey's bisquare (c = 4.685 robust sds); coefficients and final weights."""
    valid = ~np.isnan(values)
    filled = np.where(valid, values, 0.0)
    weights = valid.astype(float)
    coef = _weighted_fit(design, filled, weights)
    for _ in range(n_iter):
        resid = np.where(valid, filled - coef @ design.T, np.nan)
        scale = np.maximum(robust_scale(resid), floor)
        u = np.nan_to_num(resid / (4.685 * scale[:, None]), nan=1.0)
        weights = np.where(valid & (np.abs(u) < 1), (1 - u**2) ** 2, 0.0)
        coef = _weighted_fit(design, filled, weights)
    return coef, weights


def harmonic_seasonal(
    values: FloatArray,
    month_of_year: NDArray[np.int64],
    *,
    alpha: float = 0.001,
    min_strength: float = 0.3,
    n_iter: int = 5,
) -> tuple[FloatArray, NDArray[np.bool_]]:
    """Robust period-12 seasonal component of each row, and whether it is really there.

    Like a classical decomposition: deviations from a robust yearly level (`yearly_level`)
    are fitted with `c + a cos(2 pi m / 12) + b sin(2 pi m / 12)` (m = month of year) by
    iteratively reweighted least squares with Tukey's bisquare, so anomaly months barely move
    it. The component is kept only where the Wald test of (a, b) = 0 has p < `alpha` *and* it
    explains at least `min_strength` of the robust variance of the deviations
    (Wang-Smith-Hyndman seasonal strength); elsewhere it is zero. Call it only on rows with at
    least two full years: with less, season and trend cannot be told apart.

    Two parameters instead of STL's eleven free month effects matter with 24 months: a month
    effect estimated from two values per calendar month copies half of any anomaly into the
    same month of the other year.

    Examples:
        >>> m = np.arange(24) % 12
        >>> y = 100 + 30 * np.cos(2 * np.pi * m / 12) + np.tile([1.0, -1.0], 12)
        >>> seasonal, found = harmonic_seasonal(y[None, :], m)
        >>> bool(found[0]), round(float(seasonal[0, 0]), 1)
        (True, 30.0)
        >>> flat = 100 + np.tile([3.0, -2.0, 1.0, -3.0], 6)
        >>> bool(harmonic_seasonal(flat[None, :], m)[1][0])
        False
    """
    values = np.asarray(values, dtype=float)
    deviations = values - yearly_level(values)
    design = _harmonic_design(month_of_year)
    # Quantised series (whole seats) can have a zero MAD; the month-to-month noise is a floor.
    floor = np.maximum(0.5 * np.nan_to_num(difference_scale(values)), 1e-9)
    coef, weights = _bisquare_fit(design, deviations, floor, n_iter)
    valid = ~np.isnan(values)
    seasonal = coef[:, 1:] @ design[:, 1:].T
    resid = np.where(valid, np.nan_to_num(deviations) - coef @ design.T, np.nan)
    sigma = np.maximum(robust_scale(resid), floor)
    gram = np.einsum("tk,nt,tl->nkl", design, weights, design) + 1e-9 * np.eye(3)
    cov = np.linalg.inv(gram)[:, 1:, 1:] * (sigma**2)[:, None, None]
    ab = coef[:, 1:]
    wald = np.einsum("nk,nkl,nl->n", ab, np.linalg.inv(cov), ab)
    strength = 1.0 - (sigma / np.maximum(robust_scale(resid + seasonal), 1e-12)) ** 2
    significant = (np.exp(-wald / 2.0) < alpha) & (strength >= min_strength)
    kept = np.where(significant[:, None], seasonal, 0.0)
    return np.where(valid, kept, np.nan), significant
