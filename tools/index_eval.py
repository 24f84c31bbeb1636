#!/usr/bin/env python3
"""Retrieval quality through the index itself (index add, then search), on a
task directory in the LongEmbed/BEIR layout (corpus.jsonl, queries.jsonl,
qrels.jsonl with one relevant document per query).

    tools/index_eval.py BUILD/longembed TASK_DIR WORK_DIR [index add options]

Adds every document with `index add` (the defaults unless options are given),
searches every query in dense, bm25 and hybrid mode with the search defaults,
and prints nDCG@10 and Acc@1 per mode: what a user of the index gets, beside
the benchmark's own rankings (`longembed bench`)."""
import json, math, os, subprocess, sys

def main():
    le, task, work = sys.argv[1:4]
    extra = sys.argv[4:]
    os.makedirs(work, exist_ok=True)
    index = os.path.join(work, "task.lei")
    if not os.path.exists(index):
        docs = os.path.join(work, "docs.jsonl")
        with open(docs, "w") as out:
            for line in open(os.path.join(task, "corpus.jsonl")):
                d = json.loads(line)
                out.write(json.dumps({"id": d["doc_id"], "text": d["text"]}) + "\n")
        subprocess.run([le, "index", "add", "-q", "--index", index, "-m", "minilm", *extra],
                       stdin=open(docs), check=True)
    queries = [json.loads(l) for l in open(os.path.join(task, "queries.jsonl"))]
    rel = {}
    for l in open(os.path.join(task, "qrels.jsonl")):
        q = json.loads(l)
        rel.setdefault(q["qid"], set()).add(q["doc_id"])
    text = "".join(" ".join(q["text"].split()) + "\n" for q in queries)
    for mode in ("dense", "bm25", "hybrid"):
        r = subprocess.run([le, "search", "--index", index, "--mode", mode, "-k", "10", "--json"],
                           input=text, capture_output=True, text=True, check=True)
        ndcg = acc = 0.0
        runs = [json.loads(l) for l in r.stdout.splitlines()]
        for q, run in zip(queries, runs):
            ids = [h["id"] for h in run["hits"]]
            good = rel.get(q["qid"], set())
            dcg = sum(1 / math.log2(i + 2) for i, d in enumerate(ids) if d in good)
            ideal = sum(1 / math.log2(i + 2) for i in range(min(len(good), 10)))
            ndcg += dcg / ideal if ideal else 0
            acc += 1 if ids and ids[0] in good else 0
        n = len(queries)
        print(f"{mode:<7} ndcg@10 {100 * ndcg / n:5.1f}  acc@1 {100 * acc / n:5.1f}  ({n} queries)")

main()
