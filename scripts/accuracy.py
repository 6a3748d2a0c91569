#!/usr/bin/env python3
"""Accuracy benchmark: run the pipeline over corpora with gold labels and print one table.

    python scripts/accuracy.py                       # every tuned corpus and the real passages
    python scripts/accuracy.py corpora/blind/01/blind01.jsonl --bootstrap 1000 --json

The default list is the synthetic dev, test and handwritten sets, blind sets 01-24 (blind/25,
the newest, is kept untouched: measured only when named) and, when it is there, the real clinician passages
(``../shared/corpora/real/passages/passages.jsonl``; set ``DVT_SHARED`` to the shared folder when
the repository is checked out elsewhere): its clear cases make a table row, the
passages marked ``ambiguous`` are listed apart (id, gold, predicted).
Figures come from `pipeline.evaluation` (the code behind `dvt evaluate`); predictions are
written to out/<corpus>.pred.jsonl so `dvt evaluate --errors` can show the disagreements.
"""
from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from rich.console import Console  # noqa: E402
from rich.table import Table  # noqa: E402

import pipeline  # noqa: E402
from pipeline.evaluation import evaluate_files  # noqa: E402

SHARED = Path(os.environ.get("DVT_SHARED", ROOT.parent / "shared"))  # the folder beside the repository
REAL_PASSAGES = str(SHARED / "corpora" / "real" / "passages" / "passages.jsonl")
DEFAULT = [
    "corpora/synthetic/dev.jsonl", "corpora/synthetic/test.jsonl", "corpora/synthetic/handwritten.jsonl",
    *(f"corpora/blind/{n:02d}/blind{n:02d}.jsonl" for n in range(1, 25)),
    REAL_PASSAGES,
]


def read_jsonl(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def predict(extractor: pipeline.Extractor, records: list[dict], out: Path) -> list[dict]:
    out.parent.mkdir(parents=True, exist_ok=True)
    predictions = list(extractor.extract_many((r["id"], r["text"]) for r in records))
    with out.open("w", encoding="utf-8") as handle:
        for record in predictions:
            handle.write(json.dumps(record, ensure_ascii=False) + "\n")
    return predictions


def split_ambiguous(gold: Path, records: list[dict]) -> tuple[Path, list[dict]]:
    """A corpus marking some records `ambiguous`: the clear ones go to out/<stem>.clear.jsonl."""
    ambiguous = [r for r in records if r.get("ambiguous")]
    if not ambiguous:
        return gold, []
    clear = ROOT / "out" / f"{gold.stem}.clear.jsonl"
    clear.parent.mkdir(parents=True, exist_ok=True)
    clear.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records if not r.get("ambiguous")), encoding="utf-8")
    return clear, ambiguous


def row(name: str, d: dict) -> dict:
    ci = d["bootstrap"]["intervals"] if d.get("bootstrap") else {}

    def fmt(value, key=None):
        if value is None:
            return "—"
        interval = ci.get(key) if key else None
        return f"{value:.3f}" + (f" ({interval['low']:.3f}–{interval['high']:.3f})" if interval else "")

    return {
        "corpus": name, "reports": d["n_reports"],
        "label accuracy": fmt(d["label"]["accuracy"], "accuracy"), "macro-F1": fmt(d["label"]["macro_f1"], "macro_f1"),
        "DVT sensitivity": fmt(d["dvt"]["sensitivity"], "dvt_sensitivity"), "DVT PPV": fmt(d["dvt"]["ppv"], "dvt_ppv"),
        "deep-segment F1": fmt(d["deep_segments"]["f1"] if d.get("deep_segments") else None, "deep_segment_f1"),
        "side-label acc.": fmt(d["side_labels"]["accuracy"] if d.get("side_labels") else None),
        "svt acc.": fmt(d["svt"]["accuracy"] if d.get("svt") else None),
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("corpora", nargs="*", default=DEFAULT)
    parser.add_argument("--bootstrap", type=int, default=0, help="resamples for 95%% CIs (0: none)")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    extractor = pipeline.Extractor()
    rows, apart, absent = [], [], []
    for corpus in args.corpora:
        gold = (ROOT / corpus) if not Path(corpus).is_absolute() else Path(corpus)
        if not gold.is_file():
            absent.append(corpus)
            continue
        records = read_jsonl(gold)
        predictions = predict(extractor, records, ROOT / "out" / f"{gold.stem}.pred.jsonl")
        scored, ambiguous = split_ambiguous(gold, records)
        label = {p["id"]: p["label"] for p in predictions}
        apart += [{"corpus": gold.stem, "id": r["id"], "gold": r["label"], "predicted": label[r["id"]]} for r in ambiguous]
        name = gold.stem + (" (clear)" if ambiguous else "")
        rows.append(row(name, evaluate_files(ROOT / "out" / f"{gold.stem}.pred.jsonl", scored, bootstrap=args.bootstrap).to_dict()))
        if ambiguous and args.json:
            rows[-1]["ambiguous"] = [{k: v for k, v in a.items() if k != "corpus"} for a in apart if a["corpus"] == gold.stem]
    for corpus in absent:
        print(f"skipped {corpus}: file not found", file=sys.stderr)
    if not rows:
        print("no corpus to measure", file=sys.stderr)
        return 1
    if args.json:
        print(json.dumps(rows, indent=2))
        return 0
    table = Table(title=f"dvt {pipeline.__version__} accuracy (rules {extractor.rules.rules_hash})")
    for column in rows[0]:  # every row has the same columns
        table.add_column(column, justify="left" if column == "corpus" else "right")
    for r in rows:
        table.add_row(*(str(v) for v in r.values()))
    console = Console(width=200)
    console.print(table)
    if apart:
        listed = Table(title="Marked ambiguous (scored apart)")
        for column in apart[0]:
            listed.add_column(column)
        for r in apart:
            listed.add_row(*(str(v) for v in r.values()))
        console.print(listed)
    return 0


if __name__ == "__main__":
    sys.exit(main())
