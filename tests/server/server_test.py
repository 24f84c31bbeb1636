"""The server end to end (run by test_server.sh with the build directory)."""
import base64
import json
import os
import signal
import socket
import struct
import sys
import tempfile
import threading
import time

sys.path.insert(0, os.path.dirname(__file__))
from serverlib import Server, check, cli_vectors, finish, max_diff  # noqa: E402

BUILD = sys.argv[1]
TMP = tempfile.mkdtemp()
TEXTS = ["The cat sat on the mat.", "Dogs bark at night", "héllo wörld ✓", "a"]


def vectors(srv):
    """/v1/embeddings (float and base64) and /embed equal `longembed embed`."""
    want = cli_vectors(BUILD, TEXTS)
    st, doc, _ = srv.post("/v1/embeddings", {"input": TEXTS, "model": "any"})
    check("embeddings 200", st == 200, doc)
    got = [d["embedding"] for d in doc["data"]]
    check("float vectors = embed's", all(max_diff(a, b) <= 1e-6 for a, b in zip(got, want)))
    check("indexes in order", [d["index"] for d in doc["data"]] == [0, 1, 2, 3])
    check("usage", doc["usage"]["prompt_tokens"] == doc["usage"]["total_tokens"] > 0, doc["usage"])
    st, doc, _ = srv.post("/v1/embeddings", {"input": TEXTS, "encoding_format": "base64"})
    dec = [list(struct.unpack("<%df" % (len(base64.b64decode(d["embedding"])) // 4),
                              base64.b64decode(d["embedding"]))) for d in doc["data"]]
    check("base64 vectors = embed's", all(max_diff(a, b) <= 1e-6 for a, b in zip(dec, want)))
    st, doc, _ = srv.post("/v1/embeddings", {"input": TEXTS[0]})
    check("one string", st == 200 and max_diff(doc["data"][0]["embedding"], want[0]) <= 1e-6)
    st, doc, _ = srv.post("/embed", {"inputs": TEXTS})
    check("TEI /embed = embed's", st == 200 and all(max_diff(a, b) <= 1e-6 for a, b in zip(doc, want)))
    st, doc, _ = srv.post("/embed", {"inputs": TEXTS[1], "normalize": False})
    raw = cli_vectors(BUILD, TEXTS[1:2], "--no-normalize")[0]
    check("TEI normalize false", st == 200 and max_diff(doc[0], raw) <= 1e-6)
    st, tok, _ = srv.post("/tokenize", {"inputs": "hello world"})
    check("tokenize", st == 200 and tok[0][0]["special"] and tok[0][0]["text"] == "[CLS]" and
          not tok[0][1]["special"], tok)
    own = tok[0][1:-1]
    check("tokenize: TEI's byte offsets, text = the input's bytes", tok[0][0]["start"] is None and
          own[0]["start"] == 0 and own[-1]["stop"] == 11 and
          all(t["text"] == "hello world"[t["start"]:t["stop"]] and t["stop"] > t["start"]
              for t in own), tok)
    st, tok2, _ = srv.post("/tokenize", {"inputs": "héllo ✓", "add_special_tokens": False})
    raw = "héllo ✓".encode()
    check("tokenize: offsets are bytes", st == 200 and tok2[0][-1]["stop"] == len(raw) and
          all(raw[t["start"]:t["stop"]].decode() == t["text"] for t in tok2[0]), tok2)
    ids = [t["id"] for t in tok[0][1:-1]]
    st, doc, _ = srv.post("/v1/embeddings", {"input": [ids]})
    check("token input = text input", st == 200 and
          max_diff(doc["data"][0]["embedding"], cli_vectors(BUILD, ["hello world"])[0]) <= 1e-6)
    st, doc, _ = srv.post("/v1/embeddings", {"input": "x " * 600, "truncate": True, "max_tokens": 16})
    check("truncate", st == 200 and doc["data"][0]["tokens"] == 16 and doc["data"][0]["truncated"])


def concurrent_tokens(srv):
    """Token-array requests at once (packed together by the worker) give
    the vectors they give alone."""
    texts = ["hello world %d " % i * (1 + i % 5) for i in range(12)]
    ids = [[t["id"] for t in srv.post("/tokenize", {"inputs": x, "add_special_tokens": False})[1][0]]
           for x in texts]
    want = [srv.post("/v1/embeddings", {"input": [i]})[1]["data"][0]["embedding"] for i in ids]
    got = [None] * len(ids)

    def one(k):
        got[k] = srv.post("/v1/embeddings", {"input": [ids[k]]})[1]["data"][0]["embedding"]

    for _ in range(3):
        threads = [threading.Thread(target=one, args=(k,)) for k in range(len(ids))]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        check("concurrent token inputs = alone", all(max_diff(a, b) <= 1e-6 for a, b in zip(got, want)))


def expect(srv, name, status, path, body, word=None, headers=None):
    st, doc, hdr = srv.post(path, body, headers=headers)
    msg = json.dumps(doc)
    check(name, st == status and (word is None or word in msg), f"{st} {msg[:300]}")
    return doc, hdr


def bad_inputs(srv):
    """Each bad input gets its status and a message that says what."""
    expect(srv, "malformed JSON names the byte", 400, "/v1/embeddings", b'{"input": ["a",]}', "byte 15")
    expect(srv, "not an object", 400, "/v1/embeddings", b'[1,2]', "object")
    expect(srv, "empty body", 400, "/v1/embeddings", b'', "empty")
    expect(srv, "trailing bytes", 400, "/v1/embeddings", b'{"input":"a"} x', "after")
    expect(srv, "input a number", 400, "/v1/embeddings", {"input": 5}, "input")
    expect(srv, "input mixed", 400, "/v1/embeddings", {"input": ["a", 3]}, "input'[1]")
    expect(srv, "missing input", 400, "/v1/embeddings", {"model": "m"}, "required")
    expect(srv, "empty input array", 400, "/v1/embeddings", {"input": []}, "empty")
    expect(srv, "TEI empty inputs", 400, "/embed", {"inputs": []}, "empty")
    expect(srv, "bad encoding", 400, "/v1/embeddings", {"input": "a", "encoding_format": "hex"})
    expect(srv, "truncate a string", 400, "/v1/embeddings", {"input": "a", "truncate": "yes"})
    expect(srv, "dimensions", 400, "/v1/embeddings", {"input": "a", "dimensions": 8}, "dimensions")
    expect(srv, "bad extend", 400, "/v1/embeddings", {"input": "a", "extend": "warp"}, "extend")
    expect(srv, "bad token id", 400, "/v1/embeddings", {"input": [[1, -2]]}, "token id")
    expect(srv, "token id past the vocabulary", 400, "/v1/embeddings", {"input": [[10 ** 8]]})
    expect(srv, "invalid UTF-8", 400, "/v1/embeddings", b'{"input": ["ok", "bad \xff\xfe"]}', "UTF-8")
    expect(srv, "lone surrogate", 400, "/v1/embeddings", b'{"input": "\\udc00"}', "JSON")
    doc, _ = expect(srv, "OpenAI error shape", 400, "/v1/embeddings", {"input": []})
    check("error fields", set(doc["error"]) == {"message", "type", "param", "code"} and
          doc["error"]["param"] == "input", doc)
    doc, _ = expect(srv, "TEI error shape", 400, "/embed", {"inputs": 1})
    check("TEI error fields", set(doc) == {"error", "error_type"}, doc)
    big_body(srv)
    one_mb = "lorem ipsum dolor sit amet " * 40000
    expect(srv, "1 MB string without truncate: 413 with its index", 413, "/v1/embeddings",
           {"input": ["short", one_mb]}, "input[1]")
    expect(srv, "too long for the window: 413", 413, "/embed", {"inputs": ["a", "b " * 700]}, "inputs[1]")
    st, doc, _ = srv.post("/v1/embeddings", {"input": one_mb, "truncate": True})
    check("1 MB string with truncate", st == 200 and doc["data"][0]["truncated"], st)
    expect(srv, "unknown route: 404", 404, "/v2/nothing", {})
    st, _, hdr = srv.request("GET", "/v1/embeddings")
    check("wrong method: 405 with Allow", st == 405 and hdr.get("Allow") == "POST", (st, hdr))
    expect(srv, "embed_sparse: 424", 424, "/embed_sparse", {"inputs": "a"}, "sparse")
    models(srv)
    check("serves after the bad inputs", srv.alive())


def models(srv):
    """GET /v1/models/{id}: the served model, 404 for another, 405 for POST."""
    st, doc, _ = srv.request("GET", "/v1/models")
    name = doc["data"][0]["id"]
    st, doc, _ = srv.request("GET", "/v1/models/" + name)
    check("GET /v1/models/{id}", st == 200 and doc == {"id": name, "object": "model", "created": 0,
                                                        "owned_by": "longembed"}, (st, doc))
    st, doc, _ = srv.request("GET", "/v1/models/gpt-4")
    check("GET /v1/models/{other}: 404", st == 404 and "does not exist" in json.dumps(doc), (st, doc))
    st, doc, hdr = srv.request("POST", "/v1/models/" + name)
    check("POST /v1/models/{id}: 405", st == 405 and hdr.get("Allow") == "GET", (st, doc))
    st, doc, _ = srv.request("GET", "/v1/models/")
    check("GET /v1/models/ (no id): 404", st == 404, (st, doc))


def raw_socket(srv):
    s = socket.create_connection(("127.0.0.1", srv.port), timeout=20)
    return s


def big_body(srv):
    """A 10 MB body against a 4 MiB limit: 413 on the headers alone, before
    the body is read (a client that sends on regardless sees the connection
    closed)."""
    s = raw_socket(srv)
    s.sendall(b"POST /v1/embeddings HTTP/1.1\r\nHost: x\r\nContent-Length: 10485760\r\n\r\n")
    reply = s.recv(4096)
    s.close()
    check("10 MB body: 413 at once", reply.startswith(b"HTTP/1.1 413") and b"limit" in reply, reply[:200])
    try:
        srv.post("/v1/embeddings", b'{"input": "' + b"word " * (2 * 1024 * 1024) + b'"}')
    except OSError:
        pass  # the server closed while we were sending
    check("serves after a 10 MB body", srv.alive())


def chunked_too_large(srv):
    """A chunked body (no Content-Length) past the limit is 413 too."""
    s = raw_socket(srv)
    s.sendall(b"POST /v1/embeddings HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n")
    chunk = b"a" * 65536
    try:
        for _ in range(80):  # 5 MB against a 4 MiB limit
            s.sendall(b"%x\r\n%s\r\n" % (len(chunk), chunk))
        s.sendall(b"0\r\n\r\n")
        reply = s.recv(4096)
    except OSError:
        reply = b"(reset)"
    s.close()
    check("chunked body over the limit: 413", reply.startswith(b"HTTP/1.1 413"), reply[:80])
    # past twice the limit the server stops reading: the connection is closed
    s = raw_socket(srv)
    s.sendall(b"POST /v1/embeddings HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n")
    try:
        for _ in range(200):  # 12.5 MB against a 4 MiB limit
            s.sendall(b"%x\r\n%s\r\n" % (len(chunk), chunk))
        s.sendall(b"0\r\n\r\n")
        reply = s.recv(4096)
    except OSError:
        reply = b""
    s.close()
    check("endless chunked body: closed, not read on", reply == b"", reply[:80])
    check("serves after an endless chunked body", srv.alive())


def stalled_and_vanishing(srv):
    """A client that stalls after its headers is cut off by the timeout,
    one that goes away mid-body is forgotten; others are served meanwhile."""
    stall = raw_socket(srv)
    stall.sendall(b"POST /v1/embeddings HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\n{\"in")
    gone = raw_socket(srv)
    gone.sendall(b"POST /embed HTTP/1.1\r\nHost: x\r\nContent-Length: 1000\r\n\r\n{\"inputs\": \"abc")
    gone.close()
    t0 = time.time()
    st, _, _ = srv.post("/embed", {"inputs": "served while another stalls"})
    check("served while a client stalls", st == 200 and time.time() - t0 < 5, st)
    try:
        got = stall.recv(100)  # the server closes it after --timeout (2 s)
    except OSError:
        got = b""
    waited = time.time() - t0
    check("stalled client cut off by the timeout", got == b"" and waited < 15, (got, waited))
    stall.close()
    # headers alone, never finished
    half = raw_socket(srv)
    half.sendall(b"GET /health HTTP/1.1\r\nHost: x\r\n")
    half.close()
    check("serves after stalled and vanished clients", srv.alive())


def concurrent_index(srv):
    """Adds and searches at once: every search answers from a complete
    version (its document count never goes down, never 5xx) and no
    document is lost."""
    errors, seen = [], []
    n_writers, batches, per = 3, 6, 4

    def writer(w):
        for b in range(batches):
            docs = [{"id": f"w{w}-{b}-{i}", "text": f"document {w} {b} {i} about cats and dogs"}
                    for i in range(per)]
            st, doc, _ = srv.post("/index/add", {"documents": docs})
            if st != 200:
                errors.append(("add", st, doc))

    def searcher(mode):
        last = -1
        for _ in range(25):
            st, doc, _ = srv.post("/search", {"query": "cats and dogs", "mode": mode, "k": 5})
            if st != 200:
                errors.append(("search", st, doc))
                continue
            if doc["docs"] < last:
                errors.append(("went back", last, doc["docs"]))
            last = doc["docs"]
            seen.append(doc["docs"])

    threads = [threading.Thread(target=writer, args=(w,)) for w in range(n_writers)]
    threads += [threading.Thread(target=searcher, args=(m,)) for m in ("dense", "bm25", "hybrid")]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    check("concurrent adds and searches all answered", not errors, errors[:3])
    st, info, _ = srv.request("GET", "/info")
    docs = info["indexes"][0]["docs"]
    check("no document lost", docs == n_writers * batches * per, docs)
    st, doc, _ = srv.post("/search", {"query": "cats and dogs", "k": 2})
    check("dense hits name their best passage", st == 200 and len(doc["hits"]) == 2 and
          all(h["passage"]["index"] == 0 and "cats" in h["passage"]["text"] for h in doc["hits"]), doc)
    st, doc, _ = srv.post("/search", {"query": "cats", "mode": "bm25", "k": 3, "id_prefix": "w1-"})
    check("id prefix filter", st == 200 and len(doc["hits"]) == 3 and
          all(h["id"].startswith("w1-") for h in doc["hits"]), doc)
    for k, prefix, want in ((2, "w2-5-", 2), (10, "w2-5-", 4), (3, "zzz", 0)):
        st, doc, _ = srv.post("/search", {"query": "cats and dogs", "k": k, "id_prefix": prefix})
        check(f"id prefix {prefix} k={k}: {want} hits", st == 200 and len(doc["hits"]) == want and
              all(h["id"].startswith(prefix) for h in doc["hits"]), doc)
    st, doc, _ = srv.post("/index/delete", {"ids": ["w0-0-0", "nope"]})
    check("delete", st == 200 and doc["deleted"] == 1 and doc["docs"] == docs - 1, doc)
    expect(srv, "add without text", 400, "/index/add", {"documents": [{"id": "x"}]}, "text")
    expect(srv, "search unknown index", 404, "/search", {"query": "a", "index": "nope"})
    expect(srv, "search sparse mode without sparse weights", 400, "/search",
           {"query": "a", "mode": "sparse"}, "learned-sparse")


def reload_and_signals(srv, index):
    """SIGHUP and /index/reload see a commit made by another process."""
    before = srv.request("GET", "/info")[1]["indexes"][0]["docs"]
    doc = os.path.join(TMP, "extra.txt")
    with open(doc, "w") as f:
        f.write("an extra document from the command line")
    import subprocess
    subprocess.run([os.path.join(BUILD, "longembed"), "index", "add", "-q", "--index", index, doc],
                   check=True, capture_output=True)
    st, doc, _ = srv.post("/index/reload", b"")
    check("reload sees the CLI's commit", st == 200 and doc["indexes"][0]["docs"] == before + 1, doc)
    srv.proc.send_signal(signal.SIGHUP)
    time.sleep(0.3)
    check("serves after SIGHUP", srv.alive())
    st, text, _ = srv.request("GET", "/metrics")
    check("metrics", st == 200 and 'longembed_requests_total{route="/v1/embeddings",status="200"}' in text
          and "longembed_tokens_embedded_total" in text and "longembed_batch_texts_bucket" in text)


def queue_full():
    """A queue of one: the rest get 429 with Retry-After, nobody anything else."""
    srv = Server(BUILD, "--max-queue", "1", "--threads", "1")
    statuses, retry = [], []
    body = {"input": ["word " * 400] * 16}

    def client():
        st, _, hdr = srv.post("/v1/embeddings", body)
        statuses.append(st)
        if st == 429:
            retry.append(hdr.get("Retry-After"))

    threads = [threading.Thread(target=client) for _ in range(12)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    check("only 200 and 429", set(statuses) <= {200, 429}, statuses)
    check("some 429 with Retry-After", 429 in statuses and all(retry), statuses)
    check("some 200", 200 in statuses, statuses)
    check("serves after the burst", srv.alive())
    check("SIGTERM: exit 0", srv.stop() == 0, getattr(srv, "err", ""))


def shutdown_in_flight():
    """SIGTERM while a request is in flight (half its body sent): new
    connections are refused, the request is still answered once its body
    is complete, and the server exits 0."""
    srv = Server(BUILD)
    body = b'{"inputs": ["answered after SIGTERM"]}'
    s = raw_socket(srv)
    s.sendall(b"POST /embed HTTP/1.1\r\nHost: x\r\nContent-Length: %d\r\n\r\n" % len(body)
              + body[:10])
    time.sleep(0.3)
    srv.proc.send_signal(signal.SIGTERM)
    time.sleep(0.3)
    try:
        socket.create_connection(("127.0.0.1", srv.port), timeout=5).close()
        refused = False
    except OSError:
        refused = True
    s.sendall(body[10:])
    reply = s.recv(200)
    s.close()
    rc = srv.stop()
    check("no new connections after SIGTERM", refused)
    check("the request in flight gets its 200", reply.startswith(b"HTTP/1.1 200"), reply[:80])
    check("then exit 0", rc == 0, srv.err[-300:])


def metric(srv, name):
    text = srv.request("GET", "/metrics")[1]
    for line in text.splitlines():
        if line.startswith(name + " "):
            return float(line.split()[1])
    return 0.0


def fair_scheduling():
    """A request of many texts runs in pieces of the token budget, and a
    short request that comes later is answered between them, long before
    the large one ends; the large one's results stay in input order. A
    client that leaves has the rest of its texts skipped."""
    srv = Server(BUILD, "--max-batch-tokens", "256")
    texts = ["word %d " % i * 60 for i in range(1024)]  # about 120 tokens each
    done = {}

    def big():
        st, doc, _ = srv.post("/v1/embeddings", {"input": texts}, timeout=600)
        done["big"] = (time.time(), st, doc)

    before = metric(srv, "longembed_texts_embedded_total")
    t = threading.Thread(target=big)
    t.start()
    for _ in range(600):  # until the large request's first pieces are done
        if metric(srv, "longembed_texts_embedded_total") > before or "big" in done:
            break
        time.sleep(0.05)
    st, doc, _ = srv.post("/v1/embeddings", {"input": "a short request"})
    # the texts embedded when the short one is answered: not all of the large one's
    embedded = metric(srv, "longembed_texts_embedded_total") - before
    t.join()
    big_st, big_doc = done["big"][1:]
    check("short request answered while a large one runs", st == 200 and embedded < len(texts),
          (st, embedded))
    check("large request: 200, results in input order", big_st == 200 and
          [d["index"] for d in big_doc["data"]] == list(range(len(texts))), big_st)
    picks = [0, 511, 1023]
    want = cli_vectors(BUILD, [texts[i] for i in picks])
    check("large request's vectors = embed's", all(
        max_diff(big_doc["data"][i]["embedding"], w) <= 1e-6 for i, w in zip(picks, want)))
    over = ["a", "word " * 300, "b"]  # the middle text alone is over the budget
    st, doc, _ = srv.post("/embed", {"inputs": over})
    check("a text over the budget runs alone", st == 200 and all(
        max_diff(a, b) <= 1e-6 for a, b in zip(doc, cli_vectors(BUILD, over))), st)
    before = metric(srv, "longembed_texts_embedded_total")
    body = json.dumps({"input": texts}).encode()
    s = raw_socket(srv)
    s.sendall(b"POST /v1/embeddings HTTP/1.1\r\nHost: x\r\nContent-Length: %d\r\n\r\n" % len(body)
              + body)
    time.sleep(0.3)
    s.close()
    key = 'longembed_requests_total{route="/v1/embeddings",status="499"}'
    for _ in range(600):
        if metric(srv, key) >= 1:
            break
        time.sleep(0.1)
    skipped = len(texts) - (metric(srv, "longembed_texts_embedded_total") - before)
    check("a client that left: its remaining texts are skipped", metric(srv, key) == 1 and
          skipped > 0, (skipped, metric(srv, key)))
    check("serves after a client left", srv.alive())
    check("SIGTERM: exit 0 (fairness)", srv.stop() == 0, getattr(srv, "err", "")[-2000:])


M3 = "tests/fixtures/bge-m3-tiny"


def cli_json(*args, stdin=""):
    """The JSON lines `longembed ARGS --precision fp32` prints (fp32 as the Server's)."""
    import subprocess
    out = subprocess.run([os.path.join(BUILD, "longembed"), *args, "--precision", "fp32"], input=stdin,
                         capture_output=True, text=True, check=True).stdout
    return [json.loads(l) for l in out.splitlines() if l.startswith("{")]


def bge_m3():
    """BGE-M3's heads: /embed_sparse gives `embed --output sparse`'s lexical
    weights in TEI's shape; /search modes sparse, multi and hybrid rank as
    `search` does."""
    index = os.path.join(TMP, "m3.lei")
    docs = {"a": "the cat sat on the mat", "b": "dogs bark at night", "c": "hello world of cats"}
    files = []
    for name, text in docs.items():
        files.append(os.path.join(TMP, name + ".txt"))
        with open(files[-1], "w") as f:
            f.write(text + "\n")
    cli_json("index", "add", "-q", "-m", M3, "--no-passages", "--index", index, *files)
    srv = Server(BUILD, "--index", index, model=M3)
    st, info, _ = srv.request("GET", "/info")
    check("/info: sparse model, index with sparse and colbert sections", info["model"]["sparse"] and
          info["indexes"][0]["sparse"] and info["indexes"][0]["colbert"], info)
    want = cli_json("embed", "-m", M3, "-q", "--output", "sparse", stdin="".join(
        json.dumps({"id": i, "text": t}) + "\n" for i, t in enumerate(TEXTS)))
    st, got, _ = srv.post("/embed_sparse", {"inputs": TEXTS})
    same = st == 200 and len(got) == len(TEXTS) and all(
        {str(e["index"]): e["value"] for e in g}.keys() == w["lexical_weights"].keys() and
        all(abs(e["value"] - w["lexical_weights"][str(e["index"])]) <= 1e-6 for e in g)
        for g, w in zip(got, want))
    check("/embed_sparse = embed --output sparse", same, (st, str(got)[:300]))
    st, got, _ = srv.post("/embed_sparse", {"inputs": "x"})
    check("/embed_sparse one string", st == 200 and len(got) == 1 and
          all(set(e) == {"index", "value"} for e in got[0]), got)
    for mode in ("sparse", "multi", "colbert", "hybrid", "m3"):
        cli = cli_json("search", "--index", index, "-m", M3, "--mode", mode, "--json", "-k", "3",
                       stdin="cats\n")[0]["hits"]
        st, doc, _ = srv.post("/search", {"query": "cats", "mode": mode, "k": 3})
        hits = doc.get("hits", []) if st == 200 else []
        check(f"/search mode {mode} = search's", st == 200 and
              [h["id"] for h in hits] == [h["id"] for h in cli] and
              all(abs(a["score"] - b["score"]) <= 1e-4 * max(1, abs(b["score"]))
                  for a, b in zip(hits, cli)), (st, hits, cli))
    check("SIGTERM: exit 0 (BGE-M3)", srv.stop() == 0, getattr(srv, "err", "")[-2000:])


def auth_and_matryoshka():
    key = os.path.join(TMP, "key")
    with open(key, "w") as f:
        f.write("s3cret\n")
    srv = Server(BUILD, "--api-key-file", key, "--matryoshka")
    st, doc, _ = srv.post("/embed", {"inputs": "a"})
    check("no key: 401", st == 401, st)
    st, doc, _ = srv.post("/embed", {"inputs": "a"}, headers={"Authorization": "Bearer wrong"})
    check("wrong key: 401", st == 401, st)
    check("health needs no key", srv.alive())
    st, doc, _ = srv.post("/v1/embeddings", {"input": "a", "dimensions": 16},
                          headers={"Authorization": "Bearer s3cret"})
    full = cli_vectors(BUILD, ["a"])[0][:16]
    norm = sum(x * x for x in full) ** 0.5
    check("matryoshka dimensions: cut and renormalised", st == 200 and
          max_diff(doc["data"][0]["embedding"], [x / norm for x in full]) <= 1e-6, st)
    check("SIGTERM: exit 0", srv.stop() == 0)


def main():
    index = os.path.join(TMP, "docs.lei")
    srv = Server(BUILD, "--index", index, "--max-request-bytes", "4MiB", "--timeout", "2")
    try:
        vectors(srv)
        concurrent_tokens(srv)
        bad_inputs(srv)
        chunked_too_large(srv)
        stalled_and_vanishing(srv)
        concurrent_index(srv)
        reload_and_signals(srv, index)
    finally:
        rc = srv.stop()
    check("SIGTERM: exit 0 and a clean stop", rc == 0 and "stopped" in srv.err, srv.err[-500:])
    queue_full()
    fair_scheduling()
    bge_m3()
    shutdown_in_flight()
    auth_and_matryoshka()
    finish("test_server")


main()
