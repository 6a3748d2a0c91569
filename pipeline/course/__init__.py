"""Serial-exam surveillance (SURVEILLANCE.md part B): per-leg exams, events and episodes across a patient's reports.

``rules`` is the pure decision logic; ``tables`` reads ``dvt extract`` output and writes the three tables.
"""
