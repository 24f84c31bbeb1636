"""LangChain: ``longembed.langchain.LongembedEmbeddings`` is a langchain-core
``Embeddings``.

    from longembed.langchain import LongembedEmbeddings
    emb = LongembedEmbeddings("minilm", extend="pi", max_tokens=8192)
    emb.embed_documents(["a long contract ..."]); emb.embed_query("termination")

Documents get the model's passage prefix and queries its query prefix (the
presets "passage" and "query"; E5 and nomic models have their own). The
async methods (langchain-core's defaults) run the calls in a thread pool,
where the GIL is released while the library embeds.
"""
from __future__ import annotations

from typing import Any, List, Optional

from langchain_core.embeddings import Embeddings

from ._model import Model


class LongembedEmbeddings(Embeddings):
    """model: a longembed.Model, or a model name with Model options."""

    def __init__(self, model: Any = "minilm", *, query_prefix: Optional[str] = "query",
                 document_prefix: Optional[str] = "passage", batch_size: Optional[int] = None,
                 **model_options: Any):
        self.model = model if isinstance(model, Model) else Model(model, **model_options)
        self.query_prefix = query_prefix
        self.document_prefix = document_prefix
        self.batch_size = batch_size

    def embed_documents(self, texts: List[str]) -> List[List[float]]:
        return self.model.encode(list(texts), prefix=self.document_prefix,
                                 batch_size=self.batch_size).tolist()

    def embed_query(self, text: str) -> List[float]:
        return self.model.encode([text], prefix=self.query_prefix)[0].tolist()
