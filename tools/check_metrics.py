#!/usr/bin/env python3
"""Recomputes the benchmark's metrics in plain Python from the ranked lists of
a run and the tasks' judgements, and compares them with the engine's JSON.

    longembed bench --export TASKS --seed 42                    # the judgements
    longembed bench --retriever bm25 --runs RUNS --json run.json  # the run
    python3 tools/check_metrics.py --tasks TASKS --runs RUNS --json run.json

TASKS holds <task>/qrels.jsonl in the LongEmbed layout (with context_length, as
--export writes it) or a BEIR task's qrels/<split>.tsv; --task-dir DIR adds a task
directory by its own name. RUNS holds <task>.<retriever>[.<extend>].trec files
(TREC run format: qid Q0 doc_id rank score split). Only the standard library is
used, and the metric definitions are written out here independently of the C
code (pytrec_eval's conventions: linear gain, log2(rank + 1) discount; queries
without a relevant document are left out).
"""
import argparse
import collections
import glob
import json
import math
import os
import sys


def load_qrels(task_dir):
    """{split: {qid: {doc_id: grade}}}"""
    out = collections.defaultdict(dict)
    path = os.path.join(task_dir, "qrels.jsonl")
    if os.path.exists(path):
        with open(path, encoding="utf-8") as f:
            for line in f:
                if not line.strip():
                    continue
                row = json.loads(line)
                ctx = row.get("context_length")
                split = f"test_{ctx}" if ctx is not None else "test"
                qid = str(row.get("qid", row.get("query-id")))
                doc = str(row.get("doc_id", row.get("corpus-id")))
                out[split].setdefault(qid, {})[doc] = int(row.get("score", 1))
    for tsv in sorted(glob.glob(os.path.join(task_dir, "qrels", "*.tsv"))):
        split = os.path.basename(tsv).split(".")[0]
        with open(tsv, encoding="utf-8") as f:
            for i, line in enumerate(f):
                parts = line.rstrip("\n").split("\t")
                if len(parts) not in (3, 4):
                    continue
                try:
                    grade = int(parts[-1])
                except ValueError:
                    if i == 0:
                        continue
                    raise
                out[split].setdefault(parts[0], {})[parts[-2]] = grade
    return out


def load_run(path):
    """{split: {qid: [doc_id, ...] best first}}"""
    ranked = collections.defaultdict(lambda: collections.defaultdict(list))
    with open(path, encoding="utf-8") as f:
        for line in f:
            qid, _, doc, rank, _score, split = line.split()
            ranked[split][qid].append((int(rank), doc))
    return {s: {q: [d for _, d in sorted(v)] for q, v in qs.items()} for s, qs in ranked.items()}


def metrics(ranking, judged, k):
    relevant = {d: g for d, g in judged.items() if g > 0}
    if not relevant:
        return None
    top = ranking[:k]
    dcg = sum(relevant.get(d, 0) / math.log2(i + 2) for i, d in enumerate(top))
    ideal = sorted(relevant.values(), reverse=True)[:k]
    idcg = sum(g / math.log2(i + 2) for i, g in enumerate(ideal))
    found = [i for i, d in enumerate(top) if d in relevant]
    return {
        f"ndcg@{k}": dcg / idcg,
        f"recall@{k}": len(found) / len(relevant),
        f"mrr@{k}": 1 / (found[0] + 1) if found else 0.0,
        "acc@1": 1.0 if ranking[:1] and ranking[0] in relevant else 0.0,
    }


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--tasks", help="a directory of task directories (from --export)")
    ap.add_argument("--task-dir", action="append", default=[], help="one task directory")
    ap.add_argument("--runs", required=True, help="the --runs directory of the run")
    ap.add_argument("--json", required=True, help="the --json report of the run")
    ap.add_argument("--tolerance", type=float, default=1e-6, help="in percent points")
    args = ap.parse_args()

    report = json.load(open(args.json, encoding="utf-8"))
    k = report["config"]["k"]
    engine = {}
    for row in report["results"]:
        key = (row["task"], row["split"], row["retriever"], row["extend"], row["metric"])
        engine[key] = row["value"]

    task_dirs = {}
    if args.tasks:
        for d in sorted(glob.glob(os.path.join(args.tasks, "*"))):
            if os.path.isdir(d):
                task_dirs[os.path.basename(d)] = d
    for d in args.task_dir:
        task_dirs[os.path.basename(os.path.normpath(d))] = d

    checked, bad = 0, 0
    for run_path in sorted(glob.glob(os.path.join(args.runs, "*.trec"))):
        parts = os.path.basename(run_path)[: -len(".trec")].split(".")
        task, retriever = parts[0], parts[1]
        extend = parts[2] if len(parts) > 2 else None
        if task not in task_dirs:
            print(f"{run_path}: no judgements for task {task} (skipped)")
            continue
        qrels = load_qrels(task_dirs[task])
        run = load_run(run_path)
        for split, judged in sorted(qrels.items()):
            per_query = [metrics(run.get(split, {}).get(q, []), j, k) for q, j in judged.items()]
            per_query = [m for m in per_query if m is not None]
            if not per_query:
                continue
            for name in per_query[0]:
                mine = 100.0 * sum(m[name] for m in per_query) / len(per_query)
                key = (task, split, retriever, extend, name)
                if key not in engine:
                    continue  # a split that did not run (e.g. --lengths)
                checked += 1
                if abs(engine[key] - mine) > args.tolerance:
                    bad += 1
                    print(f"MISMATCH {key}: engine {engine[key]:.9f}, python {mine:.9f}")
    print(f"{checked} values compared, {bad} mismatches")
    if checked == 0:
        print("nothing compared: check the paths")
        return 1
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
