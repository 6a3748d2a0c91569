"""Reading reports from files and writing records."""
from .readers import InputError, Row, count_rows, detect_format, read_frame, read_reports
from .writers import JsonlWriter, dump_bytes, dumps, truncate_torn_tail, write_jsonl

__all__ = ["InputError", "JsonlWriter", "Row", "count_rows", "detect_format", "dump_bytes", "read_frame", "dumps", "read_reports", "truncate_torn_tail", "write_jsonl"]
