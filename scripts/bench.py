"""Throughput and peak memory of the duplex pipeline, side by side with bare spaCy and plain medspaCy.

Usage: python scripts/bench.py [--n N] [--workers 1,2] [--configs tokenizer,medspacy,pipeline,batch,spark,stages] [--json]

Every configuration runs in a fresh subprocess on the same distinct report texts (the synthetic
corpus, corpora/synthetic/dev.jsonl + test.jsonl; with --n above its size the texts are cycled with
a numbered suffix so they stay distinct: repeating one text would flatter spaCy's caches):

  tokenizer   spacy.blank("en") through nlp.pipe: the floor every spaCy pipeline pays
  medspacy    medspacy.load() (PyRuSH sentences, TargetMatcher with a few vein names, ConText)
  pipeline    our pipeline in one process: Extractor.extract_many
  stages      our pipeline cut after each component in turn (stage:dvt_sentences, ... up to
              stage:dvt_findings), through nlp.pipe: what the stages up to each one cost, so the
              share of each component, and the floor of the spaCy/medspaCy stages that come before
              the pure decision logic, are read off one run
  batch-K     `dvt extract --workers K` through the batch engine (pipeline.engines.batch.run_extract),
              reading JSONL and writing JSONL, as a user runs it
  course      `dvt course --workers 2` on state-level synthetic extract tables (no text, no NLP):
              --course-exams exams of --course-patients patients, read from Parquet (or
              --course-format duckdb); the input is generated first (build s) and not timed.
              Peak RSS is the largest process of the run. Not in the default set
  spark       pipeline.engines.spark on a local[2] Spark session (needs pyspark and Java): reads the JSONL
              split into 8 partitions and computes both tables (a no-op sink, nothing written).
              Build time is the session's start plus a warm-up job that builds the pipeline in
              both Python workers (Spark reuses them). Peak RSS is the driver's Python only (the
              JVM and the Python workers are not measured). In the default set when pyspark and
              java are both found

Building the pipeline (and starting the workers) is timed separately and left out of reports/s.
Peak RSS is ru_maxrss of each process (for batch-K with K > 1: the largest worker, and the main
process beside it). Figures are only comparable within one run on one machine: the table gives
ratios to the bare tokenizer and to one batch worker; the load average is printed because other
work on the machine skews them.
"""
from __future__ import annotations

import argparse
import importlib.util
import json
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

CORPUS = [ROOT / "corpora" / "synthetic" / "dev.jsonl", ROOT / "corpora" / "synthetic" / "test.jsonl"]
VEINS = ["common femoral vein", "femoral vein", "popliteal vein", "posterior tibial veins", "peroneal veins", "soleal vein", "gastrocnemius vein", "great saphenous vein"]


def peak_rss_mb() -> float:
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return round(peak / (2**20 if sys.platform == "darwin" else 2**10), 1)


def corpus_texts(n: int | None) -> list[tuple[str, str]]:
    """n distinct (id, text) pairs: the corpus in order, cycled with a numbered suffix past its end."""
    base, seen = [], set()
    for path in CORPUS:
        for line in path.read_text(encoding="utf-8").splitlines():
            record = json.loads(line)
            if record["text"] not in seen:
                seen.add(record["text"])
                base.append((record["id"], record["text"]))
    n = len(base) if n is None else n
    items = []
    for i in range(n):
        copy, (rid, text) = divmod(i, len(base)), base[i % len(base)]
        items.append((rid, text) if copy == 0 else (f"{rid}~{copy}", f"{text}\nCopy {copy} of report {rid}."))
    return items


# --------------------------------------------------------------------------- one configuration (child process)


def child(config: str, source: str, workers: int) -> dict:
    if config == "batch":  # the engine streams the file: do not hold the texts in this process
        return child_batch(source, workers)
    if config == "spark":
        return child_spark(source)
    items = [(r["id"], r["text"]) for r in map(json.loads, Path(source).read_text(encoding="utf-8").splitlines())]
    texts = [t for _, t in items]
    result: dict = {"config": config, "reports": len(items)}
    import spacy  # imports are not build time: every configuration pays them before its clock starts

    started = time.perf_counter()
    if config == "tokenizer":
        nlp = spacy.blank("en")
        result["build_seconds"] = time.perf_counter() - started
        clock = time.perf_counter()
        for _ in nlp.pipe(texts, batch_size=256):
            pass
    elif config == "medspacy":
        import medspacy
        from medspacy.ner import TargetRule

        started = time.perf_counter()
        nlp = medspacy.load()
        nlp.get_pipe("medspacy_target_matcher").add([TargetRule(v, "VEIN") for v in VEINS])
        result["build_seconds"] = time.perf_counter() - started
        clock = time.perf_counter()
        for doc in nlp.pipe(texts, batch_size=256):
            _ = [e._.is_negated for e in doc.ents]
    elif config == "pipeline":
        from pipeline.api import Extractor

        started = time.perf_counter()
        extractor = Extractor()
        result["build_seconds"] = time.perf_counter() - started
        clock = time.perf_counter()
        for _ in extractor.extract_many(items):
            pass
    elif config.startswith("stage:"):
        from pipeline.nlp.build import PIPE_NAMES, build_nlp

        last = config.split(":", 1)[1]
        if last not in PIPE_NAMES:
            raise SystemExit(f"unknown stage {last!r}: one of {', '.join(PIPE_NAMES)}")
        started = time.perf_counter()
        nlp = build_nlp()
        result["build_seconds"] = time.perf_counter() - started
        clock = time.perf_counter()
        with nlp.select_pipes(enable=list(PIPE_NAMES[: PIPE_NAMES.index(last) + 1])):
            for _ in nlp.pipe(texts, batch_size=256):
                pass
    else:
        raise SystemExit(f"unknown configuration {config!r}")
    result["seconds"] = time.perf_counter() - clock
    result["peak_rss_mb"] = peak_rss_mb()
    return result


def child_batch(source: str, workers: int) -> dict:
    """`dvt extract --workers K` as the CLI runs it: pipeline.engines.batch.run_extract, file to file."""
    from pipeline.engines.batch import run_extract

    with tempfile.TemporaryDirectory() as tmp:
        summary = run_extract(source, str(Path(tmp) / "out.jsonl"), workers=workers)
    result = {
        "config": f"batch-{workers}",
        "reports": summary["rows"],
        "build_seconds": summary["startup_seconds"],
        "seconds": summary["seconds"],
        "errors": summary["errors"],
        "main_peak_rss_mb": peak_rss_mb(),
    }
    if summary["worker_peak_rss_mb"]:
        result["worker_peak_rss_mb"] = max(summary["worker_peak_rss_mb"].values())
    result["peak_rss_mb"] = result.get("worker_peak_rss_mb", result["main_peak_rss_mb"])
    return result


def child_spark(source: str, cores: int = 2, partitions: int = 8) -> dict:
    """pipeline.engines.spark on local[cores]: the file split into ``partitions``, both tables computed."""
    from pipeline.engines.spark import extract_combined, spark_session

    started = time.perf_counter()
    split = max(os.path.getsize(source) // partitions + 1, 1024)
    spark = spark_session(f"local[{cores}]", app_name="dvt-bench", conf={
        "spark.ui.enabled": "false", "spark.sql.files.maxPartitionBytes": str(split), "spark.sql.files.openCostInBytes": "0",
    })
    warm = spark.createDataFrame([(str(i), "Right common femoral vein: no thrombus.") for i in range(cores)], "id string, text string")
    extract_combined(warm.repartition(cores)).write.format("noop").mode("overwrite").save()
    build_seconds = time.perf_counter() - started
    df = spark.read.json(source)
    clock = time.perf_counter()
    extract_combined(df).write.format("noop").mode("overwrite").save()
    seconds = time.perf_counter() - clock
    result = {"config": f"spark-local[{cores}]", "reports": df.count(), "build_seconds": build_seconds, "seconds": seconds,
              "partitions": df.rdd.getNumPartitions(), "peak_rss_mb": peak_rss_mb()}
    spark.stop()
    return result


# --------------------------------------------------------------------------- the run (parent process)


def _spin(n: int) -> int:
    total = 0
    for i in range(n):
        total += i * i
    return total


def parallel_ceiling(workers: int, n: int = 6_000_000) -> float:
    """How much faster ``workers`` processes finish ``workers`` pure-Python jobs than one process does.

    The most any process pool can gain on this machine right now (shared or throttled CPUs
    give less than ``workers``).
    """
    import multiprocessing as mp

    started = time.perf_counter()
    for _ in range(workers):
        _spin(n)
    serial = time.perf_counter() - started
    with mp.get_context("spawn").Pool(workers) as pool:
        pool.map(_spin, [1000] * workers)  # start the processes before the clock
        started = time.perf_counter()
        pool.map(_spin, [n] * workers, chunksize=1)
        parallel = time.perf_counter() - started
    return round(serial / parallel, 2)


def run_course_config(exams: int, patients: int, fmt: str, workers: int) -> dict:
    """`dvt course` as a user runs it, on state-level synthetic extract tables (pipeline.synth.course_input)."""
    from pipeline.synth.course_input import write_extract_tables

    with tempfile.TemporaryDirectory() as tmp:
        source = str(Path(tmp) / f"labels.{fmt}")
        made = time.perf_counter()
        write_extract_tables(exams, patients, 1, source, fmt)
        made = time.perf_counter() - made
        if fmt == "parquet":
            source = str(Path(tmp) / "labels.reports.parquet")
        command = [sys.executable, "-m", "pipeline.cli", "course", source, "-o", str(Path(tmp) / "course.parquet"), "--workers", str(workers),
                   "--as-of", "2030-01-01"]
        started = time.perf_counter()
        done = subprocess.run(command, cwd=ROOT, capture_output=True, text=True)
        seconds = time.perf_counter() - started
        if done.returncode != 0:
            raise SystemExit(f"course failed:\n{done.stderr[-2000:]}")
    rss = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    return {"config": f"course-{fmt}-w{workers}", "reports": exams, "build_seconds": made, "seconds": seconds, "peak_rss_mb": rss,
            "main_peak_rss_mb": rss, "reports_per_second": exams / seconds if seconds else 0.0, "patients": patients}


def run_config(config: str, source: str, workers: int = 1) -> dict:
    command = [sys.executable, str(Path(__file__).resolve()), "--child", config, "--input", source, "--workers", str(workers)]
    done = subprocess.run(command, cwd=ROOT, capture_output=True, text=True)
    if done.returncode != 0:
        raise SystemExit(f"{config} (workers={workers}) failed:\n{done.stderr[-2000:]}")
    result = json.loads(done.stdout.strip().splitlines()[-1])
    result["reports_per_second"] = result["reports"] / result["seconds"] if result["seconds"] else 0.0
    return result


def render(results: list[dict], meta: dict) -> None:
    from rich.console import Console
    from rich.table import Table

    rates = {r["config"]: r["reports_per_second"] for r in results}
    base, one = rates.get("tokenizer"), rates.get("batch-1")
    ceiling = meta.get("parallel_ceiling")
    table = Table(
        title=f"{meta['reports']:,} distinct synthetic reports, {meta['cpus']} CPUs, load average {meta['load_before']} before the run",
        caption=f"parallel ceiling of this machine (pure-Python spin, {ceiling[0]} processes vs 1): {ceiling[1]}x before the run, {ceiling[2]}x after" if ceiling else None,
    )
    for column in ("configuration", "build s", "seconds", "reports/s", "x tokenizer", "x 1 worker", "peak RSS MB / worker", "main RSS MB"):
        table.add_column(column, justify="left" if column == "configuration" else "right")
    for r in results:
        table.add_row(
            r["config"],
            f"{r['build_seconds']:.1f}",
            f"{r['seconds']:.1f}",
            f"{r['reports_per_second']:,.0f}",
            f"{r['reports_per_second'] / base:.3f}" if base else "-",
            f"{r['reports_per_second'] / one:.2f}" if one and r["config"].startswith(("batch-", "spark")) else "",
            f"{r['peak_rss_mb']:.0f}",
            f"{r['main_peak_rss_mb']:.0f}" if "worker_peak_rss_mb" in r else "",
        )
    Console(width=max(Console().width, 130)).print(table)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--n", type=int, default=None, help="reports (default: the whole synthetic corpus, 2,600 distinct texts)")
    parser.add_argument("--workers", default="1,2", help="worker counts for batch-K, comma-separated (default 1,2)")
    spark = importlib.util.find_spec("pyspark") is not None and shutil.which("java") is not None
    parser.add_argument("--configs", default="tokenizer,medspacy,pipeline,batch" + (",spark" if spark else ""), help="which configurations to run")
    parser.add_argument("--json", action="store_true", help="print the results as JSON instead of a table")
    parser.add_argument("--course-exams", type=int, default=1_000_000, help="course: synthetic exams (default 1,000,000)")
    parser.add_argument("--course-patients", type=int, default=200_000, help="course: their patients (default 200,000)")
    parser.add_argument("--course-format", default="parquet", choices=("parquet", "duckdb"), help="course: the extract output it reads")
    parser.add_argument("--child", help=argparse.SUPPRESS)
    parser.add_argument("--input", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        print(json.dumps(child(args.child, args.input, int(args.workers))))
        return

    configs = [c.strip() for c in args.configs.split(",") if c.strip()]
    if "stages" in configs:
        from pipeline.nlp.build import PIPE_NAMES

        at = configs.index("stages")
        configs[at:at + 1] = [f"stage:{name}" for name in PIPE_NAMES]
    meta = {"reports": 0, "cpus": os.cpu_count(), "load_before": " ".join(f"{x:.2f}" for x in os.getloadavg())}
    results = []
    most = max([int(w) for w in args.workers.split(",")] if "batch" in configs else [1])
    before = parallel_ceiling(most) if most > 1 else None
    with tempfile.TemporaryDirectory() as tmp:
        source = str(Path(tmp) / "reports.jsonl")
        items = corpus_texts(args.n)
        meta["reports"] = len(items)
        with open(source, "w", encoding="utf-8") as handle:
            for rid, text in items:
                handle.write(json.dumps({"id": rid, "text": text}, ensure_ascii=False) + "\n")
        for config in configs:
            if config == "course":
                print(f"running course ({args.course_exams:,} exams of {args.course_patients:,} patients) ...", file=sys.stderr, flush=True)
                results.append(run_course_config(args.course_exams, args.course_patients, args.course_format, most if most > 1 else 2))
                continue
            for workers in ([int(w) for w in args.workers.split(",")] if config == "batch" else [1]):
                print(f"running {config}{f'-{workers}' if config == 'batch' else ''} ...", file=sys.stderr, flush=True)
                results.append(run_config(config, source, workers))
    meta["load_after"] = " ".join(f"{x:.2f}" for x in os.getloadavg())
    if most > 1:
        meta["parallel_ceiling"] = [most, before, parallel_ceiling(most)]
    if args.json:
        print(json.dumps({"meta": meta, "results": results}, indent=2))
    else:
        render(results, meta)


if __name__ == "__main__":
    main()
