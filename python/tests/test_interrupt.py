"""Ctrl-C (SIGINT) during a long encode raises KeyboardInterrupt promptly,
without a crash, and the model still works afterwards. Run in a child
process so that the signal reaches nothing else."""
import subprocess
import sys
import textwrap

CHILD = textwrap.dedent("""
    import os, signal, threading, time
    import longembed
    m = longembed.Model("minilm", threads=1, allow_fetch=False)
    texts = [f"text {i}: " + "the quick brown fox jumps " * 40 for i in range(5000)]  # minutes
    sent = []
    def interrupt():
        sent.append(time.perf_counter())
        os.kill(os.getpid(), signal.SIGINT)
    threading.Timer(1.0, interrupt).start()
    try:
        m.encode(texts, batch_tokens=512)
        print("NOT INTERRUPTED")
    except KeyboardInterrupt:
        print("interrupted after %.3f s" % (time.perf_counter() - sent[0]))
    v = m.encode(["still works"])
    print("after", v.shape)
""")


def test_keyboard_interrupt_stops_encode():
    p = subprocess.run([sys.executable, "-c", CHILD], capture_output=True, text=True,
                       timeout=120)
    assert p.returncode == 0, p.stderr
    lines = p.stdout.splitlines()
    assert lines[0].startswith("interrupted after"), p.stdout
    assert float(lines[0].split()[2]) < 5.0, p.stdout  # one forward batch, not minutes
    assert lines[1] == "after (1, 384)", p.stdout
