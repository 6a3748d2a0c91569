"""Screenshots of the review app and the audit page for the README (docs/img/).

Usage: python scripts/screenshots.py [--chromium /usr/bin/chromium]

Extracts the handwritten synthetic corpus, opens it in the review app with its gold labels
(Debian's chromium through Playwright, headless), and saves the review screen with a finding
hovered, the stats dialog after two reviewers, and the audit page's examples.
"""
from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CORPUS = ROOT / "corpora" / "synthetic" / "handwritten.jsonl"
OUT = ROOT / "docs" / "img"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--chromium", default="/usr/bin/chromium")
    args = parser.parse_args()
    sys.path.insert(0, str(ROOT))
    from playwright.sync_api import expect, sync_playwright

    from pipeline.review import open_review
    from pipeline.review.app import ReviewApp
    from pipeline.review.audit import write_audit
    from pipeline.review.server import ReviewServer

    OUT.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        output = Path(tmp) / "handwritten.pred.jsonl"
        subprocess.run([sys.executable, "-m", "pipeline.cli", "extract", str(CORPUS), "-o", str(output), "-w", "1", "-q"], check=True, cwd=ROOT)
        store = open_review(Path(tmp) / "review.sqlite", str(output), str(CORPUS), str(CORPUS))
        token = store.open_session("bob")  # a second reviewer's earlier decisions, for the stats dialog
        for row in range(12):
            store.decide(token, row, "accept")
        store.decide(token, 12, "correct", "INDETERMINATE", {"left": "INDETERMINATE"})
        store.close_session(token)
        server = ReviewServer(ReviewApp(store, "alice"), "127.0.0.1", 0)
        server.serve_in_thread()
        audit = Path(tmp) / "audit.html"
        write_audit(str(output), str(audit), str(CORPUS))
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=args.chromium, args=CHROMIUM_ARGS)
            page = browser.new_page(viewport={"width": 1440, "height": 860})
            page.goto(f"http://127.0.0.1:{server.server_address[1]}/")
            page.fill("#reviewer", "alice")
            page.press("#reviewer", "Enter")
            page.wait_for_selector("#report-text span.mention")
            for done in range(1, 11):
                page.keyboard.press("a")
                expect(page.locator("#progress")).to_contain_text(f"{done} of")
                page.wait_for_selector("body[aria-busy=false]")
            page.locator("#report-text span.mention.st-possible, #report-text span.mention.st-present").first.hover()
            page.screenshot(path=str(OUT / "review.png"))
            page.click("#stats-button")
            page.wait_for_selector("#stats[open] table")
            page.locator("#stats").screenshot(path=str(OUT / "review-stats.png"))
            page.goto(audit.as_uri())
            page.evaluate("document.querySelector('h2:nth-of-type(4)').scrollIntoView()")  # the examples
            page.screenshot(path=str(OUT / "audit.png"))
            browser.close()
        server.shutdown()
        server.server_close()
    print(f"screenshots -> {OUT}")


if __name__ == "__main__":
    main()
