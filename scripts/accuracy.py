#!/usr/bin/env python3
"""Accuracy benchmark: run the pipeline over corpora with gold labels and print one table.

    python scripts/accuracy.py                       # synthetic dev, test, handwritten
    python scripts/accuracy.py corpora/blind/01/blind01.jsonl --bootstrap 1000 --json

Figures come from `pipeline.evaluation` (the code behind `dvt evaluate`); predictions are
written to out/<corpus>.pred.jsonl so `dvt evaluate` can show the disagreements.
"""
from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from rich.console import Console  # noqa: E402
from rich.table import Table  # noqa: E402

import pipeline  # noqa: E402
from pipeline.evaluation import evaluate_files  # noqa: E402

DEFAULT = ["corpora/synthetic/dev.jsonl", "corpora/synthetic/test.jsonl", "corpora/synthetic/handwritten.jsonl"]


def predict(extractor: pipeline.Extractor, gold: Path, out: Path) -> None:
    records = [json.loads(line) for line in gold.read_text(encoding="utf-8").splitlines() if line.strip()]
    out.parent.mkdir(parents=True, exist_ok=True)
    with out.open("w", encoding="utf-8") as handle:
        for record in extractor.extract_many((r["id"], r["text"]) for r in records):
            handle.write(json.dumps(record, ensure_ascii=False) + "\n")


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
    rows = []
    for corpus in args.corpora:
        gold = (ROOT / corpus) if not Path(corpus).is_absolute() else Path(corpus)
        out = ROOT / "out" / f"{gold.stem}.pred.jsonl"
        predict(extractor, gold, out)
        rows.append(row(gold.stem, evaluate_files(out, gold, bootstrap=args.bootstrap).to_dict()))
    if args.json:
        print(json.dumps(rows, indent=2))
        return 0
    table = Table(title=f"dvt {pipeline.__version__} accuracy (rules {extractor.rules.rules_hash})")
    for column in rows[0]:
        table.add_column(column, justify="left" if column == "corpus" else "right")
    for r in rows:
        table.add_row(*(str(v) for v in r.values()))
    Console(width=200).print(table)
    return 0


if __name__ == "__main__":
    sys.exit(main())
