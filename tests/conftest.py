"""Shared fixtures: one extractor for the whole test session (building it takes a second)."""
from __future__ import annotations

from pathlib import Path

import pytest

from pipeline import Extractor

ROOT = Path(__file__).resolve().parent.parent
REAL_CORPUS = ROOT.parent / "shared" / "corpora" / "real" / "mtsamples"


@pytest.fixture(scope="session")
def extractor() -> Extractor:
    return Extractor()


@pytest.fixture(scope="session")
def label(extractor):
    """label(text) -> the report label."""
    return lambda text: extractor.extract(text)["label"]
