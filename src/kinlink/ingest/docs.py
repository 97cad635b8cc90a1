"""The column reference of `docs/data-format.md`, written from `kinlink.ingest.format`.

The prose of the document is written by hand; the tables between the markers below are
generated, and a test fails when they differ from the format, so the two cannot drift.
Run `python -m kinlink.ingest.docs [docs/data-format.md]` after changing the format.
"""

from __future__ import annotations

import sys
from pathlib import Path

from kinlink.ingest.format import TABLES, ColumnSpec, Kind, TableSpec

BEGIN = "<!-- BEGIN GENERATED FROM kinlink/ingest/format.py -->"
END = "<!-- END GENERATED -->"

KIND_HELP = {
    Kind.TEXT: "free text; line breaks allowed, other control characters refused",
    Kind.ID: "text on one line; surrounding spaces are dropped",
    Kind.DATE: "`YYYY-MM-DD`, year 1900 to 2099",
    Kind.PARTIAL_DATE: "`YYYY`, `YYYY-MM` or `YYYY-MM-DD`; not in the future, not more than "
                       "120 years ago",
    Kind.DATETIME: "`YYYY-MM-DD`, or with a time: `YYYY-MM-DDTHH:MM[:SS]` (`T` or a space; "
                   "stored to the second)",
    Kind.BOOL: "`true`/`false`, `yes`/`no`, `y`/`n`, `t`/`f`, `1`/`0`, any case; blank is false",
    Kind.ENUM: "one value of the column's vocabulary; case, `_` or spaces for `-` are forgiven",
    Kind.LIST: "values separated by `;`",
    Kind.DATE_LIST: "`YYYY-MM-DD` dates separated by `;`",
    Kind.SEX: "`F`, `M` or `U` (or `female`, `male`, `unknown`), any case; blank is `U`",
    Kind.POSTCODE: "UK postcode, full (`KL4 7RT`) or outward code only (`KL4`); stored upper "
                   "case with one space",
    Kind.NHS_NUMBER: "10 digits (spaces or hyphens allowed) with a valid modulus-11 check digit",
    Kind.UPN: "unique pupil number: 13 characters, the first a check letter that must be right",
    Kind.PNC_ID: "`YYYY/NNNNNNNA` (or `YY/N...A`) with a valid check letter; stored as "
                 "`YYYY/NNNNNNNA`",
}
"""What each kind of column accepts, for a data officer."""


def _column_row(column: ColumnSpec) -> str:
    if column.required and column.not_blank:
        need = "required, never blank"
    elif column.required:
        need = "required column, may be blank"
    else:
        need = "optional"
    values = ", ".join(f"`{v}`" for v in column.vocabulary)
    kind = f"{column.kind.value}: {values}" if values else column.kind.value
    return f"| `{column.name}` | {need} | {kind} | {column.description} |"


def _table_section(spec: TableSpec) -> list[str]:
    lines = [f"### `{spec.name}`", "", f"{spec.description[:1].upper()}{spec.description[1:]}.",
             "", f"Key (one row per key per agency): {', '.join(f'`{k}`' for k in spec.key)}."]
    if spec.references:
        refs = "; ".join(f"`{r.column}` names a `{r.table}.{r.target}`" for r in spec.references)
        lines.append(f"References (this extract or already loaded for the agency): {refs}.")
    lines += ["", "| column | needed | kind | meaning |", "|---|---|---|---|"]
    lines += [_column_row(c) for c in spec.columns]
    return [*lines, ""]


def format_reference() -> str:
    """The generated part of docs/data-format.md: every table and every kind of column."""
    lines = [BEGIN, "", "## Tables", ""]
    for spec in TABLES.values():
        lines += _table_section(spec)
    lines += ["## Kinds of column", "", "| kind | accepted values |", "|---|---|"]
    lines += [f"| {kind.value} | {help_text} |" for kind, help_text in KIND_HELP.items()]
    return "\n".join([*lines, "", END])


def rewrite(document: Path, *, begin: str = BEGIN, generated: str | None = None) -> bool:
    """Replace the generated part of `document` (from `begin` to the next END marker) by
    `generated` (default: the format reference); returns whether anything changed."""
    text = document.read_text(encoding="utf-8")
    start = text.index(begin)
    end = text.index(END, start) + len(END)
    updated = text[:start] + (generated or format_reference()) + text[end:]
    if updated != text:
        document.write_text(updated, encoding="utf-8")
    return updated != text


if __name__ == "__main__":
    target = Path(sys.argv[1] if len(sys.argv) > 1 else "docs/data-format.md")
    print(f"{target}: {'updated' if rewrite(target) else 'already current'}")
