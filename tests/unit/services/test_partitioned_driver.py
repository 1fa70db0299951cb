"""The driver's book-wide steps of a partitioned run, streamed partition by partition, against
the whole-book computations they replace (concatenate every partition, sort by id, take).

The pipeline test (`test_partitioned_run.py`) runs a 3,000-account book, where segmentation
fits on every customer; here the sampled path runs too (`SEGMENT_SAMPLE` lowered), on stashes
written the way stage A and B write them: disjoint accounts per partition, unsorted ids.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from services.partitioned import runner
from services.partitioned.tasks import work_path, write_parquet
from services.trends.input import wide_revenue

N_PARTITIONS = 5
MONTHS = tuple(f"2025-{m:02d}" for m in range(1, 9))


def _ids(rng: np.random.Generator, n: int) -> list[list[str]]:
    """`n` account ids (mixed lengths, so code point order is not length order) dealt to the
    partitions at random, each partition's in random order."""
    ids = [f"A{rng.integers(10**6)}-{i}" for i in range(n)]
    owner = rng.integers(N_PARTITIONS, size=n)
    return [
        list(rng.permutation([a for a, o in zip(ids, owner, strict=True) if o == p]))
        for p in range(N_PARTITIONS)
    ]


@pytest.fixture(scope="module")
def out(tmp_path_factory: pytest.TempPathFactory) -> Path:
    rng = np.random.default_rng(3)
    folder = tmp_path_factory.mktemp("driver")
    for p, ids in enumerate(_ids(rng, 3_000)):
        has = rng.random(len(ids)) < 0.9  # the rest: accounts without revenue rows
        rows = [
            (a, m, float(np.round(rng.gamma(2.0, 50.0), 2)))
            for a in np.array(ids)[has]
            for m in MONTHS
            if rng.random() < 0.7
        ]
        long = pd.DataFrame(rows, columns=["account_id", "month", "revenue"])
        idle = pd.DataFrame({"account_id": np.array(ids)[~has], "month": None, "revenue": np.nan})
        write_parquet(pd.concat([long, idle], ignore_index=True), work_path(folder, "revenue", p))
        metrics = pd.DataFrame(
            {
                "account_id": ids,
                "status": rng.choice(["active", "churned"], len(ids)),
                "mean_revenue": rng.gamma(2.0, 50.0, len(ids)),
                "volatility": np.where(rng.random(len(ids)) < 0.1, np.nan, rng.random(len(ids))),
            }
        )
        write_parquet(metrics, work_path(folder, "metrics", p))
        features = pd.DataFrame(
            {"f1": rng.normal(size=len(ids)), "f2": rng.integers(0, 9, len(ids))}
        )
        features.loc[features.index % 7 == 0, "f1"] = np.nan
        features["f3"] = np.nan
        write_parquet(features, work_path(folder, "features", p))
    return folder


def _whole(out: Path, kind: str) -> list[pd.DataFrame]:
    return [pd.read_parquet(work_path(out, kind, p)) for p in range(N_PARTITIONS)]


@pytest.mark.parametrize("n_columns", [len(MONTHS), len(MONTHS) - 1])
def test_revenue_matrix_is_the_sorted_concatenation(out: Path, n_columns: int) -> None:
    wides = []
    for long in _whole(out, "revenue"):
        has = long["month"].notna()
        rows = {c: long.loc[has, c].to_numpy() for c in ("account_id", "month", "revenue")}
        wides.append(wide_revenue(rows, long.loc[~has, "account_id"].tolist(), list(MONTHS)))
    expected = pd.concat(wides).sort_index().iloc[:, :n_columns].to_numpy(dtype=float)
    got = runner.book_revenue_matrix(out, N_PARTITIONS, MONTHS, n_columns)
    assert got.shape == expected.shape == (3_000, n_columns)
    assert np.array_equal(got, expected)


@pytest.mark.parametrize("sample", [500, 3_000])
def test_segment_sample_takes_the_same_rows(
    out: Path, sample: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(runner, "SEGMENT_SAMPLE", sample)
    columns = ["account_id", "status", "mean_revenue", "volatility"]
    table = pd.concat([f[columns] for f in _whole(out, "metrics")], ignore_index=True)
    table = table.set_index("account_id").sort_index()
    if len(table) > sample:
        pick = np.random.default_rng(4).choice(len(table), sample, False)
        table = table.iloc[np.sort(pick)]
    got = runner.segment_sample(out, N_PARTITIONS, columns, random_state=4)
    assert len(got) == min(sample, 3_000)
    pd.testing.assert_frame_equal(got, table)


def test_book_medians_in_batches(out: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(runner, "MEDIAN_BATCH", 2)
    whole = pd.concat(_whole(out, "features"), ignore_index=True).astype("float64")
    got = runner.book_medians(out, N_PARTITIONS, ["f1", "f2", "f3"])
    assert got[:2] == [float(whole["f1"].median()), float(whole["f2"].median())]
    assert np.isnan(got[2])  # a column without values
