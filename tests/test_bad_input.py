"""Bad input never becomes a silent label, a lost row or a clobbered file (docs/bad-input.md)."""
from __future__ import annotations

import gzip
import json
import os
import stat
from pathlib import Path

import pytest
from typer.testing import CliRunner

from pipeline.cli import app
from pipeline.io import read_reports

runner = CliRunner()
POSITIVE = "Acute occlusive thrombus in the right common femoral vein."
NEGATIVE = "No DVT in either leg. All veins are compressible."
PATIENT = "Quimby Xylander"  # a made-up patient name: must never reach stderr


def extract(*args: object):
    return runner.invoke(app, ["extract", *map(str, args), "--quiet", "--workers", "1"])


def records(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


def jsonl(path: Path, rows: list[tuple[object, object]]) -> Path:
    path.write_text("".join(json.dumps({"id": i, "text": t}) + "\n" for i, t in rows), encoding="utf-8")
    return path


# --------------------------------------------------------------------------- 1. the input is never overwritten


@pytest.mark.parametrize("fmt, name, out", [
    ("omop-csv", "in.csv", "in.csv"),  # the NOTE_NLP table is written to OUTPUT itself
    ("omop-parquet", "in.csv", "in.csv"),
    ("csv", "notes.reports.csv", "notes.csv"),  # -o notes.csv writes notes.reports.csv
])
def test_an_output_file_that_is_the_input_is_refused(tmp_path, fmt, name, out):
    source = tmp_path / name
    source.write_text(f"id,text\n1,{POSITIVE}\n")
    before = source.read_bytes()
    result = extract(source, "-o", tmp_path / out, "-f", fmt)
    assert result.exit_code == 1 and "would overwrite the input" in result.output, result.output
    assert source.read_bytes() == before


def test_a_staging_file_that_is_the_input_is_refused(tmp_path):
    source = tmp_path / "out.parquet.partial.jsonl"
    jsonl(source, [("1", POSITIVE)])
    before = source.read_bytes()
    result = extract(source, "-o", tmp_path / "out.parquet")
    assert result.exit_code == 1 and "would overwrite the input" in result.output
    assert source.read_bytes() == before


@pytest.mark.parametrize("link", ["symlink", "hardlink"])
def test_an_output_linked_to_the_input_is_refused(tmp_path, link):
    source = jsonl(tmp_path / "in.jsonl", [("1", POSITIVE)])
    before = source.read_bytes()
    (os.symlink if link == "symlink" else os.link)(source, tmp_path / "alias.csv")
    result = extract(source, "-o", tmp_path / "alias.csv", "-f", "omop-csv")
    assert result.exit_code == 1 and "would overwrite the input" in result.output
    assert source.read_bytes() == before


# --------------------------------------------------------------------------- 2. an unclosed CSV quote


def test_an_unclosed_quote_is_an_error_row_naming_its_lines_never_a_merge(tmp_path):
    source = tmp_path / "in.csv"
    source.write_text(f'id,text\n1,"{POSITIVE}\n2,{NEGATIVE}\n3,"Left leg: normal study."\n4,{NEGATIVE}\n')
    out = tmp_path / "out.jsonl"
    result = extract(source, "-o", out)
    assert result.exit_code == 3, result.output
    got = records(out)
    assert got[0]["label"] is None and "lines 2-4" in got[0]["error"] and "quote" in got[0]["error"]
    assert [(r["id"], r["label"]) for r in got[1:]] == [("4", "NEGATIVE")]  # the reader goes on after the bad record


def test_a_quote_still_open_at_the_end_of_the_file_is_an_error_row(tmp_path):
    source = tmp_path / "in.csv"
    source.write_text(f'id,text\n1,{NEGATIVE}\n2,"{POSITIVE}\n3,{NEGATIVE}\n')
    out = tmp_path / "out.jsonl"
    assert extract(source, "-o", out).exit_code == 3
    first, second = records(out)
    assert first["label"] == "NEGATIVE"
    assert second["label"] is None and "lines 3-4" in second["error"] and "never closed" in second["error"]


def test_a_well_quoted_multiline_report_is_still_one_report(tmp_path):
    source = tmp_path / "in.csv"
    source.write_text(f'id,text\n1,"Right leg:\n{POSITIVE}\nLeft leg, normal."\n2,{NEGATIVE}\n')
    out = tmp_path / "out.jsonl"
    assert extract(source, "-o", out).exit_code == 0
    assert [r["label"] for r in records(out)] == ["PROXIMAL", "NEGATIVE"]


# --------------------------------------------------------------------------- 3. encodings, binary and invisible text


@pytest.mark.parametrize("encoding", ["utf-16", "utf-16-le", "utf-16-be", "utf-32"])
def test_a_utf16_or_utf32_text_file_is_decoded_as_such(tmp_path, encoding):
    root = tmp_path / "reports"
    root.mkdir()
    (root / "a.txt").write_bytes(POSITIVE.encode(encoding))  # "utf-16"/"utf-32" write a BOM, -le/-be do not
    out = tmp_path / "out.jsonl"
    assert extract(root, "-o", out).exit_code == 0
    assert records(out)[0]["label"] == "PROXIMAL"


@pytest.mark.parametrize("encoding", ["utf-16", "utf-16-le"])
def test_a_utf16_csv_file_is_decoded_as_such(tmp_path, encoding):
    source = tmp_path / "in.csv"
    source.write_bytes(f'id,text\r\n1,"{POSITIVE}\r\nImpression: DVT."\r\n2,{NEGATIVE}\r\n'.encode(encoding))
    out = tmp_path / "out.jsonl"
    assert extract(source, "-o", out).exit_code == 0
    assert [(r["id"], r["label"]) for r in records(out)] == [("1", "PROXIMAL"), ("2", "NEGATIVE")]


def test_a_binary_txt_file_is_an_error_row(tmp_path):
    root = tmp_path / "reports"
    root.mkdir()
    (root / "scan.txt").write_bytes(bytes(range(256)) * 8 + b"\x89PNG\r\n\x1a\n" + bytes(200))
    (root / "z.txt").write_text(NEGATIVE)
    out = tmp_path / "out.jsonl"
    assert extract(root, "-o", out).exit_code == 3
    scan, other = records(out)
    assert scan["label"] is None and "binary" in scan["error"]
    assert other["label"] == "NEGATIVE"


@pytest.mark.parametrize("text", ["\x00\x00\x00", "\u200b\u200b \u200b", "\ufeff", "\u2060\u200d\n\ufeff\u200c"])
def test_a_report_of_only_nul_zero_width_or_bom_characters_is_blank_not_negative(tmp_path, text):
    out = tmp_path / "out.jsonl"
    assert extract(jsonl(tmp_path / "in.jsonl", [("1", text)]), "-o", out).exit_code == 3
    assert records(out)[0]["label"] is None and "blank" in records(out)[0]["error"]


def test_a_report_mostly_of_control_characters_is_an_error_row(tmp_path):
    out = tmp_path / "out.jsonl"
    garbled = "".join(chr(c) for c in range(1, 9)) * 20 + " no DVT "
    assert extract(jsonl(tmp_path / "in.jsonl", [("1", garbled), ("2", NEGATIVE + "\x07")]), "-o", out).exit_code == 3
    bad, fine = records(out)
    assert bad["label"] is None and "control" in bad["error"]
    assert fine["label"] == "NEGATIVE"  # one stray control character is no reason to refuse a report


# --------------------------------------------------------------------------- 4. one run per output at a time


@pytest.mark.parametrize("fmt", ["jsonl", "parquet"])
def test_a_second_run_onto_an_output_in_use_is_refused(tmp_path, fmt):
    source = jsonl(tmp_path / "in.jsonl", [("1", POSITIVE)])
    out = tmp_path / f"out.{fmt}"
    held = tmp_path / ("out.jsonl" if fmt == "jsonl" else "out.parquet.partial.jsonl")
    held.write_text("")
    from pipeline.io.guard import OutputLock

    with OutputLock(str(held)):  # another dvt extract is writing it
        result = extract(source, "-o", out)
        again = extract(source, "-o", out, "--resume")
    assert result.exit_code == again.exit_code == 1
    assert "another dvt extract" in result.output and str(held) in result.output.replace("\n", "")
    assert held.read_text() == ""  # nothing was written or truncated
    assert extract(source, "-o", out).exit_code == 0  # once it is free, a run goes ahead


# --------------------------------------------------------------------------- 5. --resume only onto the same input


def interrupted(tmp_path: Path, rows: list[tuple[str, str]], done: int) -> tuple[Path, Path]:
    """An output holding the first ``done`` records of a run over ``rows`` (as a killed run leaves it)."""
    source = jsonl(tmp_path / "in.jsonl", rows)
    out = tmp_path / "out.jsonl"
    assert extract(source, "-o", out).exit_code == 0
    from pipeline.io.guard import fingerprint_path

    lines = out.read_bytes().splitlines(keepends=True)
    out.write_bytes(b"".join(lines[:done]))
    fp = Path(fingerprint_path(str(out)))
    fp.write_bytes(fp.read_bytes()[: fp.stat().st_size - 8 * (len(rows) - done)])
    return source, out


ROWS = [("a", POSITIVE), ("b", NEGATIVE), ("c", POSITIVE), ("d", NEGATIVE)]


def test_resume_onto_the_same_input_finishes_the_run(tmp_path):
    source, out = interrupted(tmp_path, ROWS, 2)
    result = extract(source, "-o", out, "--resume")
    assert result.exit_code == 0 and "2 already done" in result.output
    assert [(r["id"], r["label"]) for r in records(out)] == [("a", "PROXIMAL"), ("b", "NEGATIVE"), ("c", "PROXIMAL"), ("d", "NEGATIVE")]


def test_resume_refuses_an_input_whose_report_text_changed(tmp_path):
    source, out = interrupted(tmp_path, ROWS, 3)
    before = out.read_bytes()
    jsonl(source, [("a", POSITIVE), ("b", POSITIVE), ("c", POSITIVE), ("d", NEGATIVE)])  # b now positive
    result = extract(source, "-o", out, "--resume")
    assert result.exit_code == 1 and "cannot resume" in result.output and 'row 2 of' in result.output and '(id "b")' in result.output
    assert out.read_bytes() == before


def test_resume_refuses_an_unrelated_input(tmp_path):
    source, out = interrupted(tmp_path, ROWS, 2)
    jsonl(source, [("x", NEGATIVE), ("y", POSITIVE), ("z", NEGATIVE)])
    result = extract(source, "-o", out, "--resume")
    assert result.exit_code == 1 and "row 1" in result.output


def test_resume_refuses_an_input_that_lost_rows(tmp_path):
    source, out = interrupted(tmp_path, ROWS, 3)
    jsonl(source, ROWS[:2])
    result = extract(source, "-o", out, "--resume")
    assert result.exit_code == 1 and "cannot resume" in result.output and "ends after row 2" in result.output


def test_resume_refuses_an_output_without_fingerprints(tmp_path):
    source, out = interrupted(tmp_path, ROWS, 2)
    from pipeline.io.guard import fingerprint_path

    os.remove(fingerprint_path(str(out)))
    result = extract(source, "-o", out, "--resume")
    assert result.exit_code == 1 and "fingerprint" in result.output


# --------------------------------------------------------------------------- 6. a folder keeps every .txt it holds


def test_dangling_and_looping_txt_links_are_error_rows(tmp_path):
    root = tmp_path / "reports"
    root.mkdir()
    (root / "a.txt").write_text(POSITIVE)
    os.symlink(root / "gone.txt", root / "b.txt")
    os.symlink(root / "c.txt", root / "c.txt")
    out = tmp_path / "out.jsonl"
    assert extract(root, "-o", out).exit_code == 3
    got = {r["id"]: r for r in records(out)}
    assert list(got) == ["a.txt", "b.txt", "c.txt"]
    assert got["a.txt"]["label"] == "PROXIMAL"
    assert got["b.txt"]["label"] is None and "No such file" in got["b.txt"]["error"]
    assert got["c.txt"]["label"] is None and "symbolic links" in got["c.txt"]["error"]


def test_an_unreadable_sub_folder_is_an_error_row(tmp_path, monkeypatch):
    root = tmp_path / "reports"
    (root / "locked").mkdir(parents=True)
    (root / "locked" / "x.txt").write_text(POSITIVE)
    (root / "z.txt").write_text(NEGATIVE)
    real_scandir = os.scandir

    def scandir(path):  # the test runs as root, who may read any folder: the system's refusal is simulated
        if Path(path).name == "locked":
            raise PermissionError(13, "Permission denied", str(path))
        return real_scandir(path)

    monkeypatch.setattr(os, "scandir", scandir)
    rows = list(read_reports(str(root)))
    assert [(r.id, r.text is None) for r in rows] == [("locked/", True), ("z.txt", False)]
    assert "cannot list folder" in rows[0].error and "Permission denied" in rows[0].error


# --------------------------------------------------------------------------- 7. cell values never reach an error message


def test_a_headerless_csv_has_its_first_row_kept_out_of_the_message(tmp_path):
    source = tmp_path / "in.csv"
    source.write_text(f"17,{PATIENT}\n18,{NEGATIVE}\n")
    result = extract(source, "-o", tmp_path / "out.jsonl")
    assert result.exit_code == 1 and PATIENT not in result.output
    assert "text column 'text' missing" in result.output and "2 columns" in result.output
    (tmp_path / "x.jsonl").write_text(json.dumps({"id": "17", "label": "NEGATIVE"}) + "\n")
    audit = runner.invoke(app, ["audit", str(tmp_path / "x.jsonl"), "-o", str(tmp_path / "a.html"), "--input", str(source)])
    assert audit.exit_code == 1 and PATIENT not in audit.output and "2 columns" in audit.output


# --------------------------------------------------------------------------- 8. errors name the file and the reason


def test_a_corrupt_gzip_input_names_the_file_and_the_reason(tmp_path):
    data = bytearray(gzip.compress(("".join(json.dumps({"id": i, "text": NEGATIVE}) + "\n" for i in range(50))).encode()))
    data[20:40] = b"\xff" * 20
    source = tmp_path / "in.jsonl.gz"
    source.write_bytes(bytes(data))
    result = extract(source, "-o", tmp_path / "out.jsonl")
    assert result.exit_code == 1 and "in.jsonl.gz" in result.output and "corrupt gzip data" in result.output
    assert "while extracting" not in result.output


def test_an_unwritable_output_names_the_output_and_the_reason(tmp_path):
    source = jsonl(tmp_path / "in.jsonl", [("1", NEGATIVE)])
    result = extract(source, "-o", "/proc/version")  # a file nobody may write, not even root
    assert result.exit_code == 1 and "/proc/version" in result.output and "while extracting" not in result.output
    assert "in.jsonl" not in result.output


def test_a_full_disk_names_the_output_and_says_so(tmp_path):
    if not os.path.exists("/dev/full"):
        pytest.skip("no /dev/full on this system")
    source = jsonl(tmp_path / "in.jsonl", [("1", NEGATIVE)])
    result = extract(source, "-o", "/dev/full")
    assert result.exit_code == 1 and "/dev/full" in result.output and "No space left on device" in result.output


# --------------------------------------------------------------------------- 9. ids


def test_non_finite_and_empty_ids_are_replaced_like_missing_ones(tmp_path):
    source = tmp_path / "in.jsonl"
    ids = ["NaN", "Infinity", '""', "7"]  # Python's json reads and writes NaN and Infinity; they are not JSON
    source.write_text("".join(f'{{"id": {i}, "text": {json.dumps(t)}}}\n' for i, t in zip(ids, [POSITIVE, NEGATIVE, POSITIVE, NEGATIVE])))
    out = tmp_path / "out.jsonl"
    assert extract(source, "-o", out).exit_code == 0
    text = out.read_text()
    assert "NaN" not in text and "Infinity" not in text
    got = records(out)  # strict JSON: would have failed on a bare NaN
    assert [r["id"] for r in got] == ["line-1", "line-2", "line-3", "7"]
    assert all("id" in r["input_note"] for r in got[:3]) and "input_note" not in got[3]


@pytest.mark.parametrize("raw, written", [("17", "17"), ("2.5", "2.5"), ("true", "true"), ('"r-9"', "r-9")],
                         ids=["integer", "decimal", "boolean", "text"])
def test_ids_are_strings_in_the_output(tmp_path, raw, written):
    source = tmp_path / "in.jsonl"
    source.write_text(f'{{"id": {raw}, "text": {json.dumps(NEGATIVE)}}}\n')
    out = tmp_path / "out.jsonl"
    assert extract(source, "-o", out).exit_code == 0
    assert records(out)[0]["id"] == written


def test_nan_and_infinite_ids_in_parquet_are_replaced(tmp_path):
    import pyarrow as pa
    import pyarrow.parquet as pq

    source = tmp_path / "in.parquet"
    ids = pa.array([float("nan"), float("-inf"), 2.0], from_pandas=False)  # NaN as a value, not as null
    pq.write_table(pa.table({"id": ids, "text": [POSITIVE, NEGATIVE, NEGATIVE]}), source)
    out = tmp_path / "out.jsonl"
    assert extract(source, "-o", out).exit_code == 0
    got = records(out)
    assert [r["id"] for r in got] == ["row-1", "row-2", "2.0"] and "not finite" in got[0]["input_note"]


# --------------------------------------------------------------------------- 10. files holding report text are private


def test_the_audit_page_and_review_database_are_created_private(tmp_path, review_source):
    from pipeline.review.loading import open_review

    page = tmp_path / "audit.html"
    result = runner.invoke(app, ["audit", str(review_source["output"]), "-o", str(page), "--input", str(review_source["input"])])
    assert result.exit_code == 0, result.output
    assert stat.S_IMODE(page.stat().st_mode) == 0o600
    db = tmp_path / "review.sqlite"
    open_review(db, str(review_source["output"]), str(review_source["input"]))
    assert stat.S_IMODE(db.stat().st_mode) == 0o600


def test_a_review_database_that_is_not_sqlite_is_a_one_line_error(tmp_path):
    db = tmp_path / "notes.txt"
    db.write_text("these are not the droids\n" * 100)
    for args in (["review", "--db", str(db)], ["review", "export", "--db", str(db), "-o", str(tmp_path / "x.csv")]):
        result = runner.invoke(app, args)
        assert result.exit_code == 1 and "not a dvt review database" in result.output, result.output
        assert "Traceback" not in result.output and result.output.count("\n") == 1


# --------------------------------------------------------------------------- further hostile input (docs/hostile-input.md)


def test_a_jsonl_line_nested_too_deeply_is_an_error_row(tmp_path):
    source = tmp_path / "in.jsonl"
    source.write_text(json.dumps({"id": "a", "text": NEGATIVE}) + '\n{"id": "b", "text": ' + "[" * 100_000 + "]" * 100_000 + "}\n")
    out = tmp_path / "out.jsonl"
    assert extract(source, "-o", out).exit_code == 3
    assert [(r["id"], r["label"], r["error"]) for r in records(out)] == [("a", "NEGATIVE", None), ("line-2", None, "line 2: invalid JSON (nested too deeply)")]


def test_an_object_naming_its_text_twice_is_an_error_row(tmp_path):
    source = tmp_path / "in.jsonl"
    source.write_text(f'{{"id": "a", "text": "{POSITIVE}", "text": "{NEGATIVE}"}}\n')  # which one would count?
    out = tmp_path / "out.jsonl"
    assert extract(source, "-o", out).exit_code == 3
    assert records(out)[0]["label"] is None and "'text' appears twice" in records(out)[0]["error"]


def test_the_id_column_cannot_be_the_text_column(tmp_path):
    result = extract(jsonl(tmp_path / "in.jsonl", [("1", POSITIVE)]), "-o", tmp_path / "out.jsonl", "--id-col", "text")
    assert result.exit_code == 1 and "report text would become its id" in result.output


@pytest.mark.parametrize("hidden", ["\xad", "\u200b", "\u2060"])
def test_soft_hyphens_and_zero_width_characters_inside_words_are_removed_with_a_note(tmp_path, hidden):
    text = POSITIVE.replace("femoral", f"fem{hidden}oral")
    out = tmp_path / "out.jsonl"
    assert extract(jsonl(tmp_path / "in.jsonl", [("1", text)]), "-o", out).exit_code == 0
    record = records(out)[0]
    assert record["label"] == "PROXIMAL" and "inside words removed" in record["input_note"]
    assert record["findings"][0]["evidence"]["text"] == "common femoral vein"


def test_a_pipe_or_device_named_txt_is_an_error_row_not_a_hang(tmp_path):
    root = tmp_path / "reports"
    root.mkdir()
    os.mkfifo(root / "pipe.txt")
    os.symlink("/dev/zero", root / "zero.txt")
    (root / "z.txt").write_text(NEGATIVE)
    out = tmp_path / "out.jsonl"
    assert extract(root, "-o", out).exit_code == 3
    assert [(r["id"], r["label"], r["error"] and "not a regular file" in r["error"]) for r in records(out)] == [
        ("pipe.txt", None, True), ("z.txt", "NEGATIVE", None), ("zero.txt", None, True)]


def test_an_output_named_txt_inside_the_input_folder_is_refused(tmp_path):
    root = tmp_path / "reports"
    root.mkdir()
    (root / "a.txt").write_text(NEGATIVE)
    result = extract(root, "-o", root / "labels.txt")
    assert result.exit_code == 1 and "read as a report" in result.output and not (root / "labels.txt").exists()


def test_an_output_to_a_device_gets_no_fingerprints_or_lock(tmp_path):
    result = extract(jsonl(tmp_path / "in.jsonl", [("1", NEGATIVE)]), "-o", "/dev/null")
    assert result.exit_code == 0 and not os.path.exists("/dev/null.fingerprints")


def test_an_input_failing_before_any_record_leaves_no_empty_output(tmp_path):
    source = tmp_path / "in.csv"
    source.write_text("id,body\n1,x\n")
    out = tmp_path / "new" / "out.jsonl"
    assert extract(source, "-o", out).exit_code == 1
    assert not out.exists() and not Path(f"{out}.fingerprints").exists()


def test_a_csv_row_with_more_fields_than_the_header_is_an_error_row(tmp_path):
    source = tmp_path / "in.csv"
    source.write_text(f"id,text\n1,No DVT on the right, {POSITIVE}\n2,{NEGATIVE},\n")  # row 1: an unquoted comma; row 2: a trailing one
    out = tmp_path / "out.jsonl"
    assert extract(source, "-o", out).exit_code == 3
    first, second = records(out)
    assert first["label"] is None and "3 fields but the header has 2" in first["error"]
    assert second["label"] == "NEGATIVE"  # an empty extra field is harmless


def test_a_csv_header_naming_the_text_column_twice_is_refused(tmp_path):
    source = tmp_path / "in.csv"
    source.write_text(f"id,text,text\n1,{POSITIVE},{NEGATIVE}\n")  # which one is the report?
    result = extract(source, "-o", tmp_path / "out.jsonl")
    assert result.exit_code == 1 and "column 'text' appears 2 times" in result.output


def test_a_csv_with_bare_carriage_returns_is_one_clear_error(tmp_path):
    source = tmp_path / "in.csv"
    source.write_text(f"id,text\r1,{POSITIVE}\r2,{NEGATIVE}\r")
    result = extract(source, "-o", tmp_path / "out.jsonl")
    assert result.exit_code == 1 and "bare carriage return" in result.output and "universal-newline" not in result.output
