"""Write the committed synthetic corpus: corpora/synthetic/{dev,test}.jsonl.

Usage: python scripts/make_corpus.py [OUTDIR]   (default: corpora/synthetic next to this script's repo)
Running it twice gives byte-identical files.
"""
from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from pipeline.synth import generate, write_jsonl  # noqa: E402

SPLITS = {"dev": (2000, 1), "test": (600, 2)}  # split: (n reports, seed)


def main(outdir: str | None = None) -> None:
    out = Path(outdir) if outdir else ROOT / "corpora" / "synthetic"
    for split, (n, seed) in SPLITS.items():
        path = out / f"{split}.jsonl"
        write_jsonl(generate(n, seed, split), path)
        print(f"wrote {n} reports to {path}")


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else None)
