"""The ``dvt`` command: a thin layer over library calls."""
from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Optional

import typer
from rich.console import Console

from ._version import __version__

app = typer.Typer(add_completion=False, no_args_is_help=True, help="Label venous duplex reports: PROXIMAL / IDDVT / ICMVT / ... per leg, with evidence.")
err = Console(stderr=True)


def _version(value: bool) -> None:
    if value:
        from .rules import load_rules

        typer.echo(f"dvt {__version__} (rules {load_rules().rules_hash})")
        raise typer.Exit()


@app.callback()
def main_callback(version: Optional[bool] = typer.Option(None, "--version", callback=_version, is_eager=True, help="Show the version and exit.")) -> None:
    """dvt: venous duplex report labelling."""


def _say(message: str, style: str = "") -> None:
    """One line on stderr: no wrapping, no markup read from the message (paths may hold brackets)."""
    from rich.text import Text

    err.print(Text(message, style=style), soft_wrap=True, highlight=False)


@app.command()
def extract(
    input: str = typer.Argument(..., help="JSONL, CSV or Parquet file (.gz ok for JSONL/CSV), a folder of .txt files, or - for JSONL on stdin."),
    output: str = typer.Option(..., "-o", "--output", help="Output file (- for JSONL on stdout); its extension picks the format unless --format says."),
    output_format: Optional[str] = typer.Option(None, "--format", "-f", help="jsonl, csv, parquet, omop-csv, omop-parquet or duckdb (default: from the output's extension). See docs/schema.md."),
    nlp_date: Optional[str] = typer.Option(None, "--nlp-date", help="NOTE_NLP nlp_date/nlp_datetime (YYYY-MM-DD or ISO datetime; default SOURCE_DATE_EPOCH, else 1970-01-01) for omop-* and duckdb."),
    id_col: str = typer.Option("id", "--id-col", help="Column holding the report id."),
    text_col: str = typer.Option("text", "--text-col", help="Column holding the report text."),
    patient_col: Optional[str] = typer.Option(None, "--patient-col", help="Column holding the patient id: copied into each record as patient_id (for dvt course)."),
    date_col: Optional[str] = typer.Option(None, "--date-col", help="Column holding the exam date(-time): copied as exam_date, ISO when readable, else as written with exam_date_note."),
    keep_cols: Optional[str] = typer.Option(None, "--keep-cols", help="Other input columns to copy into each record and the reports table, comma separated."),
    count_chronic: bool = typer.Option(False, "--count-chronic", help="Let chronic-only thrombus count toward labels."),
    workers: Optional[int] = typer.Option(None, "--workers", "-w", min=1, help="Worker processes (default: all cores). 1 runs in this process, without a pool."),
    chunk_size: int = typer.Option(64, "--chunk-size", min=1, help="Reports per task sent to a worker."),
    resume: bool = typer.Option(False, "--resume", help="Continue an interrupted run into the same OUTPUT: skip the ids it holds, redo a torn last line."),
    quiet: bool = typer.Option(False, "--quiet", "-q", help="No progress display (the one-line summary is still printed)."),
    debug: bool = typer.Option(False, "--debug", help="Full exception messages and tracebacks. They may quote report text (patient data)."),
    start_method: Optional[str] = typer.Option(None, "--start-method", hidden=True, help="multiprocessing start method (fork, spawn, forkserver)."),
    engine: str = typer.Option("local", "--engine", help="local (this machine's processes) or spark (OUTPUT is a folder; it gets reports/ and findings/ as Parquet)."),
    master: Optional[str] = typer.Option(None, "--master", help="Spark master URL for --engine spark, e.g. local[*] (default: the session's or spark-submit's)."),
) -> None:
    """Extract labels and findings for every report of INPUT into OUTPUT (JSONL records in input order, or the tables of --format; docs/schema.md).

    Exit codes: 0 every row processed; 3 finished, but some rows carry an error; 1 fatal problem; 2 usage error.
    """
    carry = _carry(patient_col, date_col, keep_cols)
    if engine == "spark":
        _extract_spark(input, output, master, id_col, text_col, count_chronic, debug, carry)
    if engine != "local":
        raise typer.BadParameter("local or spark", param_hint="'--engine'")
    import signal

    from .engines.batch import BatchError, default_workers, run_extract_to
    from .io import InputError
    from .io.guard import OutputError
    from .outputs import OutputFormatError, detect_format, staging_path
    from .engines.progress import BatchProgress

    try:
        fmt = detect_format(output, output_format)
        if fmt in ("omop-csv", "omop-parquet", "duckdb"):
            from .outputs.omop import resolve_nlp_datetime

            resolve_nlp_datetime(nlp_date)
    except (OutputFormatError, ValueError) as exc:
        raise typer.BadParameter(str(exc), param_hint="'--format' / '--output' / '--nlp-date'")
    if fmt != "jsonl" and output == "-":
        raise typer.BadParameter(f"--format {fmt} needs an output file, not stdout", param_hint="'--output'")
    if resume and output == "-":
        raise typer.BadParameter("--resume needs an output file, not stdout", param_hint="'--resume'")
    if start_method is not None and start_method not in ("fork", "spawn", "forkserver"):
        raise typer.BadParameter("fork, spawn or forkserver", param_hint="'--start-method'")

    def stop(signum, frame):  # SIGTERM ends the run like Ctrl-C: workers stop, the output keeps whole records
        raise KeyboardInterrupt

    try:
        previous = signal.signal(signal.SIGTERM, stop)
    except ValueError:  # not the main thread (embedded use): leave signals alone
        previous = None
    progress = BatchProgress(enabled=not quiet, console=err)
    on_error = (lambda record: _say(f"id {record['id']!r}: {record['error']}")) if debug else None
    try:
        summary = run_extract_to(
            input, output, fmt, nlp_date, id_col=id_col, text_col=text_col, count_chronic=count_chronic,
            workers=workers or default_workers(), chunk_size=chunk_size, resume=resume, debug=debug,
            progress=progress, start_method=start_method, on_error_row=on_error, carry=carry,
        )
    except (InputError, BatchError, OutputError) as exc:
        _say(f"error: {exc}", "bold red")
        raise typer.Exit(1)
    except OSError as exc:  # a file the run read or wrote: name it and the system's reason
        _say(f"error: {exc.filename or output}: {exc.strerror or type(exc).__name__}", "bold red")
        raise typer.Exit(1)
    except KeyboardInterrupt:
        held = output if fmt == "jsonl" else staging_path(output)
        _say(f"interrupted: {held} holds whole records only; rerun with --resume to continue", "bold red")
        raise typer.Exit(130)
    except Exception as exc:  # noqa: BLE001 - no traceback (it could quote report text) unless --debug
        if debug:
            raise
        _say(f"error: {type(exc).__name__} while extracting {input} (rerun with --debug for details; they may quote report text)", "bold red")
        raise typer.Exit(1)
    finally:
        if previous is not None:
            signal.signal(signal.SIGTERM, previous)
    parts = [f"{summary['rows']:,} rows", f"{summary['errors']:,} with errors", f"{summary['duplicate_ids']:,} duplicate ids", f"{summary['total_seconds']:.1f} s"]
    if summary["input_notes"]:
        parts.insert(2, f"{summary['input_notes']:,} with input notes")
    if summary["new_rows"] and summary["seconds"]:
        parts.append(f"{summary['rows_per_second']:,.0f} rows/s on {summary['workers']} worker{'s' if summary['workers'] > 1 else ''}")
    if resume:
        parts.append(f"{summary['resumed_rows']:,} already done")
        if summary["dropped_torn_bytes"]:
            parts.append(f"torn last line ({summary['dropped_torn_bytes']} bytes) redone")
    files = summary.get("files") or {"jsonl": output}
    _say(f"dvt extract: {', '.join(parts)} -> {', '.join(files.values())}")
    raise typer.Exit(3 if summary["errors"] else 0)


def _carry(patient_col: Optional[str], date_col: Optional[str], keep_cols: Optional[str]):
    """The columns --patient-col, --date-col and --keep-cols carry into each record (None: none)."""
    from .io.carry import Carry

    keep = tuple(dict.fromkeys(c.strip() for c in (keep_cols or "").split(",") if c.strip()))
    try:
        carry = Carry(patient_col or None, date_col or None, keep)
    except ValueError as exc:
        raise typer.BadParameter(str(exc), param_hint="'--keep-cols'")
    return carry or None


def _extract_spark(input: str, output: str, master: Optional[str], id_col: str, text_col: str, count_chronic: bool, debug: bool, carry=None) -> None:
    """``dvt extract --engine spark``: pipeline.engines.spark reads INPUT and writes OUTPUT/reports/ and OUTPUT/findings/."""
    from .engines.spark import require_pyspark, run_spark_extract

    if output == "-":
        raise typer.BadParameter("--engine spark needs an output folder, not stdout", param_hint="'--output'")
    try:
        require_pyspark()
        summary = run_spark_extract(input, output, master, id_col=id_col, text_col=text_col, count_chronic=count_chronic, debug=debug, carry=carry)
    except (RuntimeError, ValueError) as exc:
        _say(f"error: {exc}", "bold red")
        raise typer.Exit(1)
    except Exception as exc:  # noqa: BLE001 - Spark errors can quote report text: type only unless --debug
        if debug:
            raise
        _say(f"error: {type(exc).__name__} while extracting {input} with Spark (rerun with --debug for details; they may quote report text)", "bold red")
        raise typer.Exit(1)
    _say(f"dvt extract (spark): {summary['rows']:,} rows, {summary['errors']:,} with errors, {summary['findings']:,} findings -> {', '.join(summary['files'].values())}")
    raise typer.Exit(3 if summary["errors"] else 0)


@app.command()
def explain(
    source: str = typer.Argument(..., help="Report text, or a path to a text file."),
    as_json: bool = typer.Option(False, "--json", help="Print the JSON record instead."),
    count_chronic: bool = typer.Option(False, "--count-chronic"),
) -> None:
    """Show the labels of one report and every finding with its evidence highlighted."""
    from .api import extract as extract_one
    from .explain import render_explanation

    path = Path(source)
    text = path.read_text(encoding="utf-8", errors="replace") if len(source) < 4096 and "\n" not in source and path.is_file() else source
    record = extract_one(text, id=path.name if text is not source else None, count_chronic=count_chronic)
    if as_json:
        typer.echo(json.dumps(record, ensure_ascii=False, indent=2))
    else:
        render_explanation(text, record, Console())


@app.command()
def evaluate(
    pred: str = typer.Argument(..., help="Predictions written by `dvt extract`."),
    gold: str = typer.Argument(..., help="Gold JSONL (see corpora/synthetic/README.md) or CSV of id,label."),
    as_json: bool = typer.Option(False, "--json", help="Print the metrics as JSON."),
    bootstrap: int = typer.Option(1000, "--bootstrap", help="Bootstrap resamples for 95% CIs (0 to skip)."),
    seed: int = typer.Option(0, "--seed"),
    max_disagreements: int = typer.Option(50, "--max-disagreements"),
    course: Optional[str] = typer.Option(None, "--course", help="Also score a dvt course output (its -o path, e.g. out/course.jsonl): events per type and episode outcomes."),
    gold_course: Optional[str] = typer.Option(None, "--gold-course", help="The gold course tables' prefix (default: GOLD, as dvt synth --series writes them beside it)."),
    errors: bool = typer.Option(False, "--errors", help="Then print every disagreement with its findings, cues, modifiers and sentences (report text: for the terminal, not for logs)."),
) -> None:
    """Compare predictions with gold labels: per-label P/R/F1, confusion matrix, DVT sensitivity/PPV, segment F1 (and, with --course, course events and outcomes)."""
    from .evaluation import evaluate_files, render
    from .evaluation.errors import error_lines

    try:
        result = evaluate_files(pred, gold, bootstrap=bootstrap, seed=seed)
        course_result = None
        if course:
            from .evaluation.course import evaluate_course

            course_result = evaluate_course(course, gold_course or gold)
    except (ValueError, FileNotFoundError) as exc:
        err.print(f"[bold red]error:[/] {exc}")
        raise typer.Exit(1)
    if as_json:
        out = result.to_dict()
        if course_result is not None:
            out["course"] = course_result
        typer.echo(json.dumps(out, ensure_ascii=False, indent=2))
    else:
        console = Console(width=max(Console().width, 120))
        render(result, console, max_disagreements=max_disagreements)
        if course_result is not None:
            from .evaluation.course import render_course

            render_course(course_result, console)
        if errors:
            for line in error_lines(result, pred, gold):
                typer.echo(line)


@app.command()
def synth(
    n: int = typer.Option(100, "-n", help="How many reports."),
    seed: int = typer.Option(1, "--seed"),
    split: str = typer.Option("dev", "--split", help="dev or test templates and phrasings."),
    output: str = typer.Option(..., "-o", "--output"),
    series: bool = typer.Option(False, "--series", help="Patients (-n of them) with 1-6 dated exams each, and the gold course tables beside OUTPUT (OUT.leg_events.jsonl ...)."),
) -> None:
    """Generate synthetic duplex reports with gold labels (reproducible from the seed)."""
    from .synth import generate, write_jsonl

    if series:
        from .synth.series import write_series

        counts = write_series(n, seed, split, output)
        err.print(f"{n} patients, {counts['reports']} reports, {counts['leg_events']} gold events, {counts['leg_episodes']} gold episodes -> {output}")
        return
    records = generate(n, seed, split=split)
    write_jsonl(records, output)
    err.print(f"{len(records)} reports -> {output}")


rules_app = typer.Typer(help="Inspect the rule files of patterns/.", no_args_is_help=True)
app.add_typer(rules_app, name="rules")


@rules_app.command("check")
def rules_check(
    rules_dir: Optional[str] = typer.Option(None, "--rules-dir", help="A copy of patterns/ to check (default: the bundled rules)."),
) -> None:
    """Check the rules for conflicts the loader cannot see (a ConText phrase holding a target, ...); exit 1 if any."""
    from .nlp.build import build_nlp
    from .nlp.rule_checks import check_rules
    from .rules import RuleError, load_rules

    try:
        rules = load_rules(rules_dir)
    except (RuleError, FileNotFoundError) as exc:
        err.print(f"[bold red]error:[/] {exc}")
        raise typer.Exit(1)
    problems = check_rules(build_nlp(rules_dir), rules)
    for problem in problems:
        typer.echo(str(problem))
    err.print(f"{len(problems)} problem(s) in {rules.directory} (rules {rules.rules_hash})")
    raise typer.Exit(1 if problems else 0)


@app.command()
def course(
    labels: str = typer.Argument(..., help="Output of dvt extract run with --patient-col and --date-col: JSONL, Parquet or CSV tables (OUT.reports.parquet or OUT.parquet), or DuckDB."),
    output: str = typer.Option(..., "-o", "--output", help="-o course.jsonl writes course.leg_exams.jsonl, course.leg_events.jsonl, course.leg_episodes.jsonl (.csv, .parquet alike; .duckdb: one file)."),
    output_format: Optional[str] = typer.Option(None, "--format", "-f", help="jsonl, csv, parquet or duckdb (default: from the output's extension)."),
    window_days: int = typer.Option(14, "--window-days", min=1, help="Surveillance window after a distal index (days)."),
    grace_days: int = typer.Option(7, "--grace-days", min=0, help="Grace days added to the window."),
    min_gap_days: int = typer.Option(2, "--min-gap-days", min=1, help="A follow-up is an exam at least this many days after the index."),
    persistence_days: int = typer.Option(90, "--persistence-days", min=1, help="An episode lapses this many days after its last exam with a current DVT."),
    clean_window_days: int = typer.Option(365, "--clean-window-days", min=0, help="A DVT within this many days of an episode's end is a recurrence, later an index."),
    chronic_residual_days: int = typer.Option(90, "--chronic-residual-days", min=0, help="Chronic residual needs at least this many days since the index."),
    merge_days: int = typer.Option(1, "--merge-days", min=0, help="Reports of a patient within this many days are one exam (the last one represents it)."),
    tpt_proximal: bool = typer.Option(False, "--tpt-proximal", help="Count the tibioperoneal trunk as proximal ('trifurcation or above')."),
    as_of: Optional[str] = typer.Option(None, "--as-of", help="Exams after this date (YYYY-MM-DD) are in the future and excluded (default: SOURCE_DATE_EPOCH's date, else today, UTC)."),
    engine: str = typer.Option("local", "--engine", help="local, or spark (groups patients with applyInPandas; OUTPUT is then a folder of Parquet tables)."),
    workers: Optional[int] = typer.Option(None, "--workers", "-w", min=1, help="Processes for the local engine (default: all cores; 1 runs in this process)."),
    master: Optional[str] = typer.Option(None, "--master", help="Spark master URL for --engine spark."),
) -> None:
    """Per-leg exams, events and episodes across each patient's reports (docs/surveillance.md), with the surveillance outcome of each distal DVT."""
    import datetime as dt
    import os
    import time

    from .course.io import CourseInputError, run_course
    from .course.rules import Params

    try:
        day = dt.date.fromisoformat(as_of) if as_of else (dt.datetime.fromtimestamp(int(os.environ["SOURCE_DATE_EPOCH"]), dt.timezone.utc).date()
                                                          if os.environ.get("SOURCE_DATE_EPOCH") else dt.datetime.now(dt.timezone.utc).date())
    except ValueError:
        raise typer.BadParameter("a date YYYY-MM-DD", param_hint="'--as-of'")
    params = Params(window_days, grace_days, min_gap_days, persistence_days, clean_window_days, chronic_residual_days, merge_days, tpt_proximal, day.isoformat())
    begun = time.perf_counter()
    try:
        if engine == "spark":
            from .course.spark import run_course_spark

            summary = run_course_spark(labels, output, params, master)
        elif engine == "local":
            summary = run_course(labels, output, params, output_format, workers or os.cpu_count() or 1)
        else:
            raise typer.BadParameter("local or spark", param_hint="'--engine'")
    except (CourseInputError, OSError, RuntimeError) as exc:
        _say(f"error: {exc}", "bold red")
        raise typer.Exit(1)
    counts = ", ".join(f"{n:,} {name}" for name, n in summary["tables"].items())
    _say(f"dvt course: {counts}, {time.perf_counter() - begun:.1f} s -> {', '.join(dict.fromkeys(summary['files'].values()))}")


def _add_review_commands() -> None:
    from .review.cli import audit, review_app

    app.add_typer(review_app, name="review")
    app.command()(audit)


_add_review_commands()


def main() -> None:
    """Console entry point."""
    app()


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
