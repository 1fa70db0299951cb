"""The import pipeline behind `revrisk import`: read a file (readers, cell_parsing, with
finance-export amounts, months and currency headers decided per column: finance_formats), tell
its kind from the header (headers, column_specs, spec_types), leave out total rows
(total_rows), validate every cell (validation), stage and check the batch against the
warehouse (staging, batch_checks, integrity; imported revenue against invoiced revenue and
currencies: revenue_checks), and report every problem naming file, row and column (report).
Read limits (bytes, unpacked bytes, rows, columns, cell length) are checked before parsing
(limits).

Entry points: `loaders.import_file`, and `loaders.check_file` for callers that use a file
without storing it (scoring): the same reader and the same checks, nothing written.
May import data.warehouse and domain only.
"""

from __future__ import annotations

from data.imports.batch_checks import BATCH, report_insert_error
from data.imports.column_specs import KINDS, SPECS, ColumnSpec, specs_for
from data.imports.headers import check_headers, match_headers, normalize_header
from data.imports.integrity import (
    FOREIGN_KEYS,
    UNIQUE_KEYS,
    check_integrity,
    orphans_query,
    rules_for,
)
from data.imports.limits import ReadLimits
from data.imports.loaders import (
    DEFAULT_MAX_IMPORT_MB,
    IMPORT_STEPS,
    CheckedFile,
    ImportValidationError,
    check_file,
    detect_kind,
    file_sha256,
    import_file,
    read_table,
)
from data.imports.readers import workbook_sheets
from data.imports.report import (
    FileTooLargeError,
    FileUnreadableError,
    ImportReport,
    Problem,
    ProblemLog,
    Source,
    refuse,
)
from data.imports.shape import revenue_layout
from data.imports.validation import check_column, check_keys, validate_rows

__all__ = [
    "BATCH",
    "DEFAULT_MAX_IMPORT_MB",
    "FOREIGN_KEYS",
    "IMPORT_STEPS",
    "KINDS",
    "SPECS",
    "UNIQUE_KEYS",
    "CheckedFile",
    "ColumnSpec",
    "FileTooLargeError",
    "FileUnreadableError",
    "ImportReport",
    "ImportValidationError",
    "Problem",
    "ProblemLog",
    "ReadLimits",
    "Source",
    "check_column",
    "check_file",
    "check_headers",
    "check_integrity",
    "check_keys",
    "detect_kind",
    "file_sha256",
    "import_file",
    "match_headers",
    "normalize_header",
    "orphans_query",
    "read_table",
    "refuse",
    "report_insert_error",
    "revenue_layout",
    "rules_for",
    "specs_for",
    "validate_rows",
    "workbook_sheets",
]
