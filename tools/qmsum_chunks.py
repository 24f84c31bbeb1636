#!/usr/bin/env python3
"""QMSum meetings as chunk documents for `longembed ask` (issue 18, docs/ask.md).

Each meeting of ../shared/data/qmsum-train/corpus.jsonl becomes documents of at most
--words words, cut between speaker turns (a longer turn is cut between words), with ids
MEETING#NNNN in order, so that `ask --id-prefix MEETING#` retrieves one meeting's chunks
and reads them in document order. Writes JSONL {"id", "text"} for `longembed index add`.

    python3 tools/qmsum_chunks.py > /tmp/qmsum_chunks.jsonl
    build/longembed index add --index /tmp/qmsum.lei -m minilm /tmp/qmsum_chunks.jsonl

Standard library only; deterministic.
"""
import argparse
import json
import sys


def pieces(text, words):
    """Speaker turns, each cut into runs of at most `words` words."""
    for line in text.split("\n"):
        w = line.split()
        for i in range(0, len(w), words):
            yield " ".join(w[i:i + words])


def chunks(text, words):
    cur, n = [], 0
    for p in pieces(text, words):
        k = len(p.split())
        if cur and n + k > words:
            yield "\n".join(cur)
            cur, n = [], 0
        cur.append(p)
        n += k
    if cur:
        yield "\n".join(cur)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--corpus", default="../shared/data/qmsum-train/corpus.jsonl")
    ap.add_argument("--words", type=int, default=200,
                    help="words per chunk (200: about MiniLM's 256-token window)")
    args = ap.parse_args()
    out = sys.stdout
    for line in open(args.corpus, encoding="utf-8"):
        doc = json.loads(line)
        for i, text in enumerate(chunks(doc["text"], args.words)):
            out.write(json.dumps({"id": "%s#%04d" % (doc["doc_id"], i), "text": text},
                                 ensure_ascii=False) + "\n")


if __name__ == "__main__":
    main()
