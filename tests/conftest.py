"""Shared fixtures: one extractor for the whole test session (building it takes a second)."""
from __future__ import annotations

import os
from pathlib import Path

import pytest

from pipeline import Extractor

ROOT = Path(__file__).resolve().parent.parent
SHARED = Path(os.environ.get("DVT_SHARED", ROOT.parent / "shared"))  # the folder beside the repository
REAL_CORPUS = SHARED / "corpora" / "real" / "mtsamples"
REAL_PASSAGES = SHARED / "corpora" / "real" / "passages" / "passages.jsonl"


@pytest.fixture(scope="session")
def extractor() -> Extractor:
    return Extractor()


@pytest.fixture(scope="session")
def label(extractor):
    """label(text) -> the report label."""
    return lambda text: extractor.extract(text)["label"]


REVIEW_REPORTS = [  # (id, text): a small extract input for the review tests
    ("r1", "FINDINGS: Occlusive thrombus in the right popliteal vein.\nIMPRESSION: Acute right popliteal DVT."),
    ("r2", "FINDINGS: Thrombus in the left gastrocnemius vein. The left femoral and popliteal veins are compressible."),
    ("r3", "INDICATION: Rule out DVT.\nIMPRESSION: No DVT in either lower extremity."),
    ("r4", "FINDINGS: Questionable nonocclusive thrombus in the left peroneal vein."),
    ("r5", "   "),
    ("r6", "<script>alert(1)</script> FINDINGS: Thrombus in the right posterior tibial vein."),
]
REVIEW_GOLD = {"r1": "PROXIMAL", "r2": "IDDVT", "r3": "NEGATIVE", "r4": "INDETERMINATE", "r6": "IDDVT"}


@pytest.fixture(scope="session")
def review_source(tmp_path_factory, extractor) -> dict[str, Path]:
    """reports.jsonl (input), out.jsonl (dvt extract records, no text) and gold.jsonl for the review tests."""
    import json

    root = tmp_path_factory.mktemp("review_source")
    paths = {"input": root / "reports.jsonl", "output": root / "out.jsonl", "gold": root / "gold.jsonl"}
    paths["input"].write_text("".join(json.dumps({"id": i, "text": t}) + "\n" for i, t in REVIEW_REPORTS), encoding="utf-8")
    paths["output"].write_text("".join(json.dumps(extractor.extract(t, i)) + "\n" for i, t in REVIEW_REPORTS), encoding="utf-8")
    paths["gold"].write_text("".join(json.dumps({"id": i, "label": label}) + "\n" for i, label in REVIEW_GOLD.items()), encoding="utf-8")
    return paths
