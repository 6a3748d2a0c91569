"""Registry outputs: the JSONL records of ``dvt extract`` as flat tables, OMOP NOTE_NLP or DuckDB.

``dvt extract`` always writes JSONL first (streaming, resumable); for the other formats the
JSONL goes to a staging file next to the output (``<output>.partial.jsonl``) and is converted
at the end (:func:`convert`), then removed. Formats (docs/schema.md):

=============  ======================================================  =============================
format         files written for ``-o OUT.ext``                        chosen by extension
=============  ======================================================  =============================
jsonl          OUT.jsonl                                               any other, ``-``
csv            OUT.reports.csv, OUT.findings.csv                       .csv
parquet        OUT.reports.parquet, OUT.findings.parquet               .parquet
omop-csv       OUT.ext (the NOTE_NLP table)                            (--format only)
omop-parquet   OUT.ext (the NOTE_NLP table)                            (--format only)
duckdb         OUT.duckdb (tables reports, findings, note_nlp)         .duckdb, .db
=============  ======================================================  =============================
"""
from __future__ import annotations

import os
from pathlib import Path

FORMATS = ("jsonl", "csv", "parquet", "omop-csv", "omop-parquet", "duckdb")
_BY_EXTENSION = {".jsonl": "jsonl", ".ndjson": "jsonl", ".json": "jsonl", ".csv": "csv", ".parquet": "parquet", ".duckdb": "duckdb", ".db": "duckdb"}


class OutputFormatError(ValueError):
    """An unknown format, or a format that cannot go where it was asked to."""


def detect_format(output: str, explicit: str | None = None) -> str:
    """The output format: ``explicit`` (``--format``) or the output's extension."""
    if explicit:
        fmt = explicit.lower()
        if fmt not in FORMATS:
            raise OutputFormatError(f"unknown format {explicit!r}: one of {', '.join(FORMATS)}")
        return fmt
    if output == "-":
        return "jsonl"
    # Any other extension stays JSONL, as before --format existed.
    return _BY_EXTENSION.get(Path(output).suffix.lower(), "jsonl")


def _stem(output: str) -> str:
    path = Path(output)
    return str(path.with_suffix("")) if path.suffix else str(path)


def output_files(output: str, fmt: str) -> dict[str, str]:
    """What each table of a format is written to (``jsonl``: the output itself)."""
    if fmt == "jsonl" or fmt in ("omop-csv", "omop-parquet", "duckdb"):
        return {"jsonl" if fmt == "jsonl" else ("note_nlp" if fmt.startswith("omop") else "duckdb"): output}
    ext = "csv" if fmt == "csv" else "parquet"
    stem = _stem(output)
    return {"reports": f"{stem}.reports.{ext}", "findings": f"{stem}.findings.{ext}"}


def staging_path(output: str) -> str:
    """The JSONL a non-JSONL run extracts into (kept after an interruption, for --resume)."""
    return output + ".partial.jsonl"


def convert(jsonl_path: str, output: str, fmt: str, nlp_date=None, carried: tuple[str, ...] = ()) -> dict[str, int]:
    """Write ``fmt`` from a finished JSONL output; returns rows per table (``carried``: extra reports columns)."""
    files = output_files(output, fmt)
    for path in files.values():
        Path(path).parent.mkdir(parents=True, exist_ok=True)
    if fmt in ("csv", "parquet"):
        from .tables import write_flat_tables

        return write_flat_tables(jsonl_path, files["reports"], files["findings"], fmt, carried)
    if fmt in ("omop-csv", "omop-parquet"):
        from .omop import write_note_nlp

        return {"note_nlp": write_note_nlp(jsonl_path, output, fmt.split("-", 1)[1], nlp_date)}
    if fmt == "duckdb":
        from .duckdb_out import write_duckdb

        return write_duckdb(jsonl_path, output, nlp_date, carried)
    raise OutputFormatError(f"nothing to convert for {fmt}")


def remove_quietly(path: str) -> None:
    try:
        os.remove(path)
    except FileNotFoundError:
        pass


__all__ = ["FORMATS", "OutputFormatError", "convert", "detect_format", "output_files", "staging_path"]
