#!/usr/bin/env bash
# The server's POST /search cut a query longer than the index's token limit
# to it without a word (the query options of an index say truncate), as
# `search` did. It now answers 413 naming the limit, unless the request
# says "truncate": true.
[ -x "$1/longembed" ] && "$1/longembed" serve -h > /dev/null 2>&1 || exit 77
exec python3 - "$1" <<'PY'
import os, shutil, subprocess, sys, tempfile
sys.path.insert(0, "tests/server")
from serverlib import Server, check, finish, TINY

build = sys.argv[1]
tmp = tempfile.mkdtemp()
ix = os.path.join(tmp, "ix")
subprocess.run([os.path.join(build, "longembed"), "index", "add", "--index", ix, "-m", TINY,
                "-q"], input='{"id":"a","text":"alpha"}\n', text=True, check=True)
srv = Server(build, "--index", ix)
long = "alpha " * 600
st, doc, _ = srv.post("/search", {"query": long, "k": 1})
check("a long query is refused", st == 413, (st, doc))
check("naming the limit", "exceed the limit of 512" in str(doc), doc)
st, doc, _ = srv.post("/search", {"query": long, "k": 1, "truncate": True})
check("truncate: true cuts it", st == 200, (st, doc))
st, doc, _ = srv.post("/search", {"query": "alpha", "k": 1})
check("a short query is fine", st == 200, (st, doc))
srv.stop()
shutil.rmtree(tmp)
finish("test_server_search_cuts_long_query.sh")
PY
