#!/usr/bin/env bash
# `longembed serve` blocked SIGTERM only when the server started, after the
# model's thread pool had started with it unblocked: a SIGTERM could land on
# a pool thread and kill the process (exit -15) instead of reaching sigwait,
# dropping the requests in flight (seen with a second SIGTERM while stopping).
# Fixed by blocking the signals before the model opens (le_srv_block_signals)
# and ignoring SIGTERM/SIGINT once stopping. Checks: a request in flight
# (half its body sent) across three SIGTERMs still gets its 200 once the rest
# arrives, and the exit status is 0.
BUILD=${1:?build dir}
exec python3 - "$BUILD" <<'PY'
import signal, socket, sys, time
sys.path.insert(0, "tests/server")
from serverlib import Server
srv = Server(sys.argv[1])
body = b'{"inputs": ["in flight across SIGTERM"]}'
s = socket.create_connection(("127.0.0.1", srv.port), timeout=30)
s.sendall(b"POST /embed HTTP/1.1\r\nHost: x\r\nContent-Length: %d\r\n\r\n" % len(body) + body[:10])
time.sleep(0.3)
for _ in range(3):  # several, so that one would reach a pool thread if any could
    srv.proc.send_signal(signal.SIGTERM)
    time.sleep(0.1)
try:
    s.sendall(body[10:])
    reply = s.recv(100)
except OSError as e:
    reply = repr(e).encode()
rc = srv.proc.wait(60)
print(f"exit {rc}, reply {reply[:40]!r}", file=sys.stderr)
sys.exit(0 if rc == 0 and reply.startswith(b"HTTP/1.1 200") else 1)
PY
