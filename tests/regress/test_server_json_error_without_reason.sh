#!/usr/bin/env bash
# The server answered a body that cJSON refused for a reason it does not
# name (a lone UTF-16 surrogate escape, nesting beyond 1000 levels) with a
# bare "invalid JSON at byte N", as the CLI said "not a JSON object". Both
# now give the reason, through base's le_json_failure.
[ -x "$1/longembed" ] && "$1/longembed" serve -h > /dev/null 2>&1 || exit 77
exec python3 - "$1" <<'PY'
import sys
sys.path.insert(0, "tests/server")
from serverlib import Server, check, finish

srv = Server(sys.argv[1])
st, doc, _ = srv.post("/embed", b'{"inputs": "\\ud800 x"}')
check("lone surrogate: 400", st == 400, (st, doc))
check("lone surrogate: the reason", "unpaired UTF-16 surrogate" in str(doc), doc)
deep = b'{"inputs": "x", "n": ' + b"[" * 1100 + b"]" * 1100 + b"}"
st, doc, _ = srv.post("/embed", deep)
check("deep nesting: the reason", st == 400 and "nested deeper than 1000" in str(doc), (st, doc))
srv.stop()
finish("test_server_json_error_without_reason.sh")
PY
