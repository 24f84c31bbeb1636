"""longembed.Model: a sentence-transformers-like front over the C library.

Every embedding call goes to the C library with the GIL released; vectors
are written by the library straight into the numpy array encode returns.
"""
from __future__ import annotations

import os
from dataclasses import dataclass, field
from typing import Any, Dict, Iterable, List, Optional, Sequence, Union

import numpy as np

from . import _core

Error = _core.Error

# options of le_embed_options a Model keeps as its defaults (encode may override)
_EMBED_KEYS = (
    "prefix", "max_tokens", "truncate", "normalize", "batch_tokens", "extend", "attn_scale",
    "position_stride", "pooling", "ntk_lambda", "rope_factor", "se_group", "se_window",
    "rotary_scaling_factor",
)
_OUTPUTS = ("dense", "sparse", "colbert")


@dataclass
class Passage:
    """One passage of a text: where it is and its vector."""
    text: str                  # the passage's own text
    byte_start: int            # its bytes in the text's UTF-8
    byte_end: int
    token_start: int           # its tokens among the text's own
    token_end: int
    exact: bool                # its bytes tokenized alone give exactly these tokens
    vector: np.ndarray = field(repr=False)


@dataclass
class M3Output:
    """BGE-M3's three outputs of one text (FlagEmbedding's BGEM3FlagModel)."""
    dense: np.ndarray
    lexical_weights: Dict[str, float]     # token id (as str, like FlagEmbedding) -> weight
    colbert_vecs: np.ndarray              # (tokens, colbert_dim)


def _spec(model: str) -> str:
    """How the model can be opened again (an index records it): a directory
    becomes absolute, an alias stays as it is."""
    return os.path.abspath(model) if os.path.isdir(model) else model


def _texts(texts: Union[str, bytes, Sequence[Any]]) -> tuple:
    """(list, single): one str/bytes becomes a list of one."""
    if isinstance(texts, (str, bytes)):
        return [texts], True
    if texts is None:
        raise TypeError("texts: expected a str or a list of str, got None")
    return list(texts), False


class _Progress:
    """A tqdm bar if tqdm is installed, else a line on stderr; fed by the C
    library's progress callback (tokens done and in all)."""

    def __init__(self, total_texts: int):
        try:
            from tqdm.auto import tqdm  # optional
            self.bar = tqdm(total=1, unit="tok", desc="encode")
        except ImportError:
            self.bar = None
        self.n = total_texts

    def __call__(self, done: int, total: int) -> None:
        if self.bar is not None:
            self.bar.total = total
            self.bar.n = done
            self.bar.refresh()
        else:
            import sys
            sys.stderr.write(f"\rencode: {done}/{total} tokens")
            if done >= total:
                sys.stderr.write("\n")

    def close(self) -> None:
        if self.bar is not None:
            self.bar.close()


class Model:
    """An embedding model: ``Model("minilm", extend="pi", max_tokens=8192)``.

    model: an alias (``longembed.aliases()``) or a Hugging Face model
    directory. extend, max_tokens, prefix, normalize, truncate, pooling,
    batch_tokens and the method parameters (ntk_lambda, rope_factor,
    se_group, se_window, rotary_scaling_factor, attn_scale, position_stride)
    are the defaults of every encode. passages=N embeds each text as
    passages of N tokens (0: the model's window) and encode returns each
    text's document vector (the mean of its passages); encode_passages gives
    the passages themselves. One Model may be used from several threads: its
    calls take turns (the C library allows one at a time per model); open one
    Model per thread to run them in parallel.
    """

    def __init__(self, model: str = "minilm", *, extend: Optional[str] = None,
                 max_tokens: Optional[int] = None, precision: Optional[str] = None,
                 threads: int = 0, passages: Optional[int] = None,
                 passage_overlap: Optional[int] = None, passage_mode: Optional[str] = None,
                 isa: Optional[str] = None, cache_dir: Optional[str] = None,
                 allow_fetch: bool = True, **embed_options: Any):
        unknown = set(embed_options) - set(_EMBED_KEYS)
        if unknown:
            raise TypeError(f"Model: unknown option(s) {sorted(unknown)}")
        self.spec = _spec(model)
        self._c = _core.Model(self.spec, threads=threads, isa=isa, cache_dir=cache_dir,
                              allow_fetch=allow_fetch, precision=precision)
        self._defaults: Dict[str, Any] = dict(embed_options)
        self._defaults["extend"] = extend
        self._defaults["max_tokens"] = max_tokens
        self.passages = passages
        self._passage_options = None
        if passages is not None:
            self._passage_options = {"tokens": int(passages), "overlap": passage_overlap,
                                     "mode": passage_mode}

    # ------------------------------------------------------------ basics
    @property
    def dim(self) -> int:
        return self._c.dim

    def get_sentence_embedding_dimension(self) -> int:
        """sentence-transformers' name for dim."""
        return self._c.dim

    @property
    def closed(self) -> bool:
        return self._c.closed

    def info(self) -> Dict[str, Any]:
        """le_model_info as a dict (architecture, window, pooling, methods, isa, …)."""
        return self._c.info()

    @property
    def has_m3(self) -> bool:
        """The model has BGE-M3's sparse and ColBERT heads."""
        return self._c.has_m3

    def tokenize(self, text: Union[str, bytes], add_special: bool = True) -> List[int]:
        """The token ids of one text (with the model's special tokens)."""
        return self._c.tokenize(text, add_special)

    def token_piece(self, token_id: int) -> Optional[str]:
        return self._c.token_piece(token_id)

    def prefix(self, name: str) -> Optional[str]:
        """The prefix a preset stands for ("query", "passage", "e5-query", "bge-query", "none")."""
        return self._c.prefix(name)

    def close(self) -> None:
        """Frees the model (waits for a call running on another thread)."""
        self._c.close()

    def __enter__(self) -> "Model":
        return self

    def __exit__(self, *exc: Any) -> None:
        self.close()

    def __repr__(self) -> str:
        return f"longembed.Model({self.spec!r}{', closed' if self.closed else ''})"

    # ------------------------------------------------------------ options
    def _options(self, overrides: Dict[str, Any]) -> Dict[str, Any]:
        o = {k: v for k, v in self._defaults.items() if v is not None}
        for k, v in overrides.items():
            if v is not None:
                o[k] = v
        p = o.get("prefix")
        if p is not None:
            # a preset name ("query", "passage", ...) stands for its text
            o["prefix"] = self._c.prefix(p)
        if isinstance(o.get("normalize"), bool):
            o["normalize"] = int(o["normalize"])
        if isinstance(o.get("truncate"), bool):
            o["truncate"] = int(o["truncate"])
        return o

    # ------------------------------------------------------------ encode
    def encode(self, sentences: Union[str, bytes, Sequence[Union[str, bytes]]] = None, *,
               batch_size: Optional[int] = None, show_progress_bar: Optional[bool] = None,
               output: Union[str, Sequence[str]] = "dense",
               convert_to_numpy: bool = True, convert_to_tensor: bool = False,
               normalize_embeddings: Optional[bool] = None, prompt: Optional[str] = None,
               prompt_name: Optional[str] = None, device: Optional[str] = None,
               precision: str = "float32", output_value: Optional[str] = "sentence_embedding",
               texts: Any = None, results: bool = False, **options: Any) -> Any:
        """Embeds texts into a float32 numpy array (N, dim); one text → (dim,).

        As sentence-transformers: batch_size (texts per call into the library;
        default: all at once, batched by batch_tokens), show_progress_bar,
        normalize_embeddings, prompt (a prefix), prompt_name ("query",
        "passage": the model's own prefixes), convert_to_numpy (False: a list
        of arrays). longembed's own: prefix, normalize, truncate, max_tokens,
        extend, batch_tokens, pooling and the method parameters (per call,
        over the Model's defaults); output="dense", or any of "dense",
        "sparse", "colbert" for a BGE-M3 model (a dict of lists per output);
        results=True also returns the per-text token counts.
        """
        if texts is not None:
            sentences = texts
        items, single = _texts(sentences)
        unknown = set(options) - set(_EMBED_KEYS)
        if unknown:
            raise TypeError(f"encode: unknown option(s) {sorted(unknown)}")
        if convert_to_tensor:
            raise ValueError("encode: convert_to_tensor needs torch; longembed returns numpy")
        if device not in (None, "cpu"):
            raise ValueError(f"encode: device {device!r}: longembed runs on the CPU")
        if precision != "float32":
            raise ValueError("encode: precision other than float32: open the Model with "
                             "precision='bf16' or 'int8' (the matrix products)")
        if output_value not in (None, "sentence_embedding"):
            raise ValueError(f"encode: output_value {output_value!r}: use output=('colbert',)")
        if prompt is None and prompt_name is not None:
            prompt = self._c.prefix(prompt_name)
        if prompt is not None:
            options["prefix"] = prompt
        if normalize_embeddings is not None and options.get("normalize") is None:
            options["normalize"] = bool(normalize_embeddings)
        outputs = (output,) if isinstance(output, str) else tuple(output)
        bad = [o for o in outputs if o not in _OUTPUTS]
        if bad or not outputs:
            raise ValueError(f"encode: output {bad or outputs}: choose from {_OUTPUTS}")
        opts = self._options(options)
        bar = _Progress(len(items)) if show_progress_bar else None
        try:
            if outputs != ("dense",):
                out = self._encode_m3(items, opts, outputs, bar)
                return {k: v[0] for k, v in out.items()} if single else out
            vecs, res = self._encode_dense(items, opts, batch_size, bar)
        finally:
            if bar is not None:
                bar.close()
        if single:
            vecs, res = vecs[0], res[0] if res is not None else None
        if not convert_to_numpy and not single:
            vecs = list(vecs)
        return (vecs, res) if results else vecs

    def _encode_dense(self, items: list, opts: dict, batch_size: Optional[int], bar: Any):
        n = len(items)
        out = np.empty((n, self.dim), dtype=np.float32)
        res = np.empty((n, 4), dtype=np.int32)
        if self._passage_options is not None:
            docs, _, _, rl = self._c.embed_passages(items, opts, self._passage_options, bar)
            out[:] = np.frombuffer(docs, dtype=np.float32).reshape(n, self.dim)
            res[:] = np.asarray(rl, dtype=np.int32).reshape(n, 4)
            return out, res
        step = n if not batch_size or batch_size <= 0 else int(batch_size)
        for i in range(0, n, step or 1):
            # rows of out are written in place by the C library (no copy)
            self._c.embed(items[i:i + step], out[i:i + step], res[i:i + step], opts, bar)
        return out, res

    def _encode_m3(self, items: list, opts: dict, outputs: tuple, bar: Any) -> Dict[str, list]:
        rows = self._c.embed_m3(items, opts, bar)
        got: Dict[str, list] = {o: [] for o in outputs}
        for dense, ids, weights, col, n_col, col_dim in rows:
            if "dense" in got:
                got["dense"].append(np.frombuffer(dense, dtype=np.float32))
            if "sparse" in got:
                got["sparse"].append({str(i): w for i, w in zip(ids, weights)})
            if "colbert" in got:
                got["colbert"].append(np.frombuffer(col, dtype=np.float32).reshape(n_col, col_dim))
        if "dense" in got:
            got["dense"] = np.stack(got["dense"]) if got["dense"] else \
                np.empty((0, self.dim), np.float32)
        return got

    def encode_m3(self, texts: Sequence[str], **options: Any) -> List[M3Output]:
        """BGE-M3's dense, lexical (sparse) and ColBERT outputs of each text."""
        items, _ = _texts(texts)
        got = self._encode_m3(items, self._options(options), _OUTPUTS, None)
        return [M3Output(got["dense"][i], got["sparse"][i], got["colbert"][i])
                for i in range(len(items))]

    def encode_passages(self, texts: Sequence[str], *, passages: Optional[int] = None,
                        overlap: Optional[int] = None, mode: Optional[str] = None,
                        show_progress_bar: bool = False, **options: Any) -> List[List[Passage]]:
        """Each text's passages (le_embed_passages): spans, their text and vectors."""
        items, _ = _texts(texts)
        po = dict(self._passage_options or {})
        for k, v in (("tokens", passages), ("overlap", overlap), ("mode", mode)):
            if v is not None:
                po[k] = v
        bar = _Progress(len(items)) if show_progress_bar else None
        try:
            _, vecs, spans, _ = self._c.embed_passages(items, self._options(options), po, bar)
        finally:
            if bar is not None:
                bar.close()
        v = np.frombuffer(vecs, dtype=np.float32).reshape(len(spans), self.dim)
        out: List[List[Passage]] = [[] for _ in items]
        for j, (t, bs, be, ts, te, exact) in enumerate(spans):
            raw = items[t] if isinstance(items[t], bytes) else items[t].encode("utf-8")
            out[t].append(Passage(raw[bs:be].decode("utf-8", "replace"), bs, be, ts, te,
                                  bool(exact), v[j]))
        return out

    # LangChain-like conveniences on the Model itself
    def encode_query(self, queries: Any, **kw: Any) -> Any:
        """encode with the model's query prefix."""
        return self.encode(queries, prompt_name="query", **kw)

    def encode_document(self, docs: Any, **kw: Any) -> Any:
        """encode with the model's passage prefix."""
        return self.encode(docs, prompt_name="passage", **kw)
