"""Tool artifacts are read tolerantly: both table spellings, files, errors, problems."""

from __future__ import annotations

from tools.results import file_ref
from ui.artifacts import view_of


def test_reads_table_key_and_columns():
    view = view_of(
        {
            "tool": "score_leakage",
            "title": "Riskiest",
            "table": [{"a": 1, "b": 2}],
            "columns": ["b", "a"],
        }
    )
    assert view.title == "Riskiest" and view.columns == ["b", "a"] and view.n_rows == 1


def test_reads_rows_key_and_infers_columns():
    view = view_of({"kind": "table", "rows": [{"x": 1}, {"x": 2, "y": 3}]}, tool="query_duckdb")
    assert view.tool == "query_duckdb" and view.columns == ["x", "y"] and view.n_rows == 2


def test_files_get_names_and_mime(tmp_path):
    view = view_of({"files": [{"path": str(tmp_path / "scored.xlsx")}, {"name": "no path"}]})
    assert [(f.name, f.mime.split(".")[-1]) for f in view.files] == [("scored.xlsx", "sheet")]


def test_a_files_mime_is_the_one_the_tool_wrote(tmp_path):
    """The UI and the tools read MIME types off one table: a tool's Parquet output and the
    chat's Markdown report get the same type on both sides."""
    written = [file_ref(tmp_path / name) for name in ("book.parquet", "report.md", "x.bin")]
    view = view_of({"files": written})
    assert [f.mime for f in view.files] == [item["mime"] for item in written]
    assert [f.mime for f in view.files][1:] == ["text/markdown", "application/octet-stream"]


def test_errors_and_problems():
    view = view_of(
        {
            "kind": "error",
            "tool": "score_file",
            "message": "2 problems",
            "problems": [
                {
                    "code": "bad_type",
                    "message": "expected a number",
                    "file": "a.csv",
                    "row": 5,
                    "column": "mrr",
                    "value": "abc",
                }
            ],
        }
    )
    assert view.error == "2 problems"
    assert view.problem_columns == ["row", "column", "value", "message"]


def test_garbage_is_none_not_an_exception():
    assert view_of(None) is None and view_of("text") is None
    assert view_of({"table": "not a list"}).rows == []


def test_shown_rows_are_capped():
    view = view_of({"rows": [{"i": i} for i in range(5000)]})
    assert len(view.shown_rows()) == 1000 and view.n_rows == 5000


def test_a_column_empty_in_every_row_is_not_shown():
    """rt8 D29: an empty "Stl trend" column showed under every revenue trend."""
    rows = [
        {"month": "2026-01", "trend": 1.0, "stl_trend": None, "note": ""},
        {"month": "2026-02", "trend": float("nan"), "stl_trend": float("nan"), "note": "x"},
    ]
    view = view_of({"tool": "decompose_trend", "table": rows})
    assert view is not None and view.columns == ["month", "trend", "note"]
    named = view_of({"tool": "t", "table": rows, "columns": ["month", "stl_trend", "trend"]})
    assert named is not None and named.columns == ["month", "trend"]
    empty = view_of({"tool": "t", "table": [], "columns": ["month", "stl_trend"]})
    assert empty is not None and empty.columns == ["month", "stl_trend"]


def test_what_the_answer_states_above_the_table_is_not_a_column_of_it():
    """A metric query's period, data span, months covered and currency are stated once in the
    answer; the chat's table showed them as eight more columns. A currency that differs
    between rows is a real column and stays."""
    row = {
        "tier": "Enterprise",
        "net_revenue": 6898471.76,
        "currency": "USD",
        "n_months_with_data": 3,
        "n_months_in_period": 3,
        "n_left_out_customers": 0,
        "period_start": "2026-07",
        "period_end": "2026-09",
        "data_from": "2024-11",
        "data_to": "2026-10",
    }
    one_currency = view_of({"table": [row, {**row, "tier": "Business"}]})
    assert one_currency.columns == ["tier", "net_revenue"]
    two = view_of({"table": [row, {**row, "tier": "Business", "currency": "GBP"}]})
    assert two.columns == ["tier", "net_revenue", "currency"]
