"""Ctrl-C (SIGINT) during a long encode (or Index.add) raises KeyboardInterrupt promptly,
without a crash, and the model still works afterwards. Run in a child
process so that the signal reaches nothing else."""
import subprocess
import sys
import textwrap

import pytest

CHILD = textwrap.dedent("""
    import os, signal, sys, tempfile, threading, time
    import longembed
    m = longembed.Model("minilm", threads=1, allow_fetch=False)
    ix = longembed.Index(os.path.join(tempfile.mkdtemp(), "i.lei"), model=m)
    texts = [f"text {i}: " + "the quick brown fox jumps " * 40 for i in range(5000)]  # minutes
    sent = []
    def interrupt():
        sent.append(time.perf_counter())
        os.kill(os.getpid(), signal.SIGINT)
    threading.Timer(1.0, interrupt).start()
    try:
        if sys.argv[1] == "encode":
            m.encode(texts, batch_tokens=512)
        else:
            ix.add([str(i) for i in range(len(texts))], texts, batch_tokens=512)
        print("NOT INTERRUPTED")
    except KeyboardInterrupt:
        print("interrupted after %.3f s" % (time.perf_counter() - sent[0]))
    v = m.encode(["still works"])
    print("after", v.shape)
""")


@pytest.mark.parametrize("call", ["encode", "index_add"])
def test_keyboard_interrupt_stops_the_call(call):
    p = subprocess.run([sys.executable, "-c", CHILD, call], capture_output=True, text=True,
                       timeout=120)
    assert p.returncode == 0, p.stderr
    lines = p.stdout.splitlines()
    assert lines[0].startswith("interrupted after"), p.stdout
    assert float(lines[0].split()[2]) < 5.0, p.stdout  # one forward batch, not minutes
    assert lines[1] == "after (1, 384)", p.stdout
