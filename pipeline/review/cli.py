"""`dvt review` (serve the app; `export`, `agreement`) and `dvt audit`: thin wrappers over pipeline.review."""
from __future__ import annotations

import getpass
import json
import secrets
from typing import Optional

import typer
from rich.console import Console
from rich.table import Table
from typer.core import TyperGroup

from .store import ReviewError

err = Console(stderr=True)


class _ServeByDefault(TyperGroup):
    """`dvt review OUTPUT.jsonl ...` runs `dvt review serve OUTPUT.jsonl ...`; named subcommands run as such."""

    def parse_args(self, ctx, args: list[str]) -> list[str]:
        if args and args[0] not in self.commands and args[0] not in ("--help", "-h"):
            args = ["serve", *args]
        return super().parse_args(ctx, args)


review_app = typer.Typer(cls=_ServeByDefault, add_completion=False, no_args_is_help=True,
                         help="Review labels in a local web app; export adjudicated labels; measure agreement.")


def _fail(exc: Exception) -> None:
    from rich.text import Text

    err.print(Text(f"error: {exc}", style="bold red"), highlight=False, soft_wrap=True)  # no markup read from paths
    raise typer.Exit(1)


@review_app.command()
def serve(
    output: Optional[str] = typer.Argument(None, help="JSONL written by dvt extract (not needed to reopen a review)."),
    db: str = typer.Option(..., "--db", help="Review database (SQLite); created on first use, resumed after."),
    input_path: Optional[str] = typer.Option(None, "--input", "-i", help="The reports given to dvt extract (for their text), unless the records hold it."),
    gold: Optional[str] = typer.Option(None, "--gold", help="Gold labels to compare with (any format dvt evaluate reads)."),
    id_col: str = typer.Option("id", "--id-col"),
    text_col: str = typer.Option("text", "--text-col"),
    host: str = typer.Option("127.0.0.1", "--host", help="Address to bind; anything but loopback needs --token."),
    port: int = typer.Option(8765, "--port", min=0, max=65535),
    token: Optional[str] = typer.Option(None, "--token", help="Access token (required off loopback; 'auto' makes one). Prefer the DVT_REVIEW_TOKEN variable.", envvar="DVT_REVIEW_TOKEN"),
    reviewer: Optional[str] = typer.Option(None, "--reviewer", help="Name the page suggests (default: your login name)."),
    sample: Optional[int] = typer.Option(None, "--sample", min=1, help="Review a random sample of N reports (when the review is created)."),
    per_label: Optional[int] = typer.Option(None, "--per-label", min=1, help="Review up to N random reports of each label (when the review is created)."),
    seed: int = typer.Option(0, "--seed", help="Seed of --sample / --per-label."),
) -> None:
    """Serve the review app for OUTPUT (JSONL from dvt extract) until Ctrl-C; decisions go to --db at once."""
    from .app import ReviewApp
    from .loading import open_review
    from .sampling import Sampling
    from .server import ReviewServer

    if token == "auto":
        token = secrets.token_urlsafe(24)
    try:
        store = open_review(db, output, input_path, gold, id_col, text_col, Sampling(sample, per_label, seed))
        server = ReviewServer(ReviewApp(store, reviewer or getpass.getuser()), host, port, token)
    except (ReviewError, ValueError, OSError) as exc:
        _fail(exc)
    meta = store.meta()
    err.print(f"dvt review: {store.report_count():,} reports ({meta.get('sampling')}) from {meta.get('source')} -> {server.url}  (Ctrl-C to stop)", highlight=False, soft_wrap=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()


@review_app.command()
def export(
    db: str = typer.Option(..., "--db", help="Review database."),
    output: str = typer.Option(..., "-o", "--output", help="adjudicated.csv (dvt evaluate reads it as gold) or tasks.json (Label Studio)."),
    fmt: Optional[str] = typer.Option(None, "--format", "-f", help="csv or labelstudio (default: from the extension, .json is Label Studio)."),
    reviewer: Optional[str] = typer.Option(None, "--reviewer", help="Only this reviewer's decisions (default: the last decision on each report)."),
) -> None:
    """Write the decided reports' labels: CSV (id,label,side_label_*,reviewer,...) or Label Studio tasks."""
    from .export import export_review
    from .store import ReviewStore

    try:
        done = export_review(ReviewStore(db, create=False), output, fmt, reviewer)
    except (ReviewError, OSError) as exc:
        _fail(exc)
    err.print(f"dvt review export: {done['reports']:,} decided reports -> {', '.join(done['files'])}", highlight=False)


@review_app.command()
def agreement(
    db: list[str] = typer.Option(..., "--db", help="Review database; give two to compare reviews kept in separate files."),
    as_json: bool = typer.Option(False, "--json", help="Print JSON."),
) -> None:
    """Cohen's kappa between every two reviewers (and each reviewer and the model) over the reports both decided."""
    from .stats import review_stats
    from .store import ReviewStore

    try:
        report = review_stats([ReviewStore(path, create=False) for path in db])
    except ReviewError as exc:
        _fail(exc)
    if as_json:
        typer.echo(json.dumps(report, indent=2))
        return
    table = Table(title="Agreement (Cohen's kappa)")
    for column in ("raters", "reports", "label agreement", "label kappa", "sides", "side kappa"):
        table.add_column(column)
    fmt = lambda v: "—" if v is None else f"{v:.3f}"  # noqa: E731
    for row in report["model_agreement"] + report["reviewer_agreement"]:
        table.add_row(f"{row['rater_a']} vs {row['rater_b']}", str(row["n_reports"]), fmt(row["label_agreement"]), fmt(row["label_kappa"]),
                      str(row["n_sides"]), fmt(row["side_kappa"]))
    Console().print(table)


def audit(
    output: str = typer.Argument(..., help="JSONL written by dvt extract."),
    destination: str = typer.Option(..., "-o", "--output", help="The HTML page to write."),
    input_path: Optional[str] = typer.Option(None, "--input", "-i", help="The reports given to dvt extract, to show examples in their text."),
    examples: int = typer.Option(3, "--examples", min=0, help="Example reports per label."),
    id_col: str = typer.Option("id", "--id-col"),
    text_col: str = typer.Option("text", "--text-col"),
    course: Optional[str] = typer.Option(None, "--course", help="A dvt course output (its -o path): adds outcomes, the follow-up work list and patient timelines."),
    course_patients: int = typer.Option(8, "--course-patients", min=0, help="Patients whose timelines are drawn."),
) -> None:
    """Write a self-contained, read-only HTML summary of OUTPUT: label counts and highlighted examples per label."""
    from ..io import InputError
    from .audit import write_audit

    try:
        done = write_audit(output, destination, input_path, id_col, text_col, examples, course, course_patients)
    except (ReviewError, InputError, OSError, ValueError) as exc:
        _fail(exc)
    err.print(f"dvt audit: {done['reports']:,} reports -> {destination}", highlight=False)
