"""LlamaIndex: ``longembed.llama_index.LongembedEmbedding`` is a
llama-index-core ``BaseEmbedding``.

    from longembed.llama_index import LongembedEmbedding
    from llama_index.core import Settings
    Settings.embed_model = LongembedEmbedding("minilm", extend="pi", max_tokens=8192)

Texts get the model's passage prefix and queries its query prefix.
"""
from __future__ import annotations

from typing import Any, List, Optional

from llama_index.core.base.embeddings.base import BaseEmbedding
from pydantic import PrivateAttr

from ._model import Model


class LongembedEmbedding(BaseEmbedding):
    """model: a longembed.Model, or a model name with Model options."""

    query_prefix: Optional[str] = "query"
    document_prefix: Optional[str] = "passage"
    _model: Any = PrivateAttr()

    def __init__(self, model: Any = "minilm", *, query_prefix: Optional[str] = "query",
                 document_prefix: Optional[str] = "passage", embed_batch_size: int = 32,
                 **model_options: Any):
        m = model if isinstance(model, Model) else Model(model, **model_options)
        super().__init__(model_name=f"longembed/{m.info()['name']}",
                         embed_batch_size=embed_batch_size, query_prefix=query_prefix,
                         document_prefix=document_prefix)
        self._model = m

    @classmethod
    def class_name(cls) -> str:
        return "LongembedEmbedding"

    @property
    def model(self) -> Model:
        return self._model

    def _get_query_embedding(self, query: str) -> List[float]:
        return self._model.encode([query], prefix=self.query_prefix)[0].tolist()

    async def _aget_query_embedding(self, query: str) -> List[float]:
        return self._get_query_embedding(query)

    def _get_text_embedding(self, text: str) -> List[float]:
        return self._model.encode([text], prefix=self.document_prefix)[0].tolist()

    def _get_text_embeddings(self, texts: List[str]) -> List[List[float]]:
        return self._model.encode(list(texts), prefix=self.document_prefix).tolist()
