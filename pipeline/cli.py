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


@app.command()
def extract(
    input: str = typer.Argument(..., help="JSONL, CSV or Parquet file (.gz ok), a folder of .txt files, or - for stdin JSONL."),
    output: str = typer.Option(..., "-o", "--output", help="Output JSONL file (- for stdout)."),
    id_col: str = typer.Option("id", "--id-col", help="Column holding the report id."),
    text_col: str = typer.Option("text", "--text-col", help="Column holding the report text."),
    count_chronic: bool = typer.Option(False, "--count-chronic", help="Let chronic-only thrombus count toward labels."),
) -> None:
    """Extract labels and findings for every report of INPUT into OUTPUT (one JSONL record per report)."""
    from .batch import run_extract
    from .io import InputError

    try:
        summary = run_extract(input, output, id_col=id_col, text_col=text_col, count_chronic=count_chronic)
    except InputError as exc:
        err.print(f"[bold red]error:[/] {exc}")
        raise typer.Exit(1)
    err.print(f"{summary['rows']} reports, {summary['errors']} with errors, {summary['duplicate_ids']} duplicate ids -> {output}")
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
) -> None:
    """Compare predictions with gold labels: per-label P/R/F1, confusion matrix, DVT sensitivity/PPV, segment F1."""
    from .evaluation import evaluate_files, render

    try:
        result = evaluate_files(pred, gold, bootstrap=bootstrap, seed=seed)
    except (ValueError, FileNotFoundError) as exc:
        err.print(f"[bold red]error:[/] {exc}")
        raise typer.Exit(1)
    if as_json:
        typer.echo(json.dumps(result.to_dict(), ensure_ascii=False, indent=2))
    else:
        render(result, Console(width=max(Console().width, 120)), max_disagreements=max_disagreements)


@app.command()
def synth(
    n: int = typer.Option(100, "-n", help="How many reports."),
    seed: int = typer.Option(1, "--seed"),
    split: str = typer.Option("dev", "--split", help="dev or test templates and phrasings."),
    output: str = typer.Option(..., "-o", "--output"),
) -> None:
    """Generate synthetic duplex reports with gold labels (reproducible from the seed)."""
    from .synth import generate, write_jsonl

    records = generate(n, seed, split=split)
    write_jsonl(records, output)
    err.print(f"{len(records)} reports -> {output}")


def main() -> None:
    """Console entry point."""
    app()


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
