"""Model.encode against `longembed embed` (the same library through the CLI),
and the sentence-transformers arguments."""
import json

import numpy as np
import pytest

import longembed
from conftest import FIXTURES, run_cli

TEXTS = ["hello", "The quick brown fox jumps over the lazy dog.",
         "Ünïcödé and emoji 🙂 in one line", "x " * 300]


def cli_vectors(cli, model, texts, *args):
    """The CLI's vectors in fp32, the library's (and so Model's) default; the
    command line's own default, auto, may run bf16."""
    stdin = "".join(json.dumps({"text": t}) + "\n" for t in texts)
    rows = run_cli(cli, ["embed", "-m", model, "-q", "--input", "jsonl", "--precision", "fp32",
                         *args], stdin)
    return rows, np.array([r["embedding"] for r in rows], dtype=np.float64)


def test_encode_equals_cli(cli, minilm):
    _, ref = cli_vectors(cli, "minilm", TEXTS)
    got = minilm.encode(TEXTS)
    assert got.dtype == np.float32 and got.shape == (len(TEXTS), 384)
    assert np.max(np.abs(got - ref)) <= 1e-6


def test_encode_with_extension_equals_cli(cli):
    long_text = " ".join(f"word{i}" for i in range(400))  # ~1200 tokens: past MiniLM's 512
    m = longembed.Model("minilm", extend="pi", max_tokens=2048, threads=1, allow_fetch=False)
    _, ref = cli_vectors(cli, "minilm", [long_text, "short"], "--extend", "pi",
                         "--max-tokens", "2048")
    assert np.max(np.abs(m.encode([long_text, "short"]) - ref)) <= 1e-6
    m.close()


def test_prefix_and_normalize_equal_cli(cli, minilm):
    _, ref = cli_vectors(cli, "minilm", TEXTS[:2], "--prefix", "query: ", "--no-normalize")
    got = minilm.encode(TEXTS[:2], prompt="query: ", normalize_embeddings=False)
    assert np.max(np.abs(got - ref)) <= 1e-6
    assert abs(np.linalg.norm(got[0]) - 1.0) > 1e-3  # really not normalised


def test_m3_outputs_equal_cli(cli, m3):
    rows, ref = cli_vectors(cli, str(FIXTURES / "bge-m3-tiny"), TEXTS[:3], "--output",
                            "dense,sparse,colbert")
    got = m3.encode(TEXTS[:3], output=("dense", "sparse", "colbert"))
    assert np.max(np.abs(got["dense"] - ref)) <= 1e-6
    for row, sparse, col in zip(rows, got["sparse"], got["colbert"]):
        assert sparse.keys() == row["lexical_weights"].keys()
        for k, w in sparse.items():
            assert abs(w - row["lexical_weights"][k]) <= 1e-6
        assert np.max(np.abs(col - np.array(row["colbert_vecs"]))) <= 1e-6


def test_batch_size_and_single_text(minilm):
    whole = minilm.encode(TEXTS)
    assert np.array_equal(minilm.encode(TEXTS, batch_size=1), whole)  # bitwise
    one = minilm.encode(TEXTS[1])
    assert one.shape == (384,) and np.array_equal(one, whole[1])
    as_list = minilm.encode(TEXTS, convert_to_numpy=False)
    assert isinstance(as_list, list) and np.array_equal(as_list[2], whole[2])
    assert minilm.encode([]).shape == (0, 384)


def test_results_and_truncate(minilm):
    long_text = "word " * 1000
    with pytest.raises(longembed.Error) as e:
        minilm.encode([long_text])
    assert e.value.status == 5 and e.value.status_name == "input too long"
    vec, res = minilm.encode(["a b", long_text], truncate=True, results=True)
    assert res[1][0] == 512 and res[1][2] == 1 and res[0][2] == 0  # tokens, truncated


def test_progress_bar_and_info(minilm, capsys):
    minilm.encode(TEXTS, show_progress_bar=True, batch_tokens=8)
    info = minilm.info()
    assert info["architecture"] == "bert" and info["dim"] == 384 and info["window"] == 512
    assert minilm.tokenize("hello world") == [101, 7592, 2088, 102]
    assert minilm.token_piece(7592) == "hello"


def test_passages(minilm):
    text = " ".join(f"w{i}" for i in range(400))
    ps = minilm.encode_passages([text, "short one"], passages=64)
    assert len(ps[0]) > 3 and len(ps[1]) == 1
    p = ps[0][1]
    assert text.encode()[p.byte_start:p.byte_end].decode() == p.text
    assert p.vector.shape == (384,)
    m = longembed.Model("minilm", passages=64, threads=1, allow_fetch=False)
    doc = m.encode([text])[0]
    mean = np.mean([q.vector for q in ps[0]], axis=0)
    assert np.max(np.abs(doc - mean / np.linalg.norm(mean))) <= 1e-5
    m.close()
