"""pandas in and out: the ``reports``/``findings`` tables and the course tables of a DataFrame of reports.

The rows are the ones ``dvt extract`` and ``dvt course`` write (the same reader rules, batch
engine and table builders, :mod:`pipeline.outputs.tables`, :mod:`pipeline.course.io`); only the
container differs. Columns keep the tables'
Arrow types as pandas ``ArrowDtype`` (``int32[pyarrow]``, ``string[pyarrow]``, ``bool[pyarrow]``),
so nulls stay nulls and the frames equal the Parquet tables read with
``pd.read_parquet(path, dtype_backend="pyarrow")``.
"""
from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

import pyarrow as pa

from .engines.batch import extract_records
from .io import read_frame
from .outputs.tables import arrow_tables

if TYPE_CHECKING:
    import pandas as pd

    from .course.rules import Params


def _frame(table: pa.Table) -> pd.DataFrame:
    import pandas as pd

    return table.to_pandas(types_mapper=pd.ArrowDtype)


def extract_frame(df: pd.DataFrame, id_col: str = "id", text_col: str = "text", keep: Sequence[str] = (),
                  workers: int = 1, count_chronic: bool = False) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Extract every report of ``df`` into the ``reports`` and ``findings`` tables, as DataFrames.

    Args:
        df: one report per row; its text in ``text_col``, its id in ``id_col`` (a missing or null
            id becomes ``row-N``, as for a Parquet input).
        keep: columns of ``df`` to copy to both tables, after the table's own columns (to
            ``findings`` from the finding's report), e.g. an exam date or a patient id.
        workers: processes to extract with (the batch engine's pool, as ``dvt extract --workers``);
            the output is the same for any number.
        count_chronic: as ``dvt extract --count-chronic``.

    Returns:
        ``(reports, findings)``: exactly the columns, column order and types of the ``reports``
        and ``findings`` tables (docs/schema.md), plus ``keep``; one ``reports`` row per row of
        ``df``, in order (``reports.row_number`` is the row's position in ``df``), and the same
        rows as ``dvt extract`` writes for the same reports.

    Raises:
        pipeline.io.InputError: ``text_col`` is not a column of ``df``.
        ValueError: a ``keep`` column is missing from ``df`` or clashes with a table column.

    Example:
        >>> import pandas as pd
        >>> from pipeline import extract_frame
        >>> df = pd.DataFrame({"id": ["a1", "a2"], "exam_date": ["2026-01-05", "2026-02-11"],
        ...                    "text": ["Occlusive thrombus in the left popliteal vein.",
        ...                             "No DVT in either leg."]})
        >>> reports, findings = extract_frame(df, keep=["exam_date"])
        >>> reports[["id", "label", "side_label_left", "exam_date"]].values.tolist()
        [['a1', 'PROXIMAL', 'PROXIMAL', '2026-01-05'], ['a2', 'NEGATIVE', 'NEGATIVE', '2026-02-11']]
        >>> str(reports.dtypes["n_findings"]), str(reports.dtypes["distal"])
        ('int32[pyarrow]', 'bool[pyarrow]')
        >>> present = findings[findings.decisive & (findings.status == "present")]
        >>> present[["report_id", "segment", "side", "mention_text"]].values.tolist()
        [['a1', 'popliteal', 'left', 'popliteal vein']]
    """
    keep = list(keep)
    rows = read_frame(df, id_col, text_col)  # checks the text column before anything is built
    _check_keep(df, keep)
    reports, findings = arrow_tables(extract_records(rows, workers=workers, count_chronic=count_chronic))
    reports_df, findings_df = _frame(reports), _frame(findings)
    if keep:
        import pandas as pd

        kept = df[keep].reset_index(drop=True)  # position i is reports row i
        reports_df = pd.concat([reports_df, kept], axis=1)
        by_finding = kept.iloc[findings_df["report_row"].to_numpy(dtype="int64")].reset_index(drop=True)
        findings_df = pd.concat([findings_df, by_finding], axis=1)
    return reports_df, findings_df


def _check_keep(df: pd.DataFrame, keep: list[str]) -> None:
    from .outputs.tables import FINDINGS_SCHEMA, REPORTS_SCHEMA

    missing = [c for c in keep if c not in df.columns]
    if missing:
        raise ValueError(f"keep: {missing} not among the DataFrame's columns")
    clash = [c for c in keep if c in REPORTS_SCHEMA.names or c in FINDINGS_SCHEMA.names]
    if clash:
        raise ValueError(f"keep: {clash} would replace columns of the reports/findings tables; rename them first")


def course_frame(df: pd.DataFrame, patient_col: str = "patient_id", date_col: str = "exam_date", id_col: str = "id",
                 text_col: str = "text", params: Params | None = None, workers: int = 1,
                 count_chronic: bool = False) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """Extract every report of ``df`` and follow each patient's legs across their exams: the
    ``leg_exams``, ``leg_events`` and ``leg_episodes`` tables of ``dvt course`` (docs/surveillance.md).

    Args:
        df: one report per row, with its text, id, patient and exam date.
        patient_col: the column ``dvt extract --patient-col`` would name.
        date_col: the column ``dvt extract --date-col`` would name: ``datetime64`` values, or text
            in the formats ``dvt extract`` reads.
        params: the surveillance parameters (:class:`pipeline.course.rules.Params`); the default
            is SURVEILLANCE.md's, with no ``as_of`` date (``dvt course`` takes today's: pass
            ``Params(as_of="YYYY-MM-DD")`` for the same rows).
        workers: processes for the extraction and for the course (as ``--workers``).
        count_chronic: as ``dvt extract --count-chronic``.

    Returns:
        ``(leg_exams, leg_events, leg_episodes)``: the columns and types of the three tables, as
        pyarrow-backed DataFrames; the rows ``dvt extract ... --patient-col --date-col`` then
        ``dvt course`` write for the same reports and parameters.

    Raises:
        pipeline.io.InputError: a text, patient or date column is missing.

    Example:
        >>> import pandas as pd
        >>> from pipeline import course_frame
        >>> from pipeline.course.rules import Params
        >>> df = pd.DataFrame({"id": ["p1-a", "p1-b"], "patient_id": ["p1", "p1"],
        ...                    "exam_date": pd.to_datetime(["2026-01-05", "2026-01-12"]),
        ...                    "text": ["Thrombus in the left peroneal vein. Left popliteal vein compressible.",
        ...                             "Thrombus in the left popliteal vein. Thrombus in the left peroneal vein."]})
        >>> exams, events, episodes = course_frame(df, params=Params(as_of="2026-06-30"))
        >>> exams[["report_id", "leg", "state"]].values.tolist()
        [['p1-a', 'left', 'IDDVT'], ['p1-b', 'left', 'PROXIMAL']]
        >>> events[["leg", "event", "report_id"]].values.tolist()
        [['left', 'INDEX', 'p1-a'], ['left', 'PROXIMAL_PROPAGATION', 'p1-b']]
        >>> episodes[["episode_id", "surveillance_status"]].values.tolist()
        [['p1:left:1', 'PROXIMAL_PROPAGATION']]
    """
    from .course.io import chunks, record_batches, tables_of_chunks
    from .course.rules import Params
    from .course.tables import SCHEMAS
    from .io.carry import Carry

    carry = Carry(patient_col, date_col)
    rows = (row._replace(extra=carry.values(row.extra)) for row in read_frame(df, id_col, text_col, carry=carry.columns))
    records = extract_records(rows, workers=workers, count_chronic=count_chronic)
    parts: dict[str, list[pa.Table]] = {name: [] for name in SCHEMAS}
    for tables in tables_of_chunks(chunks(record_batches(records, "DataFrame")), params or Params(), workers):
        for name, table in tables.items():
            parts[name].append(table)
    exams, events, episodes = (_frame(pa.concat_tables(parts[name]) if parts[name] else schema.empty_table())
                               for name, schema in SCHEMAS.items())
    return exams, events, episodes
