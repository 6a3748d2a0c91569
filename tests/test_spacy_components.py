"""The dvt components in a spaCy pipeline built by hand: `spacy.blank("en")` + `nlp.add_pipe(...)`."""
from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import spacy

from pipeline import add_dvt_pipes, extract
from pipeline.nlp.build import PIPE_NAMES

ROOT = Path(__file__).resolve().parent.parent
CORPORA = [ROOT / "corpora" / "synthetic" / name for name in ("test.jsonl", "handwritten.jsonl")]

# A fresh interpreter that never imports `pipeline` itself: spaCy loads the factories through the
# package's `spacy_factories` entry points (when the blank pipeline is made).
BY_NAME = """
import json, sys
import spacy
nlp = spacy.blank("en")
for name in sys.argv[1:]:
    nlp.add_pipe(name)
assert "pipeline.nlp.factories" in sys.modules, "the entry points did not load the factories"
texts = json.load(sys.stdin)
print(json.dumps({"pipes": nlp.pipe_names, "records": [doc._.dvt for doc in nlp.pipe(texts)]}))
"""


def corpus_texts() -> list[str]:
    return [json.loads(line)["text"] for path in CORPORA for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def test_add_pipe_by_name_gives_the_records_of_extract():
    texts = corpus_texts()
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(ROOT), os.environ.get("PYTHONPATH", "")])}
    done = subprocess.run([sys.executable, "-c", BY_NAME, *PIPE_NAMES], input=json.dumps(texts), capture_output=True,
                          text=True, env=env, timeout=600, check=False)
    assert done.returncode == 0, done.stderr[-2000:]
    result = json.loads(done.stdout)
    assert result["pipes"] == list(PIPE_NAMES)
    assert len(result["records"]) == len(texts) == 692
    assert [{**record, "id": None} for record in result["records"]] == [extract(text) for text in texts]


def test_add_dvt_pipes_adds_the_components_to_an_existing_pipeline():
    nlp = spacy.blank("en")
    nlp.add_pipe("sentencizer")  # a pipeline of the user's; the dvt components go after it
    add_dvt_pipes(nlp)
    assert nlp.pipe_names == ["sentencizer", *PIPE_NAMES]
    text = "FINDINGS: Occlusive thrombus in the left popliteal vein. The right CFV is compressible."
    assert {**nlp(text)._.dvt, "id": "r1"} == extract(text, id="r1")


def test_the_components_bring_their_tokenizer_rules():
    tokens = lambda nlp, text: [t.text for t in nlp.make_doc(text)]  # noqa: E731
    dvt, plain = add_dvt_pipes(spacy.blank("en")), spacy.blank("en")
    assert tokens(dvt, "s/p thrombectomy") == ["s/p", "thrombectomy"]  # slash shorthand stays one word
    assert tokens(plain, "s/p thrombectomy") == ["s", "/", "p", "thrombectomy"]
    assert tokens(dvt, "the lt. CFV") == ["the", "lt.", "CFV"]  # a dotted side abbreviation stays whole
    assert tokens(plain, "the lt. CFV") == ["the", "lt", ".", "CFV"]
    assert tokens(dvt, "IMP||No DVT") == ["IMP", "|", "|", "No", "DVT"]  # every pipe splits (HL7 segments)
    assert tokens(plain, "IMP||No DVT") == ["IMP||No", "DVT"]

def test_the_tokenizer_rules_can_be_left_out():
    nlp = add_dvt_pipes(spacy.blank("en"), tokenizer=False)
    assert nlp.get_pipe_config("dvt_sentences") == {"factory": "dvt_sentences", "customize_tokenizer": False, "rules_dir": None}
    assert [t.text for t in nlp.make_doc("the lt. CFV")] == ["the", "lt", ".", "CFV"]


def test_the_docstring_example_runs():
    import doctest

    import pipeline.nlp.build

    results = doctest.testmod(pipeline.nlp.build)
    assert results.attempted > 0 and results.failed == 0


def test_the_pipeline_pickles_and_reads_the_same_after(extractor):
    # Spark, joblib and spawned processes pickle what they ship: the built pipeline must survive it.
    import pickle

    nlp = extractor.nlp
    text = "Compared with the prior study of 3/1, thrombus in the left CFV, not seen previously. R neg"
    assert pickle.loads(pickle.dumps(nlp))(text)._.dvt == nlp(text)._.dvt
