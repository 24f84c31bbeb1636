"""longembed: long-context text embeddings and retrieval on the CPU.

    import longembed
    m = longembed.Model("minilm", extend="pi", max_tokens=8192)
    vecs = m.encode(docs)                      # numpy float32 (N, dim)
    idx = longembed.Index("docs.lei", model=m)
    idx.add(ids, docs)
    idx.search("termination", k=10, mode="hybrid")

A CPython extension over the C library's public API (include/longembed.h):
every call runs with the GIL released. Adapters: longembed.langchain,
longembed.llama_index, longembed.mteb, longembed.ray.
"""
from . import _core
from ._bench import bench
from ._index import AddResult, Hit, HitPassage, Index, IndexInfo, verify
from ._model import M3Output, Model, Passage

Error = _core.Error
__version__ = _core.version


def aliases():
    """The model aliases this build knows (fetched from PyPI when first used)."""
    return _core.aliases()


__all__ = ["Model", "Index", "Hit", "HitPassage", "AddResult", "IndexInfo", "Passage",
           "M3Output", "Error", "bench", "verify", "aliases", "__version__"]
