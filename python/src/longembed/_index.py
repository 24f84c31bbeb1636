"""longembed.Index: a retrieval index file (dense, BM25, hybrid, passages).

Writes go through one le_index_writer (the index's lock is held while the
Index has pending or recent writes; close() releases it); searches through an
le_index reader, reopened after each commit so that it sees the new version.
"""
from __future__ import annotations

import math
import os
import threading
from dataclasses import dataclass, field
from typing import Any, Dict, List, Optional, Sequence

import numpy as np

from . import _core
from ._model import Model, _texts


@dataclass
class HitPassage:
    """Where in a hit's document the match is (an index with passages)."""
    index: int           # the passage's number within its document
    byte_start: int
    byte_end: int
    token_start: int
    token_end: int
    score: float
    text: Optional[str]  # its text (None when the index stores no text)


@dataclass
class Hit:
    """One search result."""
    id: str
    score: float
    doc: int                      # document number in the searched snapshot
    title: Optional[str] = None
    source: Optional[str] = None
    text: Optional[str] = field(default=None, repr=False)
    dense: Optional[float] = None  # component scores where computed
    bm25: Optional[float] = None
    sparse: Optional[float] = None
    multi: Optional[float] = None
    passage: Optional[HitPassage] = None


@dataclass
class AddResult:
    """What add did with one document (as le_text_result says)."""
    id: str
    tokens: int
    tokens_in_text: int
    truncated: bool
    chunks: int


@dataclass
class IndexInfo:
    """le_index_info: counts, sizes and the identity (model) of an index."""
    docs: int
    deleted: int
    generation: int
    segments: int
    file_size: int
    passages: int
    model: Dict[str, Any]
    details: Dict[str, Any] = field(repr=False)


def _info(d: Dict[str, Any]) -> IndexInfo:
    return IndexInfo(d["docs"], d["deleted"], d["generation"], d["segments"], d["file_size"],
                     d["passages"], d["model"], d)


def verify(path: str, deep: bool = False) -> IndexInfo:
    """Checks every checksum and structure (deep: also BM25 postings and ids)."""
    return _info(_core.verify(os.fspath(path), deep))


class Index:
    """``Index("docs.lei", model=m)``: add, delete, search, compact, verify, info.

    model: the Model whose vectors the index holds (None: BM25 only, or an
    existing index searched by BM25). A new index records the model's
    options (extend, max_tokens, ...; those of the Model, or embed_options)
    as its identity; passages=N makes it hold passages of N tokens (0: the
    model's window). index_options: encoding ("f32", "int8"), hnsw_m,
    hnsw_ef_construction, hnsw_ef_search, hnsw_min_docs, store_text,
    stopwords, verify, threads, max_segments.
    """

    def __init__(self, path: str, model: Optional[Model] = None, *,
                 passages: Optional[int] = None, passage_overlap: Optional[int] = None,
                 passage_mode: Optional[str] = None,
                 embed_options: Optional[Dict[str, Any]] = None, **index_options: Any):
        self.path = os.fspath(path)
        self.model = model
        self._index_options = index_options
        self._embed_options = embed_options
        self._passages = None
        if passages is not None:
            self._passages = {"tokens": passages, "overlap": passage_overlap,
                              "mode": passage_mode}
        elif model is not None and model._passage_options is not None:
            self._passages = dict(model._passage_options)
        self._writer: Optional[_core.IndexWriter] = None
        self._reader: Optional[_core.IndexReader] = None
        self._lock = threading.RLock()

    # --------------------------------------------------------- plumbing
    def _w(self) -> _core.IndexWriter:
        if self._writer is None:
            m = self.model
            new = not os.path.exists(self.path)
            eo = None
            if m is not None and new:
                eo = m._options(self._embed_options or {})
            self._writer = _core.IndexWriter(
                self.path, m._c if (m is not None and new) else None, m.spec if m else None,
                eo, self._passages if new else None, self._index_options or None)
        return self._writer

    def _r(self) -> _core.IndexReader:
        if self._reader is None:
            keep = {k: v for k, v in self._index_options.items() if k in ("verify", "threads")}
            self._reader = _core.IndexReader(self.path, keep or None)
        return self._reader

    def _published(self) -> None:
        """After a commit: the next search opens the new version."""
        if self._reader is not None:
            self._reader.close()
            self._reader = None

    # --------------------------------------------------------- writes
    def add(self, ids: Sequence[str], texts: Sequence[str], *,
            titles: Optional[Sequence[str]] = None, sources: Optional[Sequence[str]] = None,
            truncate: bool = False, batch_tokens: Optional[int] = None,
            show_progress_bar: bool = False, commit: bool = True) -> List[AddResult]:
        """Embeds and adds documents (an id already there is replaced), then commits."""
        from ._model import _Progress
        ids_l, _ = _texts(ids)
        texts_l, _ = _texts(texts)
        if len(ids_l) != len(texts_l):
            raise ValueError(f"add: {len(ids_l)} ids for {len(texts_l)} texts")
        with self._lock:
            w = self._w()
            bar = _Progress(len(texts_l)) if show_progress_bar else None
            try:
                if self.model is None:
                    raise _core.Error("add: an Index without a model cannot embed texts")
                res = w.add_texts(self.model._c, ids_l, texts_l, titles, sources,
                                  {"truncate": int(truncate), "batch_tokens": batch_tokens},
                                  bar)
            finally:
                if bar is not None:
                    bar.close()
            if commit:
                self.commit()
        return [AddResult(str(i), *r[:2], bool(r[2]), r[3]) for i, r in zip(ids_l, res)]

    def add_vectors(self, ids: Sequence[str], texts: Sequence[str], vectors: np.ndarray, *,
                    titles: Optional[Sequence[str]] = None,
                    sources: Optional[Sequence[str]] = None, commit: bool = True) -> None:
        """Adds documents whose vectors were embedded elsewhere (the same model
        and options as the index's identity, e.g. by longembed.ray.embed)."""
        v = np.ascontiguousarray(vectors, dtype=np.float32)
        with self._lock:
            self._w().add_vectors(list(ids), list(texts), v, titles, sources)
            if commit:
                self.commit()

    def delete(self, ids: Sequence[str], commit: bool = True) -> int:
        """Deletes documents by id; returns how many were found."""
        ids_l, _ = _texts(ids)
        with self._lock:
            n = self._w().delete(ids_l)
            if commit:
                self.commit()
            return n

    def commit(self) -> None:
        with self._lock:
            if self._writer is not None:
                self._writer.commit()
                self._published()

    def compact(self) -> None:
        """Commits, then rewrites the index as one segment without deleted documents."""
        with self._lock:
            self._w().compact()
            self._published()

    # --------------------------------------------------------- reads
    def search(self, query: Optional[str] = None, k: int = 10, mode: Optional[str] = None, *,
               vector: Optional[np.ndarray] = None, with_text: bool = True,
               **search_options: Any) -> List[Hit]:
        """The best k documents for a query: mode "dense", "bm25", "hybrid"
        ("sparse", "multi" with a BGE-M3 index); search_options as
        le_search_options (fuse, dense_weight, bm25_weight, candidates, ef,
        exact, rerank, passage_topk, truncate, ...). vector: a query vector
        embedded elsewhere (the query text then serves BM25 only)."""
        so = dict(search_options, k=k, mode=mode)
        with self._lock:
            r = self._r()
            dense = None if vector is None else np.ascontiguousarray(vector, dtype=np.float32)
            model = self.model._c if (self.model is not None and dense is None) else None
            hits = r.search(query, dense, model, so, True)
            return [self._hit(r, h, with_text) for h in hits]

    def _hit(self, r: _core.IndexReader, h: tuple, with_text: bool) -> Hit:
        doc, score, dense, bm25, sparse, multi, p = h
        did, source, title, text, *_ = r.doc(doc)
        hp = None
        if p is not None:
            ptext = None
            if text is not None:
                ptext = text.encode("utf-8")[p[1]:p[2]].decode("utf-8", "replace")
            hp = HitPassage(p[0], p[1], p[2], p[3], p[4], p[5], ptext)
        return Hit(did, score, doc, title, source, text if with_text else None,
                   dense, bm25, sparse, multi, hp)

    def get(self, id: str) -> Optional[Dict[str, Any]]:
        """A document by id: id, source, title, text, tokens; None when absent."""
        with self._lock:
            r = self._r()
            d = r.find(id)
            if d < 0:
                return None
            did, source, title, text, tokens, tin, trunc = r.doc(d)
            return {"id": did, "source": source, "title": title, "text": text,
                    "tokens": tokens, "tokens_in_text": tin, "truncated": bool(trunc),
                    "passages": r.passages(d)}

    def __len__(self) -> int:
        with self._lock:
            return self._r().count

    def info(self) -> IndexInfo:
        with self._lock:
            return _info(self._r().info())

    def verify(self, deep: bool = False) -> IndexInfo:
        return verify(self.path, deep)

    def close(self) -> None:
        """Releases the writer's lock (uncommitted changes are dropped) and the reader."""
        with self._lock:
            if self._writer is not None:
                self._writer.close()
                self._writer = None
            self._published()

    def __enter__(self) -> "Index":
        return self

    def __exit__(self, *exc: Any) -> None:
        self.close()

    def __repr__(self) -> str:
        return f"longembed.Index({self.path!r})"
