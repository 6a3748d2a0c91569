"""Review of extracted labels by quality analysts: a local web app over a SQLite review database,
exports that `dvt evaluate` reads as gold, agreement between reviewers, and a static audit page."""
from .loading import open_review
from .store import ReviewError, ReviewStore

__all__ = ["ReviewError", "ReviewStore", "open_review"]
