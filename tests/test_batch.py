"""Batch extraction (`dvt extract`): every input format, workers, order, hostile input, resume, privacy."""
from __future__ import annotations

import gzip
import json
import os
import random
import signal
import subprocess
import sys
import time
import tracemalloc
from pathlib import Path

import pandas as pd
import pytest
from typer.testing import CliRunner

from pipeline.api import Extractor
from pipeline.engines.batch import DuplicateCounter, run_extract
from pipeline.cli import app
from pipeline.io import count_rows, read_reports
from pipeline.io.guard import FP_MAGIC, row_fingerprint
from pipeline.core.record import error_record

ROOT = Path(__file__).resolve().parent.parent
runner = CliRunner()
REPORTS = [("r1", "Occlusive thrombus in the left popliteal vein."), ("r2", "No DVT in the right leg."), ("r3", "Thrombus in a left soleal vein.")]
LABELS = ["PROXIMAL", "NEGATIVE", "ICMVT"]


def extract(*args: str, input: bytes | str | None = None):
    return runner.invoke(app, ["extract", *map(str, args)], input=input)


def read_jsonl(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


def jsonl_bytes(rows) -> bytes:
    return "".join(json.dumps({"id": i, "text": t}) + "\n" for i, t in rows).encode()


def corpus_rows(n: int) -> list[tuple[str, str]]:
    lines = (ROOT / "corpora" / "synthetic" / "dev.jsonl").read_text(encoding="utf-8").splitlines()[:n]
    return [(r["id"], r["text"]) for r in map(json.loads, lines)]


def short_rows(n: int, seed: int = 0) -> list[tuple[str, str]]:
    """Short, distinct reports; every 50th id repeats the one before it (duplicate ids)."""
    rng = random.Random(seed)
    veins = ["left popliteal vein", "right common femoral vein", "left soleal vein", "right peroneal veins", "left great saphenous vein"]
    phrases = ["Thrombus in the {v}.", "No DVT. The {v} is compressible.", "Partial thrombus of the {v}. Study {i}."]
    rows = []
    for i in range(n):
        rid = f"r{i - 1:05d}" if i % 50 == 49 else f"r{i:05d}"
        rows.append((rid, rng.choice(phrases).format(v=rng.choice(veins), i=i)))
    return rows


# --------------------------------------------------------------------------- formats


def write_input(tmp_path: Path, fmt: str) -> Path:
    frame = pd.DataFrame(REPORTS, columns=["id", "text"])
    if fmt == "folder":
        root = tmp_path / "reports"
        (root / "b").mkdir(parents=True)
        (root / "a.txt").write_text(REPORTS[0][1])
        (root / "b" / "r2.txt").write_text(REPORTS[1][1])
        (root / "c.txt").write_text(REPORTS[2][1])
        (root / "notes.md").write_text("not a report")
        return root
    path = tmp_path / f"in.{fmt}"
    if fmt == "parquet":
        frame.to_parquet(path, row_group_size=2)  # two row groups
    elif fmt.startswith("jsonl"):
        data = jsonl_bytes(REPORTS)
        path.write_bytes(gzip.compress(data) if fmt.endswith(".gz") else data)
    else:
        data = frame.to_csv(index=False).encode()
        path.write_bytes(gzip.compress(data) if fmt.endswith(".gz") else data)
    return path


@pytest.mark.parametrize("fmt", ["jsonl", "jsonl.gz", "csv", "csv.gz", "parquet", "folder"])
def test_every_file_format_is_read_in_order(tmp_path, fmt):
    out = tmp_path / "out.jsonl"
    result = extract(write_input(tmp_path, fmt), "-o", out, "--quiet")
    assert result.exit_code == 0, result.output
    records = read_jsonl(out)
    expected = ["a.txt", "b/r2.txt", "c.txt"] if fmt == "folder" else ["r1", "r2", "r3"]
    assert [r["id"] for r in records] == expected
    assert [r["label"] for r in records] == LABELS


@pytest.mark.parametrize("compress", [False, True], ids=["plain", "gzip"])
def test_stdin_jsonl(tmp_path, compress):
    data = jsonl_bytes(REPORTS)
    result = extract("-", "-o", tmp_path / "out.jsonl", "--quiet", input=gzip.compress(data) if compress else data)
    assert result.exit_code == 0, result.output
    assert [r["label"] for r in read_jsonl(tmp_path / "out.jsonl")] == LABELS


def test_output_to_stdout_holds_only_records(tmp_path):
    source = write_input(tmp_path, "jsonl")
    result = runner.invoke(app, ["extract", str(source), "-o", "-", "--quiet"])
    assert result.exit_code == 0
    assert [json.loads(line)["id"] for line in result.stdout.splitlines()] == ["r1", "r2", "r3"]


def test_csv_streams_multiline_fields_and_decodes_each_row_on_its_own(tmp_path):
    source = tmp_path / "in.csv"
    source.write_bytes(
        b"\xef\xbb\xbfid,text\r\n"  # a BOM before the header
        + 'u1,"Caf\u00e9 note:\nOcclusive thrombus in the\nleft popliteal vein."\r\n'.encode("utf-8")
        + "l1,Patient Ren\xe9e: thrombus in a left soleal vein.\r\n".encode("latin-1")
        + 'u2,"No DVT in the right leg, per Dr. M\u00fcller."\r\n'.encode("utf-8")
    )
    out = tmp_path / "out.jsonl"
    result = extract(source, "-o", out, "--quiet")
    assert result.exit_code == 0, result.output
    records = read_jsonl(out)
    assert [(r["id"], r["label"]) for r in records] == [("u1", "PROXIMAL"), ("l1", "ICMVT"), ("u2", "NEGATIVE")]
    assert "input_note" not in records[0] and "input_note" not in records[2]  # the UTF-8 rows stay UTF-8
    assert records[1]["input_note"] == "line 5: not valid UTF-8: decoded as windows-1252"
    rows = list(read_reports(str(source)))
    assert rows[0].text.startswith("Caf\u00e9 note:\n") and "Ren\u00e9e" in rows[1].text and "M\u00fcller" in rows[2].text


def test_latin1_csv_file(tmp_path):
    source = tmp_path / "in.csv"
    source.write_bytes("id,text\nx,Caf\xe9 patient: thrombus in the left popliteal vein.\ny,No DVT in the right leg \xb1.\n".encode("latin-1"))
    out = tmp_path / "out.jsonl"
    assert extract(source, "-o", out, "--quiet").exit_code == 0
    assert [r["label"] for r in read_jsonl(out)] == ["PROXIMAL", "NEGATIVE"]


def test_csv_is_streamed_not_read_whole(tmp_path):
    source = tmp_path / "big.csv"
    row = b'7,"No DVT in the right leg.\nRight CFV compressible."\n'
    with open(source, "wb") as handle:
        handle.write(b"id,text\n")
        handle.write(row * 400_000)  # ~20 MB
    tracemalloc.start()
    rows = read_reports(str(source))
    first = next(rows)
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    rows.close()
    assert first.text.startswith("No DVT") and peak < 2_000_000
    assert count_rows(str(source)) == 400_000  # records, not lines (each record spans two)


# --------------------------------------------------------------------------- workers, order, duplicates


def test_two_workers_write_the_same_bytes_as_one(tmp_path):
    rows = corpus_rows(120)
    rows.insert(40, rows[3])  # a duplicate id, kept where it is
    source = tmp_path / "in.jsonl"
    source.write_bytes(jsonl_bytes(rows))
    one, two = tmp_path / "one.jsonl", tmp_path / "two.jsonl"
    first = extract(source, "-o", one, "--workers", "1", "--chunk-size", "8", "--quiet")
    second = extract(source, "-o", two, "--workers", "2", "--chunk-size", "8", "--quiet")
    assert first.exit_code == second.exit_code == 0, second.output
    assert "on 2 workers" in second.output and "1 duplicate ids" in second.output
    assert one.read_bytes() == two.read_bytes()
    assert [r["id"] for r in read_jsonl(two)] == [rid for rid, _ in rows]


def test_spawn_start_method_works_too(tmp_path):
    rows = short_rows(40)
    source = tmp_path / "in.jsonl"
    source.write_bytes(jsonl_bytes(rows))
    one, spawned = tmp_path / "one.jsonl", tmp_path / "spawn.jsonl"
    assert extract(source, "-o", one, "--workers", "1", "--quiet").exit_code == 0
    result = extract(source, "-o", spawned, "--workers", "2", "--chunk-size", "5", "--start-method", "spawn", "--quiet")
    assert result.exit_code == 0, result.output
    assert one.read_bytes() == spawned.read_bytes()


def test_rebuilding_the_pipeline_mid_run_changes_nothing(tmp_path):
    """Processes rebuild their pipeline to give back the memory spaCy's string store gathers."""
    source = tmp_path / "in.jsonl"
    source.write_bytes(jsonl_bytes(short_rows(30)))
    plain, rebuilt = tmp_path / "plain.jsonl", tmp_path / "rebuilt.jsonl"
    assert run_extract(str(source), str(plain), chunk_size=10)["pipeline_rebuilds"] == 0
    assert run_extract(str(source), str(rebuilt), chunk_size=10, refresh_every=15)["pipeline_rebuilds"] == 1  # before the 3rd chunk
    assert plain.read_bytes() == rebuilt.read_bytes()


def test_a_pool_worker_freezes_its_pipeline_and_frees_it_on_rebuild():
    """Pool workers gc.freeze their pipeline; a rebuild frees the old one and freezes the new one."""
    import gc
    import weakref

    from pipeline.io import Row
    from pipeline.engines.workers import _Worker

    rows = [Row("a", "Right CFV: no thrombus."), Row("b", "Occlusive thrombus in the left popliteal vein.")]
    before = gc.get_freeze_count()  # not always 0: a library may have frozen some objects at import
    try:
        assert _Worker(count_chronic=False, debug=False, refresh_every=0) and gc.get_freeze_count() == before  # --workers 1 runs in the caller's process: its gc is left alone
        extractor = Extractor()
        expected = [extractor.extract(row.text, row.id) for row in rows]
        worker = _Worker(count_chronic=False, debug=False, refresh_every=2, freeze=True)
        frozen = gc.get_freeze_count()
        assert frozen > before + 10_000  # the pipeline's objects
        old_nlp = weakref.ref(worker.extractor.nlp)
        assert worker.run(rows) == expected
        assert worker.run(rows) == expected and worker.rebuilds == 1  # the second batch came after a rebuild
        gc.collect()
        assert old_nlp() is None and 0 < gc.get_freeze_count() < frozen * 1.01  # the old pipeline is gone, not kept frozen
    finally:
        gc.unfreeze()


def test_duplicate_ids_are_kept_in_order_and_counted():
    counter = DuplicateCounter(merge_every=4)  # small, so the sorted-array path is used too
    assert [counter.seen(k) for k in ["a", "b", "a", "c", "d", "e", "b", "f", "a"]] == [False, False, True, False, False, False, True, False, True]


def test_existing_output_is_overwritten_without_resume(tmp_path):
    out = tmp_path / "out.jsonl"
    out.write_text("old content\n" * 10)
    assert extract(write_input(tmp_path, "jsonl"), "-o", out, "--quiet").exit_code == 0
    assert [r["id"] for r in read_jsonl(out)] == ["r1", "r2", "r3"]


# --------------------------------------------------------------------------- hostile input


def test_hostile_rows_each_keep_their_row(tmp_path):
    rng = random.Random(7)
    odd = "".join(chr(rng.choice([rng.randrange(0x20, 0xD7FF), rng.randrange(0xE000, 0x10FFFF)])) for _ in range(300))
    good = '{"id": "%s", "text": "%s"}\n'
    lines = [
        good % ("empty", ""),
        good % ("blank", "   \\n  "),
        '{"id": "null", "text": null}\n',
        '{"id": "number", "text": 12}\n',
        json.dumps({"id": "huge", "text": "No DVT. " * 262_144}) + "\n",  # 2 MB
        json.dumps({"id": "nul", "text": "Left popliteal\x00 vein thrombus."}) + "\n",
        json.dumps({"id": "unicode", "text": f"{odd} Thrombus in a left soleal vein."}) + "\n",
        '{"id": "surrogate", "text": "Lone \\ud800 surrogate. Thrombus in a left soleal vein."}\n',
        "not json at all\n",
        "\n",
    ]
    data = b"".join(line.encode("utf-8") for line in lines)
    data += '{"id": "latin1", "text": "Ren\xe9e: thrombus in the left popliteal vein."}\n'.encode("latin-1")
    data += '{"id": "utf8", "text": "Ren\u00e9e: thrombus in a left soleal vein."}\n'.encode("utf-8")
    data += good.encode() % (b"nul", b"No DVT in the right leg.")  # a duplicate id
    source = tmp_path / "in.jsonl"
    source.write_bytes(data)
    out = tmp_path / "out.jsonl"
    result = extract(source, "-o", out, "--quiet")
    assert result.exit_code == 3, result.output
    assert "1 duplicate ids" in result.output and "2 with input notes" in result.output and "Traceback" not in result.output
    got = {(r["id"], r["label"]): r for r in read_jsonl(out)}
    assert [k[0] for k in got] == ["empty", "blank", "null", "number", "huge", "nul", "unicode", "surrogate", "line-9", "latin1", "utf8", "nul"]
    errors = {k[0]: r["error"] for k, r in got.items() if r["error"]}
    assert set(errors) == {"empty", "blank", "null", "number", "huge", "line-9"}
    for rid, words in [("empty", "blank"), ("blank", "blank"), ("null", "null"), ("number", "string"), ("huge", "too long"), ("line-9", "invalid JSON")]:
        assert words in errors[rid]
    assert all(label is None for rid, label in got if rid in errors)  # never NEGATIVE
    assert ("nul", "PROXIMAL") in got and ("unicode", "ICMVT") in got and ("surrogate", "ICMVT") in got
    assert "U+FFFD" in got[("surrogate", "ICMVT")]["input_note"]
    assert got[("latin1", "PROXIMAL")]["input_note"] == "line 11: not valid UTF-8: decoded as windows-1252"
    assert "input_note" not in got[("utf8", "ICMVT")]


@pytest.mark.parametrize("fmt", ["jsonl", "csv", "parquet"])
def test_missing_text_column_is_one_fatal_line(tmp_path, fmt):
    frame = pd.DataFrame({"id": ["a"], "body": ["Left calf DVT."]})
    source = tmp_path / f"notes.{fmt}"
    {"jsonl": lambda: frame.to_json(source, orient="records", lines=True), "csv": lambda: frame.to_csv(source, index=False), "parquet": lambda: frame.to_parquet(source)}[fmt]()
    out = tmp_path / "out.jsonl"
    out.write_text("keep me\n")
    result = extract(source, "-o", out)
    assert result.exit_code == 1
    assert result.output.count("\n") == 1 and "Traceback" not in result.output
    assert f"notes.{fmt}" in result.output and "text column 'text' missing" in result.output
    assert ("2 columns" if fmt == "csv" else "body") in result.output  # a CSV header may be a first row of data: not quoted
    assert out.read_text() == "keep me\n"  # a fatal input problem does not clobber the output


def test_missing_file_unknown_format_and_usage_errors(tmp_path):
    missing = extract(tmp_path / "nope.jsonl", "-o", tmp_path / "o.jsonl")
    assert missing.exit_code == 1 and "nope.jsonl: no such file" in missing.output
    (tmp_path / "in.xlsx").write_text("x")
    assert extract(tmp_path / "in.xlsx", "-o", tmp_path / "o.jsonl").exit_code == 1
    assert extract(tmp_path / "in.jsonl", "-o", tmp_path / "o.jsonl", "--workers", "0").exit_code == 2
    assert extract(tmp_path / "in.jsonl").exit_code == 2  # no -o
    assert extract(tmp_path / "in.jsonl", "-o", "-", "--resume").exit_code == 2


def test_empty_input_gives_empty_output(tmp_path):
    source = tmp_path / "in.jsonl"
    source.write_text("")
    result = extract(source, "-o", tmp_path / "out.jsonl", "--quiet")
    assert result.exit_code == 0 and (tmp_path / "out.jsonl").read_bytes() == b""


# --------------------------------------------------------------------------- resume


def clean_run(source: Path, tmp_path: Path) -> bytes:
    clean = tmp_path / "clean.jsonl"
    assert extract(source, "-o", clean, "--workers", "1", "--quiet").exit_code == 0
    return clean.read_bytes()


def test_resume_after_sigkill_equals_a_clean_run(tmp_path):
    rows = short_rows(3000)
    source = tmp_path / "in.jsonl"
    source.write_bytes(jsonl_bytes(rows))
    out = tmp_path / "out.jsonl"
    command = [sys.executable, "-m", "pipeline.cli", "extract", str(source), "-o", str(out), "--workers", "2", "--chunk-size", "16", "--quiet"]
    process = subprocess.Popen(command, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 120
    while not (out.exists() and out.read_bytes().count(b"\n") >= 500):
        assert process.poll() is None, "the run ended before it could be killed"
        assert time.monotonic() < deadline
        time.sleep(0.01)
    os.kill(process.pid, signal.SIGKILL)
    process.wait()
    written = out.read_bytes().count(b"\n")
    assert 500 <= written < 3000

    result = extract(source, "-o", out, "--workers", "2", "--chunk-size", "16", "--resume", "--quiet")
    assert result.exit_code == 0, result.output
    assert f"{written:,} already done" in result.output and "60 duplicate ids" in result.output
    assert [r["id"] for r in read_jsonl(out)] == [rid for rid, _ in rows]  # every id exactly once, in order
    assert out.read_bytes() == clean_run(source, tmp_path)


def test_resume_drops_a_torn_last_line_and_redoes_it(tmp_path):
    rows = short_rows(60)
    source = tmp_path / "in.jsonl"
    source.write_bytes(jsonl_bytes(rows))
    clean = clean_run(source, tmp_path)
    lines = clean.splitlines(keepends=True)
    out = tmp_path / "out.jsonl"
    out.write_bytes(b"".join(lines[:20]) + lines[20][: len(lines[20]) // 2])  # killed mid-record
    (tmp_path / "out.jsonl.fingerprints").write_bytes((tmp_path / "clean.jsonl.fingerprints").read_bytes())  # written before the records
    result = extract(source, "-o", out, "--resume", "--quiet")
    assert result.exit_code == 0, result.output
    assert "20 already done" in result.output and "torn last line" in result.output
    assert out.read_bytes() == clean
    again = extract(source, "-o", out, "--resume", "--quiet")  # nothing left to do
    assert again.exit_code == 0 and "60 already done" in again.output and out.read_bytes() == clean


def test_resume_refuses_output_of_other_rules(tmp_path):
    source = write_input(tmp_path, "jsonl")
    out = tmp_path / "out.jsonl"
    record = error_record("r1", "x", "0000other000")
    out.write_text(json.dumps(record) + "\n")
    row = next(read_reports(str(source)))
    (tmp_path / "out.jsonl.fingerprints").write_bytes(FP_MAGIC + row_fingerprint(row.id, row.text, row.error))
    result = extract(source, "-o", out, "--resume", "--quiet")
    assert result.exit_code == 1 and "cannot resume" in result.output and "0000other000" in result.output


# --------------------------------------------------------------------------- patient text stays out of stderr

MARKER = "ZQXJ-Marker-Patient-Name-4711"


def test_report_text_never_reaches_stderr(tmp_path):
    rows = short_rows(80)
    rows[5] = ("m1", f"{MARKER}: thrombus in the left popliteal vein.")
    source = tmp_path / "in.jsonl"
    source.write_bytes(
        jsonl_bytes(rows)
        + f'{{"id": "m2", "text": "{MARKER} unterminated\n'.encode()  # invalid JSON holding the marker
        + json.dumps({"id": "m3", "text": {"nested": MARKER}}).encode() + b"\n"  # non-text report
        + json.dumps({"id": "m4"}).encode() + b"\n"  # no text column
    )
    command = [sys.executable, "-m", "pipeline.cli", "extract", str(source), "-o", str(tmp_path / "out.jsonl"), "--workers", "2", "--chunk-size", "16"]
    result = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, env={**os.environ, "COLUMNS": "200"})
    assert result.returncode == 3 and result.stdout == ""
    assert "83 rows" in result.stderr and MARKER not in result.stderr

    headerless = tmp_path / "headerless.csv"  # the first data row would be listed as column names
    headerless.write_text(f"17,{MARKER} has a thrombus in the left popliteal vein\n")
    result = extract(headerless, "-o", tmp_path / "o.jsonl")
    assert result.exit_code == 1 and "text column 'text' missing" in result.output and MARKER not in result.output


def test_exception_messages_are_hidden_unless_debug(tmp_path, monkeypatch):
    real = Extractor.extract

    def failing(self, text, id=None):  # noqa: A002
        if isinstance(text, str) and MARKER in text:  # an exception that quotes the report
            return error_record(id, f"processing failed: ValueError: cannot parse {text!r}", self.rules.rules_hash)
        return real(self, text, id)

    monkeypatch.setattr(Extractor, "extract", failing)
    source = tmp_path / "in.jsonl"
    source.write_bytes(jsonl_bytes([("a", f"{MARKER} left calf DVT."), ("b", "No DVT.")]))
    out = tmp_path / "out.jsonl"
    result = extract(source, "-o", out, "--workers", "1")
    assert result.exit_code == 3 and MARKER not in result.output and MARKER not in out.read_text()
    assert read_jsonl(out)[0]["error"].startswith("processing failed: ValueError")
    debug = extract(source, "-o", out, "--workers", "1", "--debug")
    assert debug.exit_code == 3 and MARKER in debug.output and MARKER in out.read_text()
