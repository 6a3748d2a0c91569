"""Reading reports from files and writing records."""
from .readers import InputError, read_reports
from .writers import write_jsonl

__all__ = ["InputError", "read_reports", "write_jsonl"]
