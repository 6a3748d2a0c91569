"""The review app's API (pipeline.review.app) over a real review database, without HTTP.

Rows of the fixture (tests/conftest.py REVIEW_REPORTS): 0 r1 PROXIMAL, 1 r2 ICMVT (gold IDDVT),
2 r3 NEGATIVE, 3 r4 INDETERMINATE (possible peroneal), 4 r5 error (blank), 5 r6 IDDVT.
"""
from __future__ import annotations

import json
from datetime import timedelta

import pytest

from pipeline.review import ReviewError, open_review
from pipeline.review.app import ReviewApp
from pipeline.review.store import LEASE_SECONDS, _now


@pytest.fixture()
def app(tmp_path, review_source) -> ReviewApp:
    store = open_review(tmp_path / "review.sqlite", str(review_source["output"]), str(review_source["input"]), str(review_source["gold"]))
    return ReviewApp(store, "tester")


def call(app: ReviewApp, method: str, path: str, body: object = None, token: str | None = None, **query: str):
    raw = body if isinstance(body, bytes) else json.dumps(body).encode() if body is not None else b""
    response = app.handle(method, path, {k: str(v) for k, v in query.items()}, raw, token)
    return response.status, response.body


def session(app: ReviewApp, reviewer: str = "alice") -> str:
    status, body = call(app, "POST", "/api/session", {"reviewer": reviewer})
    assert status == 200, body
    return body["token"]


def decision_count(app: ReviewApp) -> int:
    with app.store.connect() as db:
        return db.execute("SELECT COUNT(*) FROM decisions").fetchone()[0]


# ------------------------------------------------------------------------------ loading


def test_loading_keeps_every_row_in_order_with_text_and_gold(app):
    status, body = call(app, "GET", "/api/info")
    assert status == 200 and body["total"] == 6 and body["gold"] == "gold.jsonl"
    with app.store.connect() as db:
        rows = db.execute("SELECT row, id, label, error IS NOT NULL, gold_label, disagrees FROM reports ORDER BY row").fetchall()
    assert [tuple(r) for r in rows] == [
        (0, '"r1"', "PROXIMAL", 0, "PROXIMAL", 0), (1, '"r2"', "ICMVT", 0, "IDDVT", 1), (2, '"r3"', "NEGATIVE", 0, "NEGATIVE", 0),
        (3, '"r4"', "INDETERMINATE", 0, "INDETERMINATE", 0), (4, '"r5"', None, 1, None, 0), (5, '"r6"', "IDDVT", 0, "IDDVT", 0),
    ]


def test_output_without_text_needs_the_input(tmp_path, review_source):
    with pytest.raises(ReviewError, match="holds no report text; pass --input"):
        open_review(tmp_path / "r.sqlite", str(review_source["output"]))


def test_input_that_is_not_the_extracted_one_is_refused(tmp_path, review_source):
    other = tmp_path / "other.jsonl"
    other.write_text('{"id": "x1", "text": "No DVT."}\n', encoding="utf-8")
    with pytest.raises(ReviewError, match="id \"r1\" but row 1 of"):
        open_review(tmp_path / "r.sqlite", str(review_source["output"]), str(other))


def test_reopening_resumes_and_another_output_is_refused(tmp_path, review_source):
    db = tmp_path / "r.sqlite"
    open_review(db, str(review_source["output"]), str(review_source["input"]))
    assert open_review(db).report_count() == 6  # reopened without the files
    with pytest.raises(ReviewError, match="another output"):
        open_review(db, str(review_source["gold"]))


# ------------------------------------------------------------------------------ sessions


def test_second_reviewer_at_once_gets_a_clear_409(app):
    session(app, "alice")
    status, body = call(app, "POST", "/api/session", {"reviewer": "bob"})
    assert status == 409 and "being reviewed by alice" in body["error"]


def test_lease_lapses_after_inactivity(app):
    app.store.open_session("alice", now=_now() - timedelta(seconds=LEASE_SECONDS + 5))
    assert session(app, "bob")  # alice went quiet: bob may take over


def test_same_reviewer_takes_over_and_the_old_tab_is_told(app):
    old = session(app, "alice")
    new = session(app, "alice")
    status, body = call(app, "POST", "/api/decisions", {"row": 0, "action": "accept"}, token=old)
    assert status == 409 and "ended" in body["error"]
    assert call(app, "POST", "/api/decisions", {"row": 0, "action": "accept"}, token=new)[0] == 200


def test_ending_the_session_frees_the_app(app):
    token = session(app, "alice")
    assert call(app, "POST", "/api/session/end", {"token": token})[1] == {"ended": True}
    assert session(app, "bob")


def test_requests_without_a_session_are_401(app):
    assert call(app, "GET", "/api/queue")[0] == 401


# ------------------------------------------------------------------------------ queue


def test_queue_puts_uncertain_first_and_counts(app):
    token = session(app)
    status, body = call(app, "GET", "/api/queue", token=token)
    assert status == 200
    assert [item["row"] for item in body["items"]] == [3, 0, 1, 2, 4, 5]  # r4 (possible) first
    assert body["counts"]["labels"] == {"PROXIMAL": 1, "IDDVT": 1, "ICMVT": 1, "DVT_UNSPECIFIED": 0, "INDETERMINATE": 1, "NEGATIVE": 1, "ERROR": 1}
    assert body["counts"]["flags"]["uncertain"] == 1 and body["counts"]["flags"]["disagree"] == 1 and body["counts"]["flags"]["error"] == 1


@pytest.mark.parametrize("query, rows", [
    ({"label": "ICMVT"}, [1]),                      # report label
    ({"label": "ERROR"}, [4]),                      # failed extraction
    ({"side": "right"}, [0, 2, 5]),                 # examines the right leg
    ({"side": "left", "label": "INDETERMINATE"}, [3]),
    ({"flag": "disagree"}, [1]),                    # differs from gold
    ({"flag": "error"}, [4]),
    ({"id": "r6"}, [5]),                            # id search
    ({"id": "r", "label": "PROXIMAL"}, [0]),
])
def test_queue_filters(app, query, rows):
    token = session(app)
    status, body = call(app, "GET", "/api/queue", token=token, **query)
    assert status == 200 and [item["row"] for item in body["items"]] == rows and body["total"] == len(rows)


def test_unknown_filter_value_is_a_400(app):
    status, body = call(app, "GET", "/api/queue", token=session(app), flag="everything")
    assert status == 400 and "flag filter must be one of" in body["error"]


# ------------------------------------------------------------------------------ reports


def test_report_shows_highlighted_evidence_and_escapes_text(app):
    token = session(app)
    status, body = call(app, "GET", "/api/reports/5", token=token)
    assert status == 200 and body["id"] == "r6" and body["problems"] == []
    assert "&lt;script&gt;" in body["html"] and "<script>" not in body["html"]
    assert 'class="mention g-distal_axial st-present" data-f="f0"' in body["html"]
    assert '<span class="section" title="section: findings">FINDINGS:</span>' in body["html"]
    assert body["sentences"] == ["Thrombus in the right posterior tibial vein."]  # the finding's sentence, quoted


@pytest.mark.parametrize("path, status", [
    ("/api/reports/99", 404),      # no such row
    ("/api/reports/abc", 400),     # not a row number
    ("/api/nothing", 404),
])
def test_bad_report_requests(app, path, status):
    assert call(app, "GET", path, token=session(app))[0] == status


# ------------------------------------------------------------------------------ decisions


def test_accept_and_correct_are_kept_with_reviewer_and_time(app):
    token = session(app, "alice")
    status, body = call(app, "POST", "/api/decisions", {"row": 3, "action": "accept"}, token=token)
    assert status == 200 and body["saved"]["label"] == "INDETERMINATE" and body["next_row"] == 0
    status, body = call(app, "POST", "/api/decisions",
                        {"row": 1, "action": "correct", "label": "IDDVT", "side_labels": {"left": "IDDVT"}, "note": "gastroc read as peroneal?"}, token=token)
    assert status == 200
    kept = {d["row"]: d for d in app.store.current_decisions("alice")}
    assert kept[3]["action"] == "accept" and kept[3]["label"] == "INDETERMINATE"
    assert (kept[1]["label"], kept[1]["side_left"], kept[1]["note"]) == ("IDDVT", "IDDVT", "gastroc read as peroneal?")
    assert kept[1]["reviewer"] == "alice" and kept[1]["decided_at"].endswith("Z")
    assert call(app, "GET", "/api/reports/1", token=token)[1]["decision"]["label"] == "IDDVT"


def test_reopening_resumes_at_the_first_undecided_report(app, tmp_path):
    token = session(app, "alice")
    call(app, "POST", "/api/decisions", {"row": 3, "action": "accept"}, token=token)
    call(app, "POST", "/api/session/end", {"token": token})
    reopened = ReviewApp(open_review(tmp_path / "review.sqlite"))
    assert call(reopened, "POST", "/api/session", {"reviewer": "alice"})[1]["resume_row"] == 0  # row 3 (first in queue) is done
    assert call(reopened, "POST", "/api/session", {"reviewer": "alice"})[1]["reviewer"] == "alice"


@pytest.mark.parametrize("body, status, message", [
    (b"{not json", 400, "JSON object"),
    (b"[1, 2]", 400, "JSON object"),
    ({"row": 99, "action": "accept"}, 404, "no report at row 99"),
    ({"row": "1", "action": "accept"}, 400, "row must be an integer"),
    ({"row": 1, "action": "approve"}, 400, "action must be one of"),
    ({"row": 1, "action": "correct", "label": "DVT"}, 400, "label must be one of"),
    ({"row": 1, "action": "correct", "label": "ICMVT", "side_labels": {"middle": "ICMVT"}}, 400, "side_labels"),
    ({"row": 1, "action": "correct", "label": "ICMVT", "note": "x" * 6000}, 400, "note"),
    ({"row": 1, "action": "accept", "extra": 1}, 400, "unknown field"),
    ({"row": 4, "action": "accept"}, 400, "no model label to accept"),   # the error row
    (b"x" * 70_000, 413, "over"),
])
def test_bad_decisions_are_refused_and_write_nothing(app, body, status, message):
    token = session(app)
    got, answer = call(app, "POST", "/api/decisions", body, token=token)
    assert got == status and message in answer["error"]
    assert decision_count(app) == 0


def test_decision_without_session_writes_nothing(app):
    assert call(app, "POST", "/api/decisions", {"row": 1, "action": "accept"})[0] == 401
    assert decision_count(app) == 0


def test_wrong_method_is_405(app):
    assert call(app, "GET", "/api/decisions", token=session(app))[0] == 405


def test_stats_give_kappa_between_reviewers_and_with_the_model(app):
    token = session(app, "alice")
    for row, label in [(0, "PROXIMAL"), (1, "IDDVT"), (2, "NEGATIVE"), (3, "NEGATIVE")]:
        call(app, "POST", "/api/decisions", {"row": row, "action": "correct", "label": label}, token=token)
    call(app, "POST", "/api/session/end", {"token": token})
    token = session(app, "bob")
    for row, label in [(0, "PROXIMAL"), (1, "ICMVT"), (2, "NEGATIVE"), (3, "NEGATIVE")]:
        call(app, "POST", "/api/decisions", {"row": row, "action": "correct", "label": label}, token=token)
    stats = call(app, "GET", "/api/stats", token=token)[1]
    assert stats["reviewers"]["alice"]["decided"] == 4
    between = stats["reviewer_agreement"][0]
    assert (between["rater_a"], between["rater_b"], between["n_reports"], between["label_agreement"]) == ("alice", "bob", 4, 0.75)
    # alice PROXIMAL IDDVT NEGATIVE NEGATIVE vs bob PROXIMAL ICMVT NEGATIVE NEGATIVE: p_o .75, p_e (1+0+4)/16
    assert between["label_kappa"] == pytest.approx((0.75 - 5 / 16) / (1 - 5 / 16))


# ------------------------------------------------------------------------------ samples


def _rows(store) -> list[int]:
    with store.connect() as db:
        return [r[0] for r in db.execute("SELECT row FROM reports ORDER BY row")]


def test_random_sample_keeps_output_rows_and_is_reproducible(tmp_path, review_source):
    from pipeline.review.sampling import Sampling

    args = (str(review_source["output"]), str(review_source["input"]))
    first = open_review(tmp_path / "a.sqlite", *args, sampling=Sampling(sample=3, seed=7))
    again = open_review(tmp_path / "b.sqlite", *args, sampling=Sampling(sample=3, seed=7))
    assert len(_rows(first)) == 3 and _rows(first) == _rows(again)
    with first.connect() as db:  # each kept report is the output's record at that row
        assert all(json.loads(r["record"])["id"] == f"r{r['row'] + 1}" for r in db.execute("SELECT row, record FROM reports"))
    assert first.meta()["sampling"] == "random sample of 3 (seed 7)"


def test_sample_per_label_takes_every_label(tmp_path, review_source):
    from pipeline.review.sampling import Sampling

    store = open_review(tmp_path / "a.sqlite", str(review_source["output"]), str(review_source["input"]), sampling=Sampling(per_label=1))
    with store.connect() as db:
        labels = sorted(r[0] or "ERROR" for r in db.execute("SELECT label FROM reports"))
    assert labels == ["ERROR", "ICMVT", "IDDVT", "INDETERMINATE", "NEGATIVE", "PROXIMAL"]


def test_sample_larger_than_the_output_keeps_everything(tmp_path, review_source):
    from pipeline.review.sampling import Sampling

    store = open_review(tmp_path / "a.sqlite", str(review_source["output"]), str(review_source["input"]), sampling=Sampling(sample=50))
    assert _rows(store) == [0, 1, 2, 3, 4, 5]


def test_reservoir_sample_is_uniform():
    from collections import Counter

    from pipeline.review.sampling import Sampling, sample_items

    items = [(row, {"label": "NEGATIVE"}, None) for row in range(4)]
    picks = Counter(next(iter(sample_items(items, Sampling(sample=1, seed=seed))))[0] for seed in range(4000))
    assert set(picks) == {0, 1, 2, 3} and all(900 < n < 1100 for n in picks.values())  # about 1000 each


def test_concurrent_requests_keep_every_decision_and_one_holder(app):
    from concurrent.futures import ThreadPoolExecutor

    names = [f"reviewer{i}" for i in range(8)]
    with ThreadPoolExecutor(8) as pool:  # eight reviewers open the app at the same moment
        opened = list(pool.map(lambda name: call(app, "POST", "/api/session", {"reviewer": name}), names))
    winners = [body for status, body in opened if status == 200]
    assert len(winners) == 1 and sum(status == 409 for status, _ in opened) == 7
    token = winners[0]["token"]
    bodies = [{"row": row % 4, "action": "correct", "label": "NEGATIVE", "note": f"n{row}"} for row in range(40)]
    with ThreadPoolExecutor(8) as pool:  # the holder's tabs save forty decisions at once
        saved = list(pool.map(lambda body: call(app, "POST", "/api/decisions", body, token=token)[0], bodies))
    assert saved == [200] * 40 and decision_count(app) == 40
    with app.store.connect() as db:
        assert db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
