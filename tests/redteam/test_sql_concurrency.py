"""Readers never write: questions asked while a writer holds the warehouse get an answer or
the clear retry message, never DuckDB's raw lock error (issue 11: 6 of 10 failed).

The process boundary is the point (DuckDB's file lock is per process), so these run the CLI
in subprocesses. `make test` runs the quick check (one reader against a writer holding the
file); `make fuzz` runs 10 concurrent `revrisk ask` during a `revrisk import` and writes the
figures to `artifacts/redteam/concurrency.json`.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

from data.warehouse import (
    BUSY_MESSAGE,
    WarehouseBusyError,
    connect,
    writer_active,
    writer_lock,
)

RAW_ERRORS = ("IOException", "Conflicting lock", "Traceback", "Could not set lock", "PID ")
_CLI = "from cli.main import main; main()"


def _env(tmp_path: Path, db: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("REVRISK_", "OPENAI_"))}
    env.update(
        REVRISK_OFFLINE="1",
        REVRISK_WAREHOUSE=str(db),
        REVRISK_VAR_DIR=str(tmp_path / "var"),
        PYTHONWARNINGS="ignore",
    )
    return env


def test_a_reader_meets_a_writer_with_the_retry_message(
    small_world: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A child process holds the file read-write; the reader's typed error says to retry and
    shows no path, and once the writer is gone the reader opens the file."""
    import shutil

    import data.warehouse as warehouse

    db = tmp_path / "w.duckdb"
    shutil.copy(small_world, db)
    holder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            textwrap.dedent(
                f"""
                import sys, time, duckdb
                con = duckdb.connect({str(db)!r})
                print("held", flush=True)
                sys.stdin.readline()
                con.close()
                """
            ),
        ],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "held"
        monkeypatch.setattr(warehouse, "READ_WAIT_S", 0.3)
        with pytest.raises(WarehouseBusyError) as caught, connect(db, read_only=True):
            pass
        assert caught.value.message == BUSY_MESSAGE and str(db) not in str(caught.value)
    finally:
        assert holder.stdin is not None
        holder.stdin.write("\n")
        holder.stdin.flush()
        holder.wait(timeout=60)
    with connect(db, read_only=True) as con:
        assert con.execute("SELECT count(*) FROM accounts").fetchone() == (300,)


def test_writer_lock_is_seen_by_readers(tmp_path: Path) -> None:
    db = tmp_path / "w.duckdb"
    assert not writer_active(db)
    with writer_lock(db), writer_lock(db):  # re-entrant
        assert writer_active(db)
    assert not writer_active(db)


def _accounts_csv(path: Path, n: int) -> Path:
    rows = [f"ACC0009{i:02d},New {i},Business,EMEA,EUR,2026-09-01,core" for i in range(n)]
    header = "account_id,name,tier,region,currency,signup_date,billing_system"
    path.write_text("\n".join([header, *rows]) + "\n")
    return path


@pytest.mark.fuzz
@pytest.mark.timeout(1800)
def test_ten_questions_during_an_import(small_world: Path, tmp_path: Path) -> None:
    import shutil

    from services.leakage.service import portfolio_summary
    from services.refresh import refresh_caches

    db = tmp_path / "w.duckdb"
    shutil.copy(small_world, db)
    refresh_caches(db)
    before = portfolio_summary(db).summary["n_accounts"]
    env = _env(tmp_path, db)
    question = "How many accounts are there and what is the expected loss?"
    started = time.monotonic()
    importer = subprocess.Popen(
        [
            sys.executable,
            "-c",
            _CLI,
            "import",
            str(_accounts_csv(tmp_path / "new.csv", 12)),
            "--db",
            str(db),
            "--json",
        ],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    deadline = time.monotonic() + 120
    while not writer_active(db) and importer.poll() is None and time.monotonic() < deadline:
        time.sleep(0.05)
    import_was_running = writer_active(db)
    askers = []
    for _ in range(10):
        askers.append(
            subprocess.Popen(
                [sys.executable, "-c", _CLI, "ask", question, "--db", str(db), "--json"],
                env=env,
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                text=True,
            )
        )
        time.sleep(0.2)
    answers = [(p.wait(timeout=900), *p.communicate()) for p in askers]
    import_out, import_err = importer.communicate(timeout=900)
    after = portfolio_summary(db).summary["n_accounts"]

    raw, correct, retry, other = [], 0, 0, []
    for code, out, err in answers:
        text = out + err
        if any(marker in text for marker in RAW_ERRORS) or str(tmp_path) in out:
            raw.append(text[-800:])
            continue
        answer = json.loads(out)["answer"] if code == 0 and out.strip() else ""
        if any(f"{n} accounts" in answer.replace(",", "") for n in {before, after}):
            correct += 1
        elif BUSY_MESSAGE in text:
            retry += 1
        else:
            other.append((code, answer[:300], err[-300:]))
    report = {
        "questions": len(answers),
        "import_running_when_asked": import_was_running,
        "import_exit_code": importer.returncode,
        "raw_errors": len(raw),
        "correct_answers": correct,
        "retry_messages": retry,
        "other": len(other),
        "seconds": round(time.monotonic() - started, 1),
        "n_accounts_before_after": [before, after],
    }
    out_dir = Path("artifacts/redteam")
    out_dir.mkdir(parents=True, exist_ok=True)
    (out_dir / "concurrency.json").write_text(json.dumps(report, indent=2))
    print("\n10 questions during an import:", json.dumps(report, indent=2))
    assert importer.returncode == 0, import_err[-1500:]
    assert json.loads(import_out)["refresh"] and "error" not in json.loads(import_out)["refresh"]
    assert not raw, raw[:2]
    assert not other, other[:3]
    assert correct + retry == 10
