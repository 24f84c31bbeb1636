"""MTEB with longembed models: ``longembed.mteb.LongembedSearch`` and
``longembed.mteb.LongembedEncoder``.

    import mteb, longembed.mteb
    model = longembed.mteb.LongembedSearch("minilm", extend="pi", max_tokens=8192)
    mteb.evaluate(model, mteb.get_tasks(tasks=["LEMBNarrativeQARetrieval"]))

LongembedSearch implements mteb's SearchProtocol: it embeds the corpus
(index) and ranks it for the queries (search) itself, by exact dot product
over the vectors (mode="dense"), or through a longembed index with BM25 or
hybrid fusion (mode="bm25", "hybrid"). mteb's retrieval tasks, the LongEmbed
ones (LEMB*) included, run through it, and so does a task whose data a user
made. It needs no torch: the mteb-core package (mteb without torch) is
enough for task.evaluate(model, ...). (mteb.evaluate itself imports
sentence-transformers, hence torch, before it looks at the model.)

LongembedEncoder implements mteb's EncoderProtocol (encode over mteb's data
loaders) for the tasks that need an encoder, where mteb with torch is
installed.
"""
from __future__ import annotations

import os
import tempfile
from typing import Any, Dict, Iterable, List, Optional

import numpy as np

from ._index import Index
from ._model import Model


def _model_meta(model: Model, name: Optional[str]) -> Any:
    """An mteb ModelMeta describing the longembed model and its options."""
    from mteb.models.model_meta import ModelMeta
    info = model.info()
    return ModelMeta(
        loader=None, name=name or f"longembed/{info['name']}", revision=None,
        release_date=None, languages=None, n_parameters=None, memory_usage_mb=None,
        max_tokens=float(model._defaults.get("max_tokens") or info["window"]),
        embed_dim=model.dim, license=None, open_weights=True, public_training_code=None,
        public_training_data=None, framework=["NumPy"], similarity_fn_name="cosine",
        use_instructions=False, training_datasets=None)


def _prompt_prefix(model: Model, prompt_type: Any) -> str:
    """The model's own query or passage prefix for mteb's prompt type."""
    kind = getattr(prompt_type, "value", prompt_type)
    name = "query" if kind == "query" else "passage"
    return model.prefix(name) or ""


def _as_model(model: Any, options: Dict[str, Any]) -> Model:
    return model if isinstance(model, Model) else Model(model, **options)


def _text_of(row: Dict[str, Any]) -> str:
    """A corpus row's text with its title, as mteb's encoders join them."""
    title = row.get("title") or ""
    text = row.get("text") or ""
    return f"{title} {text}".strip() if title else text


class LongembedSearch:
    """mteb's SearchProtocol over a longembed Model (or a model name and Model
    options). mode: "dense" (exact, numpy), "bm25" or "hybrid" (a longembed
    index in a temporary directory)."""

    def __init__(self, model: Any = "minilm", *, mode: str = "dense",
                 name: Optional[str] = None, batch_size: Optional[int] = None,
                 **model_options: Any):
        self.model = _as_model(model, model_options)
        self.mode = mode
        self.batch_size = batch_size
        self._name = name
        self._ids: List[str] = []
        self._vectors: Optional[np.ndarray] = None
        self._tmp: Optional[tempfile.TemporaryDirectory] = None
        self._index: Optional[Index] = None

    @property
    def mteb_model_meta(self) -> Any:
        return _model_meta(self.model, self._name)

    def index(self, corpus: Iterable[Dict[str, Any]], *, task_metadata: Any = None,
              hf_split: str = "", hf_subset: str = "", encode_kwargs: Any = None,
              num_proc: Optional[int] = None, **kwargs: Any) -> None:
        rows = list(corpus)
        self._ids = [str(r["id"]) for r in rows]
        texts = [_text_of(r) for r in rows]
        prefix = _prompt_prefix(self.model, "document")
        if self.mode == "dense":
            self._vectors = self.model.encode(texts, prefix=prefix, batch_size=self.batch_size)
            return
        self.close()
        self._tmp = tempfile.TemporaryDirectory(prefix="longembed-mteb-")
        self._index = Index(os.path.join(self._tmp.name, "corpus.lei"), model=self.model,
                            embed_options={"prefix": prefix} if prefix else None)
        self._index.add(self._ids, texts, truncate=True)

    def search(self, queries: Iterable[Dict[str, Any]], *, task_metadata: Any = None,
               hf_split: str = "", hf_subset: str = "", top_k: int = 100,
               encode_kwargs: Any = None, top_ranked: Optional[Dict[str, List[str]]] = None,
               num_proc: Optional[int] = None, **kwargs: Any) -> Dict[str, Dict[str, float]]:
        rows = list(queries)
        qids = [str(r["id"]) for r in rows]
        texts = [r["text"] if isinstance(r["text"], str) else str(r["text"]) for r in rows]
        if self._index is not None:
            return {q: {h.id: float(h.score) for h in
                        self._index.search(t, k=top_k, mode=self.mode, with_text=False)}
                    for q, t in zip(qids, texts)}
        if self._vectors is None:
            raise RuntimeError("LongembedSearch.search before index")
        qv = self.model.encode(texts, prefix=_prompt_prefix(self.model, "query"),
                               batch_size=self.batch_size, truncate=True)
        scores = qv @ self._vectors.T
        out: Dict[str, Dict[str, float]] = {}
        k = min(top_k, len(self._ids))
        for i, q in enumerate(qids):
            allowed = top_ranked.get(q) if top_ranked else None
            row = scores[i]
            if allowed is not None:
                pos = {d: j for j, d in enumerate(self._ids)}
                out[q] = {d: float(row[pos[d]]) for d in allowed if d in pos}
                continue
            best = np.argpartition(-row, k - 1)[:k] if k else []
            out[q] = {self._ids[j]: float(row[j]) for j in best}
        return out

    def close(self) -> None:
        if self._index is not None:
            self._index.close()
            self._index = None
        if self._tmp is not None:
            self._tmp.cleanup()
            self._tmp = None


class LongembedEncoder:
    """mteb's EncoderProtocol over a longembed Model: encode takes mteb's data
    loader (batches of {"text": [...]}) and returns a numpy array."""

    def __init__(self, model: Any = "minilm", revision: Optional[str] = None, *,
                 name: Optional[str] = None, device: Optional[str] = None,
                 **model_options: Any):
        self.model = _as_model(model, model_options)
        self._name = name

    @property
    def mteb_model_meta(self) -> Any:
        return _model_meta(self.model, self._name)

    def encode(self, inputs: Iterable[Dict[str, Any]], *, task_metadata: Any = None,
               hf_split: str = "", hf_subset: str = "", prompt_type: Any = None,
               **kwargs: Any) -> np.ndarray:
        prefix = _prompt_prefix(self.model, prompt_type) if prompt_type is not None else None
        parts = []
        for batch in inputs:
            texts = batch["text"] if isinstance(batch, dict) else batch
            parts.append(self.model.encode(list(texts), prefix=prefix, truncate=True))
        if not parts:
            return np.empty((0, self.model.dim), dtype=np.float32)
        return np.concatenate(parts)

    def similarity(self, a: Any, b: Any) -> np.ndarray:
        return np.asarray(a, dtype=np.float32) @ np.asarray(b, dtype=np.float32).T

    def similarity_pairwise(self, a: Any, b: Any) -> np.ndarray:
        return np.sum(np.asarray(a, dtype=np.float32) * np.asarray(b, dtype=np.float32), axis=1)
