"""Bad CLI input exits 2 with a typed message and creates nothing (rt8 D13, D16, D30)."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest
from typer.testing import CliRunner

from cli.main import app

PYTHON_ERROR = re.compile(r"\b[A-Z]\w*(Error|Exception|File)\b:|Traceback|out of bounds")


@pytest.fixture(scope="module")
def world(small_world: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    copy = tmp_path_factory.mktemp("cli_inputs") / "world.duckdb"
    shutil.copy(small_world, copy)
    return copy


def _run(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(app, list(args))
    return result.exit_code, result.output


@pytest.mark.parametrize(
    ("args", "said"),
    [
        (("detect", "--type", "Bogus"), "unknown leakage type 'Bogus'"),
        (("trends", "--customer", "NOPE"), "Unknown customer 'NOPE'"),
        (("trends", "--until", "2030-01"), "outside the data"),
        (("trends", "--until", "13-2026"), "expected a month as YYYY-MM"),
        (("detect", "--month", "May 2026"), "expected a month as YYYY-MM"),
    ],
)
def test_bad_options_exit_2_with_a_typed_message(
    world: Path, args: tuple[str, ...], said: str
) -> None:
    code, output = _run(*args, "--db", str(world))
    assert code == 2, output
    assert said in " ".join(output.split()).replace("│ ", "")
    assert not PYTHON_ERROR.search(output)


@pytest.mark.parametrize(
    "args",
    [
        ("trends", "--customer", "ACC000042"),
        ("segments",),
        ("detect",),
        ("info",),
        ("refresh",),
        ("ask", "hello"),
    ],
)
def test_a_mistyped_db_says_no_warehouse_and_creates_nothing(
    tmp_path: Path, args: tuple[str, ...]
) -> None:
    typo = tmp_path / "typo.duckdb"
    code, output = _run(*args, "--db", str(typo))
    assert code == 2, output
    assert "No warehouse at" in output
    assert list(tmp_path.iterdir()) == []


def test_an_unreadable_trends_input_is_refused_like_an_import(tmp_path: Path) -> None:
    broken = tmp_path / "broken.xlsx"
    broken.write_bytes(b"this is not a workbook")
    code, output = _run("trends", "--input", str(broken))
    assert code == 2
    assert "broken.xlsx: not a readable .xlsx workbook (not a zip archive" in output
    assert not PYTHON_ERROR.search(output)


def test_a_one_month_import_says_in_words_why_caches_were_not_refreshed(
    tmp_path: Path,
) -> None:
    path = tmp_path / "one.csv"
    path.write_text("customer_id,month,revenue\nC1,2026-01,100\n")
    code, output = _run("import", str(path), "--db", str(tmp_path / "w.duckdb"))
    assert code == 0, output
    said = " ".join(output.split())
    assert "caches not refreshed: too few months for trends" in said
    assert not PYTHON_ERROR.search(output)


def test_demo_help_sets_the_other_outputs_apart_from_the_warehouse() -> None:
    """`revrisk demo --help` listed eleven options of three modes in one panel; the Stripe and
    partitioned-book options now stand in their own panel, the warehouse's in the first."""
    result = CliRunner().invoke(app, ["demo", "--help"], env={"COLUMNS": "120"})
    assert result.exit_code == 0
    panels = {
        box.split("─")[0].strip(): set(re.findall(r"^│ (--[\w-]+)", box, re.MULTILINE))
        for box in result.output.split("╭─")[1:]
    }
    assert panels["Instead of a warehouse: Stripe objects or a partitioned book"] == {
        "--format",
        "--out",
        "--engagement",
        "--partitions",
        "--workers",
    }
    assert {"--accounts", "--seed", "--db", "--if-missing", "--refresh"} <= panels["Options"]
