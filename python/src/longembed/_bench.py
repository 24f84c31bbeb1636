"""longembed.bench: the LongEmbed benchmark (le_bench_run) from Python."""
from __future__ import annotations

import json
from typing import Any, Dict, Optional

from . import _core
from ._model import Model


def bench(model: Optional[Model] = None, **options: Any) -> Dict[str, Any]:
    """Runs the benchmark and returns its JSON report as a dict.

    options as le_bench_options (docs/benchmark.md): tasks ("passkey,needle"),
    task_dir, lengths ("256,512"), extend ("none,pi"), retrievers
    ("dense,bm25,hybrid,rrf"), seed, n_queries, n_docs, haystack_dir, k,
    max_tokens, batch_tokens, cache (reuse embeddings), allow_fetch,
    passage_modes, ... Lists may be given as Python lists. model None: BM25
    only. The call cannot be interrupted (the benchmark has no cancel hook).
    """
    opts: Dict[str, Any] = {}
    for k, v in options.items():
        if isinstance(v, (list, tuple)):
            v = ",".join(str(x) for x in v)
        if isinstance(v, bool):
            v = int(v)
        opts[k] = v
    report = _core.bench(model._c if model is not None else None, opts)
    return json.loads(report)
