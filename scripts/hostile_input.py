#!/usr/bin/env python3
"""Hostile input for `dvt extract`, `dvt review` and `dvt audit`: run each case, print a Markdown table.

    python scripts/hostile_input.py            # about 45 cases, 2-3 minutes (each CLI call builds the pipeline)

Each row: the case, what was given, and what the software did (exit code, the last stderr line,
the labels or error rows written). docs/hostile-input.md holds the table it printed, next to the
cases that have a test. Files go to a temporary folder, removed at the end.
"""
from __future__ import annotations

import gzip
import json
import os
import re
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
ENV = {**os.environ, "PYTHONPATH": str(ROOT), "COLUMNS": "400"}
POS = "Acute occlusive thrombus in the right common femoral vein."
NEG = "No DVT in either leg. All veins are compressible."
X = ["-q", "-w", "1"]
ROWS: list[tuple[str, str, str]] = []


def dvt(*args: object, stdin: bytes | None = None) -> tuple[int, str]:
    """Run the CLI (``extract`` unless another command is named); (exit code, last stderr line)."""
    argv = [str(a) for a in args]
    if argv[0] not in ("review", "audit"):
        argv = ["extract", *argv]
    done = subprocess.run([sys.executable, "-m", "pipeline.cli", *argv], env=ENV, capture_output=True, timeout=300, input=stdin)
    lines = done.stderr.decode("utf-8", "replace").strip().splitlines()
    return done.returncode, lines[-1] if lines else ""


def written(path: Path) -> str:
    if not path.exists():
        return "no output"
    shown = []
    for record in map(json.loads, path.read_text(encoding="utf-8").splitlines()):
        shown.append(f"{json.dumps(record['id'], ensure_ascii=True)} {record['label'] or 'error: ' + record['error']}")
    return "; ".join(shown) or "empty output"


TIMING = re.compile(r", [\d.]+ s(, [\d,]+ rows/s on \d+ workers?)?")  # machine-dependent: left out of the table


def cell(text: str, base: Path) -> str:
    return TIMING.sub("", text.replace(str(base) + "/", "")).replace("|", "\\|").replace("\n", " ")


def case(base: Path, name: str, given: str, args: list, out: Path | None = None, stdin: bytes | None = None) -> None:
    code, last = dvt(*args, stdin=stdin)
    outcome = f"exit {code}: {last}" + (f" — {written(out)}" if out is not None and code != 1 else "")
    ROWS.append((name, given, cell(outcome, base)))


def jl(rows: list[tuple[str, str]]) -> str:
    return "".join(json.dumps({"id": i, "text": t}) + "\n" for i, t in rows)


def put(base: Path, name: str, data: str | bytes) -> Path:
    path = base / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data if isinstance(data, bytes) else data.encode("utf-8"))
    return path


def extract_cases(d: Path) -> None:
    import pyarrow as pa
    import pyarrow.parquet as pq

    case(d, "CSV, lines ending in a bare CR", "`id,text\\r1,...\\r`", [put(d, "cr.csv", f"id,text\r1,{POS}\r2,{NEG}\r"), "-o", d / "cr.jsonl", *X])
    case(d, "CSV separated by semicolons", "`id;text`", [put(d, "semi.csv", f"id;text\n1;{POS}\n"), "-o", d / "semi.jsonl", *X])
    case(d, "CSV header naming `text` twice", "`id,text,text`", [put(d, "dup.csv", f"id,text,text\n1,{POS},{NEG}\n"), "-o", d / "dup.jsonl", *X])
    case(d, "CSV with a header only", "`id,text`", [put(d, "head.csv", "id,text\n"), "-o", d / "head.jsonl", *X], d / "head.jsonl")
    case(d, "CSV, a space after a closing quote", '`1,"..." `', [put(d, "sp.csv", f'id,text\n1,"{POS}" \n2,{NEG}\n'), "-o", d / "sp.jsonl", *X], d / "sp.jsonl")
    case(d, "CSV row with fewer fields than the header", "`text,id,site` / `...,1`", [put(d, "few.csv", f"text,id,site\n{POS},1\n"), "-o", d / "few.jsonl", *X], d / "few.jsonl")
    case(d, "JSONL text that is a number", '`"text": 42`', [put(d, "num.jsonl", '{"id": "a", "text": 42}\n'), "-o", d / "num.out", *X], d / "num.out")
    case(d, "JSONL line that is an array", '`["a", "b"]`', [put(d, "arr.jsonl", '["a", "b"]\n' + jl([("b", NEG)])), "-o", d / "arr.out", *X], d / "arr.out")
    case(d, "JSONL text null", '`"text": null`', [put(d, "null.jsonl", '{"id": "a", "text": null}\n'), "-o", d / "null.out", *X], d / "null.out")
    two = gzip.compress(jl([("a", POS)]).encode()) + gzip.compress(jl([("b", NEG)]).encode())
    case(d, "gzip of two concatenated members", "`cat a.gz b.gz`", [put(d, "two.jsonl.gz", two), "-o", d / "two.out", *X], d / "two.out")
    full = gzip.compress(jl([(f"r{i}", NEG) for i in range(200)]).encode())
    case(d, "gzip cut in half", "first half of a .gz", [put(d, "cut.jsonl.gz", full[: len(full) // 2]), "-o", d / "cut.out", *X])
    case(d, "plain JSONL named .gz", "`in.jsonl.gz`, not compressed", [put(d, "plain.jsonl.gz", jl([("a", POS)])), "-o", d / "plain.out", *X], d / "plain.out")
    case(d, "gzip holding UTF-16 JSONL", "UTF-16 with BOM, gzipped", [put(d, "w.jsonl.gz", gzip.compress(jl([("a", POS)]).encode("utf-16"))), "-o", d / "w.out", *X], d / "w.out")
    case(d, "UTF-16 JSONL on stdin", "`dvt extract - < utf16.jsonl`", ["-", "-o", d / "stdin.out", *X], d / "stdin.out", stdin=jl([("a", POS)]).encode("utf-16"))
    case(d, "UTF-16BE CSV without BOM", "no BOM, NUL first", [put(d, "be.csv", f"id,text\n1,{POS}\n".encode("utf-16-be")), "-o", d / "be.out", *X], d / "be.out")
    pq.write_table(pa.table({"id": ["a", "b"], "text": pa.array([7, None], pa.int64())}), d / "int.parquet")
    case(d, "Parquet text column of integers and nulls", "int64 column `text`", [d / "int.parquet", "-o", d / "int.out", *X], d / "int.out")
    pq.write_table(pa.table({"id": [str(i) for i in range(500)], "text": [NEG] * 500}), d / "whole.parquet")
    data = (d / "whole.parquet").read_bytes()
    case(d, "Parquet cut in half", "first half of a .parquet", [put(d, "cut.parquet", data[: len(data) // 2]), "-o", d / "cutp.out", *X])
    folder = d / "folder"
    put(d, "folder/empty.txt", b"")
    put(d, "folder/ok.txt", POS)
    put(d, "folder/new\nline.txt", NEG)
    with open(os.path.join(os.fsencode(folder), b"bad\xff.txt"), "w") as handle:
        handle.write(NEG)
    case(d, "folder: empty file, file names with a newline or a non-UTF-8 byte", "`empty.txt`, `new\\nline.txt`, `bad\\xff.txt`",
         [folder, "-o", d / "folder.out", *X], d / "folder.out")
    (d / "nothing").mkdir()
    case(d, "folder without .txt files", "empty folder", [d / "nothing", "-o", d / "nothing.out", *X], d / "nothing.out")
    case(d, "text with a right-to-left override", "`right\\u202e common femoral`",
         [put(d, "bidi.jsonl", jl([("a", POS.replace("right", "right\u202e"))])), "-o", d / "bidi.out", *X], d / "bidi.out")
    case(d, "text of U+FFFD only", "40 × U+FFFD", [put(d, "fffd.jsonl", jl([("a", "\ufffd" * 40)])), "-o", d / "fffd.out", *X], d / "fffd.out")
    case(d, "text with one U+FFFD", "a report + ` \\ufffd`", [put(d, "fffd1.jsonl", jl([("a", POS + " \ufffd")])), "-o", d / "fffd1.out", *X], d / "fffd1.out")


def output_cases(d: Path) -> None:
    src = put(d, "in.jsonl", jl([("a", POS), ("b", NEG), ("c", POS)]))
    (d / "isdir.jsonl").mkdir()
    case(d, "output is a folder", "`-o existing-folder.jsonl`", [src, "-o", d / "isdir.jsonl", *X])
    case(d, "output in folders that do not exist yet", "`-o x/y/z.jsonl`", [src, "-o", d / "x" / "y" / "z.jsonl", *X], d / "x" / "y" / "z.jsonl")
    case(d, "output is the input, spelled otherwise", "`-o ./x/../in.jsonl`", [src, "-o", f"{d}/./x/../in.jsonl", *X])
    case(d, "output where nothing can be created", "`-o /proc/out.jsonl`", [src, "-o", "/proc/dvt-out.jsonl", *X])
    case(d, "output to a device", "`-o /dev/null`", [src, "-o", "/dev/null", *X])
    os.link(src, d / "hard.csv")
    case(d, "omop-csv onto a hard link of the input", "`-o hard.csv -f omop-csv`", [src, "-o", d / "hard.csv", "-f", "omop-csv", *X])


def resume_cases(d: Path) -> None:
    src = d / "in.jsonl"
    out, fp = d / "res.jsonl", d / "res.jsonl.fingerprints"

    def interrupted(keep: int, cut_fp: int) -> None:
        dvt(src, "-o", out, *X)
        lines = out.read_bytes().splitlines(keepends=True)
        out.write_bytes(b"".join(lines[:keep]))
        fp.write_bytes(fp.read_bytes()[: len(fp.read_bytes()) - cut_fp])

    dvt(src, "-o", out, *X)
    out.write_bytes(out.read_bytes().splitlines(keepends=True)[0] + b"not a record\n")
    case(d, "--resume, output with a line that is no record", "2nd line `not a record`", [src, "-o", out, "--resume", *X])
    interrupted(2, 20)
    case(d, "--resume, fingerprint file cut short", "fingerprints for 1.5 of 2 records", [src, "-o", out, "--resume", *X])
    interrupted(2, 8)
    case(d, "--resume, the same rows gzipped", "`in.jsonl.gz`", [put(d, "in2.jsonl.gz", gzip.compress(src.read_bytes())), "-o", out, "--resume", *X], out)
    interrupted(2, 8)
    case(d, "--resume, the same rows as CSV", "`same.csv`, same ids and texts",
         [put(d, "same.csv", f"id,text\na,{POS}\nb,{NEG}\nc,{POS}\n"), "-o", out, "--resume", *X], out)
    big = put(d, "big.jsonl", jl([(f"r{i:05d}", POS if i % 3 else NEG) for i in range(30_000)]))
    shared = d / "shared.jsonl"
    first = subprocess.Popen([sys.executable, "-m", "pipeline.cli", "extract", str(big), "-o", str(shared), *X], env=ENV,
                             stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 120
    while not (shared.exists() and shared.read_bytes().count(b"\n") >= 200) and time.monotonic() < deadline:
        time.sleep(0.05)
    case(d, "a second run onto an output being written", "two `dvt extract -o shared.jsonl` at once", [big, "-o", shared, *X])
    os.kill(first.pid, signal.SIGTERM)
    first.wait()
    kept = shared.read_bytes().count(b"\n")
    case(d, "--resume after SIGTERM", f"30,000 rows, stopped after {kept:,}", [big, "-o", shared, "--resume", *X])
    dvt(big, "-o", d / "clean.jsonl", *X)
    same = (d / "clean.jsonl").read_bytes() == shared.read_bytes()
    ROWS.append(("resumed output against an uninterrupted run", "the two files", f"byte-identical: {same}"))


def review_cases(d: Path) -> None:
    from pipeline.review import open_review

    src, out = d / "in.jsonl", d / "rev.jsonl"
    dvt(src, "-o", out, *X)
    case(d, "`dvt review --db` naming a folder", "`--db some-folder`", ["review", out, "--db", d / "nothing", "--input", src, "--port", "0"])
    case(d, "`dvt audit` of a file that is not JSON", "`hello`", ["audit", put(d, "junk.jsonl", "hello\n"), "-o", d / "junk.html"])
    open_review(d / "rev.sqlite", str(out), str(src))
    case(d, "`dvt review export` to a folder", "`-o some-folder`", ["review", "export", "--db", d / "rev.sqlite", "-o", d / "nothing"])
    case(d, "`dvt review --input` that is not the extracted input", "another input", ["review", out, "--db", d / "o.sqlite", "--input", d / "big.jsonl", "--port", "0"])


def http_cases(d: Path) -> None:
    from pipeline.review import open_review
    from pipeline.review.app import ReviewApp
    from pipeline.review.server import ReviewServer

    srv = ReviewServer(ReviewApp(open_review(d / "rev.sqlite"), "alice"), "127.0.0.1", 0, timeout=2)
    srv.serve_in_thread()
    host = b"Host: 127.0.0.1:%d\r\n" % srv.server_address[1]
    for name, data in [
        ("HTTP HEAD", b"HEAD / HTTP/1.1\r\n" + host + b"Connection: close\r\n\r\n"),
        ("HTTP request line of 70 KB", b"GET /" + b"a" * 70000 + b" HTTP/1.1\r\n" + host + b"\r\n"),
        ("HTTP request with 150 headers", b"GET /api/info HTTP/1.1\r\n" + host + b"".join(b"X-%d: y\r\n" % i for i in range(150)) + b"\r\n"),
        ("HTTP request without Host", b"GET /api/info HTTP/1.1\r\nConnection: close\r\n\r\n"),
        ("HTTP POST without Content-Type", b"POST /api/session HTTP/1.1\r\n" + host + b"Content-Length: 2\r\nConnection: close\r\n\r\n{}"),
        ("HTTP Content-Length `1e3`", b"POST /api/session HTTP/1.1\r\n" + host + b"Content-Type: application/json\r\nContent-Length: 1e3\r\n\r\n{}"),
        ("HTTP body shorter than its Content-Length", b"POST /api/session HTTP/1.1\r\n" + host + b"Content-Type: application/json\r\nContent-Length: 500\r\n\r\n{}"),
        ("TLS handshake sent to the HTTP port", b"\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03\r\n\r\n"),
        ("HTTP path with `%2e%2e` and `%00`", b"GET /static/%2e%2e/store.py%00 HTTP/1.1\r\n" + host + b"Connection: close\r\n\r\n"),
    ]:
        started = time.monotonic()
        with socket.create_connection(srv.server_address[:2], timeout=10) as sock:
            sock.sendall(data)
            answer = b""
            while chunk := sock.recv(65536):
                answer += chunk
        head, _, body = answer.partition(b"\r\n\r\n")
        status = (head.split(b"\r\n")[0].decode() if answer.startswith(b"HTTP/") else
                  "(no status line: an HTTP/0.9 answer)" if answer else "closed by the server, no answer,")
        shown = (body if answer.startswith(b"HTTP/") else answer)[:90].decode("utf-8", "replace")
        ROWS.append((name, "raw bytes on a socket", cell(f"{status} {shown or '(no body)'} after {time.monotonic() - started:.1f} s", d)))
    srv.shutdown()
    srv.server_close()


def main() -> None:
    with tempfile.TemporaryDirectory(prefix="dvt-hostile-") as tmp:
        base = Path(tmp)
        for step in (extract_cases, output_cases, resume_cases, review_cases, http_cases):
            step(base)
    print("| case | given | outcome |\n|---|---|---|")
    for name, given, outcome in ROWS:
        print(f"| {name} | {given} | {outcome} |")


if __name__ == "__main__":
    main()
