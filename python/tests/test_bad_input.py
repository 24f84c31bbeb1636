"""Bad input raises a clear exception and never crashes the interpreter."""
import pytest

import longembed


def test_none_and_non_str(minilm):
    with pytest.raises(TypeError, match=r"texts\[1\].*None"):
        minilm.encode(["ok", None])
    with pytest.raises(TypeError, match=r"texts\[0\].*int"):
        minilm.encode([3])
    with pytest.raises(TypeError):
        minilm.encode(None)
    with pytest.raises(TypeError):
        minilm.encode(["a"], no_such_option=1)


def test_invalid_utf8_bytes(minilm):
    with pytest.raises(longembed.Error) as e:
        minilm.encode([b"fine", b"\xc3\x28 broken"])
    assert e.value.status == 6 and e.value.text_index == 1
    assert "UTF-8" in str(e.value)
    # valid bytes are fine, and equal the str
    assert (minilm.encode([b"caf\xc3\xa9"]) == minilm.encode(["café"])).all()


def test_lone_surrogate(minilm):
    with pytest.raises(UnicodeEncodeError):
        minilm.encode(["\ud800"])


def test_closed_model():
    m = longembed.Model("minilm", threads=1, allow_fetch=False)
    m.close()
    m.close()  # twice is fine
    for call in (lambda: m.encode(["x"]), lambda: m.tokenize("x"), m.info,
                 lambda: m.encode_passages(["x"])):
        with pytest.raises(longembed.Error, match="closed"):
            call()


def test_bad_options(minilm):
    with pytest.raises(longembed.Error) as e:
        minilm.encode(["x"], extend="warp")
    assert e.value.status == 1
    with pytest.raises(longembed.Error):
        minilm.encode(["x"], extend="ntk")  # a RoPE method on a learned-table model
    with pytest.raises(ValueError):
        minilm.encode(["x"], output=("dense", "nope"))
    with pytest.raises(longembed.Error, match="sparse_linear|head"):
        minilm.encode(["x"], output="sparse")  # MiniLM has no BGE-M3 heads
    with pytest.raises(longembed.Error):
        longembed.Model("/no/such/model/dir")


def test_bad_index_input(minilm, tmp_path):
    ix = longembed.Index(tmp_path / "a.lei", model=minilm)
    with pytest.raises(ValueError, match="NUL"):
        ix.add(["a\0b"], ["text"])
    with pytest.raises(ValueError):
        ix.add(["a", "b"], ["only one"])
    with pytest.raises(TypeError):
        ix.add(["a"], [None])
    ix.add(["a"], ["text"])
    with pytest.raises(longembed.Error, match="NUL"):
        ix.search("a\0b")
    ix.close()
