"""The GIL is released around the C calls: Python code runs while a thread
is inside encode, and two threads' encodes progress at the same time. Both
checks count events, not speed, so they hold on a busy 2-core machine."""
import threading
import time

import numpy as np

import longembed

TEXTS = [" ".join(f"w{i}x{j}" for j in range(60)) for i in range(64)]


def test_python_runs_while_encode_is_in_c():
    m = longembed.Model("minilm", threads=1, allow_fetch=False)
    done = threading.Event()
    span = []

    def work():
        t0 = time.perf_counter()
        m.encode(TEXTS * 4)  # one C call, no Python callback (not the main thread)
        span.append(time.perf_counter() - t0)
        done.set()

    t = threading.Thread(target=work)
    t.start()
    gaps, last, ticks = [], time.perf_counter(), 0
    while not done.is_set():  # the main thread's Python loop
        now = time.perf_counter()
        gaps.append(now - last)
        last, ticks = now, ticks + 1
    t.join()
    m.close()
    # with the GIL held for the call, the loop would stall for its whole length
    assert span[0] > 0.05, "encode too short to show anything"
    assert max(gaps) < span[0] / 2, (max(gaps), span[0])
    assert ticks > 100


def test_two_threads_embed_at_once():
    models = [longembed.Model("minilm", threads=1, allow_fetch=False) for _ in range(2)]
    events, lock = [], threading.Lock()
    out = [None, None]
    barrier = threading.Barrier(2)

    def work(k):
        def progress(done, total):
            with lock:
                events.append(k)
        barrier.wait()
        out[k] = _encode_with_progress(models[k], progress)

    threads = [threading.Thread(target=work, args=(k,)) for k in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    for m in models:
        m.close()
    # progress callbacks come once per forward batch from inside each C call:
    # if one call held the GIL, all its batches would come before the other's
    switches = sum(1 for a, b in zip(events, events[1:]) if a != b)
    assert switches >= 2, events
    assert np.array_equal(out[0], out[1])


def _encode_with_progress(model, progress):
    """encode with a progress callable (the _core call, as encode makes it)."""
    out = np.empty((len(TEXTS), model.dim), dtype=np.float32)
    model._c.embed(TEXTS, out, None, {"batch_tokens": 64}, progress)
    return out


def test_one_model_shared_by_threads():
    m = longembed.Model("minilm", threads=1, allow_fetch=False)
    ref = m.encode(TEXTS[:8])
    res = [None] * 4

    def work(k):
        res[k] = m.encode(TEXTS[:8], batch_size=3)

    threads = [threading.Thread(target=work, args=(k,)) for k in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert all(np.array_equal(r, ref) for r in res)
    m.close()
