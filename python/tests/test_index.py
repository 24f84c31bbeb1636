"""Index: add, search (dense, bm25, hybrid; passages), delete, compact,
verify, info; hits equal `longembed search` on the same file."""
import json
import subprocess

import numpy as np
import pytest

import longembed

DOCS = {
    "c1": "Either party may terminate this agreement for convenience with thirty days notice.",
    "c2": "The supplier shall deliver the goods to the warehouse within ten business days.",
    "c3": "Payment is due within sixty days of the invoice date, without deduction.",
    "c4": "This agreement is governed by the laws of the State of New York.",
    "c5": "A recipe: mix flour, water, salt and yeast, then bake the bread for forty minutes.",
}


@pytest.fixture()
def index(minilm, tmp_path):
    ix = longembed.Index(tmp_path / "docs.lei", model=minilm)
    ix.add(list(DOCS), list(DOCS.values()), titles=[f"T{k}" for k in DOCS])
    yield ix
    ix.close()


def test_add_search_modes(index):
    for mode in ("dense", "bm25", "hybrid"):
        hits = index.search("terminate the agreement", k=3, mode=mode)
        assert hits[0].id == "c1", (mode, hits)
        assert isinstance(hits[0], longembed.Hit) and hits[0].title == "Tc1"
        assert hits[0].text == DOCS["c1"]
    h = index.search("bread recipe", k=1, mode="hybrid")[0]
    assert h.id == "c5" and h.dense is not None and h.bm25 is not None


def test_hits_equal_cli(index, cli):
    # fp32 as the Index's model (the library's default; the command line's is auto)
    p = subprocess.run([cli, "search", "-i", index.path, "-m", "minilm", "-q", "--json", "-k", "5",
                        "--precision", "fp32", "when is payment due"], capture_output=True, text=True)
    if p.returncode != 0:
        pytest.fail(p.stderr)
    ref = [json.loads(line) for line in p.stdout.splitlines() if line.strip()]
    ref = ref[0]["hits"] if len(ref) == 1 and "hits" in ref[0] else ref
    got = index.search("when is payment due", k=5)
    assert [h.id for h in got] == [r["id"] for r in ref]
    assert np.allclose([h.score for h in got], [r["score"] for r in ref], atol=1e-6)


def test_delete_compact_verify_info(index):
    assert len(index) == 5
    assert index.delete(["c2", "nope"]) == 1
    assert len(index) == 4 and index.get("c2") is None
    info = index.info()
    assert isinstance(info, longembed.IndexInfo) and info.deleted == 1
    index.compact()
    info = index.verify(deep=True)
    assert info.docs == 4 and info.deleted == 0 and info.segments == 1
    assert info.model["name"] == "minilm" and info.model["dim"] == 384
    assert index.get("c1")["text"] == DOCS["c1"]


def test_passages_in_hits(minilm, tmp_path):
    text = " ".join(["filler words about nothing in particular"] * 30)
    text += " the indemnification clause survives termination " + text
    ix = longembed.Index(tmp_path / "p.lei", model=minilm, passages=32)
    ix.add(["long"], [text])
    hit = ix.search("indemnification clause survives termination", k=1)[0]
    assert isinstance(hit.passage, longembed.HitPassage)
    assert "indemnification" in hit.passage.text
    assert ix.info().passages > 5
    ix.close()


def test_reopen_and_bm25_only(minilm, tmp_path):
    path = tmp_path / "r.lei"
    with longembed.Index(path, model=minilm) as ix:
        ix.add(["a"], ["alpha beta"])
    with longembed.Index(path, model=minilm) as ix:  # existing: its identity is kept
        ix.add(["b"], ["gamma delta"])
        assert len(ix) == 2
    with longembed.Index(path) as ix:  # no model: BM25 search still works
        assert ix.search("gamma", mode="bm25")[0].id == "b"
    with longembed.Index(tmp_path / "b.lei") as ix:
        with pytest.raises(longembed.Error):
            ix.add(["x"], ["no model to embed with"])


def test_vectors_added_elsewhere(minilm, tmp_path):
    ids, texts = list(DOCS), list(DOCS.values())
    a = longembed.Index(tmp_path / "a.lei", model=minilm)
    a.add(ids, texts)
    b = longembed.Index(tmp_path / "b.lei", model=minilm)
    b.add_vectors(ids, texts, minilm.encode(texts))
    qv = minilm.encode("goods delivery")
    ha, hb = a.search("goods delivery", k=5), b.search(vector=qv, k=5)
    assert [h.id for h in ha] == [h.id for h in hb]
    assert np.allclose([h.score for h in ha], [h.score for h in hb], atol=1e-6)
    a.close()
    b.close()


def test_bench_report_dict():
    r = longembed.bench(None, tasks="passkey", lengths=[256], retrievers="bm25", n_queries=5,
                        n_docs=10, cache=False)
    assert r["config"]["tasks"] == ["passkey"] and r["model"] is None
    assert r["results"], r


def test_m3_index_modes(m3, tmp_path):
    """A BGE-M3 index (the tiny fixture): every mode finds the document equal
    to the query; m3_weights is passed through."""
    ix = longembed.Index(tmp_path / "m3.lei", model=m3)
    ix.add(["a", "b", "c"], ["hello world", "the cat sat down", "numbers one two three"])
    for mode in ("dense", "sparse", "colbert", "m3", "hybrid"):
        assert ix.search("hello world", k=3, mode=mode)[0].id == "a", mode
    w = ix.search("hello world", k=1, mode="m3", m3_weights=(1.0, 0.0, 0.0))[0]
    assert w.score == pytest.approx(w.dense, abs=1e-6)  # all weight on the dense score
    with pytest.raises(ValueError):
        ix.search("hello world", mode="m3", m3_weights=(1.0, 2.0))
    ix.close()
