#!/usr/bin/env python3
"""The Markdown table of docs/ask.md from `longembed ask --qa ... --rows FILE` files.

    python3 tools/ask_rows_table.py rag=rows_rag.jsonl full=rows_full.jsonl ...

One row per LABEL=FILE: questions, mean ROUGE-1/2/L F1 (x 100; a failed question
scores 0, as le_ask_eval counts it), seconds, tokens read and generated per question,
failures, and what else the rows say (answers cut, citations, LC-Boost's fallbacks).
A file that holds fewer questions than another (a run stopped early) says so in its
row, and the means over the questions every file shares are printed too, so that
modes can be compared on the same questions. Standard library only.
"""
import json
import sys


def load(path):
    rows = []
    with open(path, encoding="utf-8") as f:
        for line in f:
            if line.strip():
                rows.append(json.loads(line))
    return rows


def mean(rows, key):
    return sum(r.get(key, 0) for r in rows) / len(rows) if rows else 0.0


def table_row(label, rows):
    failed = sum(1 for r in rows if r.get("error"))
    notes = []
    cut = sum(1 for r in rows if r.get("truncated"))
    if cut:
        notes.append("%d documents cut to fit" % cut)
    cited = sum(1 for r in rows if r.get("cited"))
    if any(r.get("passages") for r in rows):
        notes.append("%d answers cite a passage" % cited)
    fb = sum(r.get("fallbacks", 0) for r in rows)
    steps = sum(r.get("steps", 0) for r in rows)
    if steps:
        notes.append("%d of %d steps unreadable" % (fb, steps))
    return "| %s | %d | %.2f | %.2f | %.2f | %.1f | %.0f | %.0f | %d | %s |" % (
        label, len(rows), mean(rows, "rouge1"), mean(rows, "rouge2"), mean(rows, "rougeL"),
        mean(rows, "seconds"), mean(rows, "tokens_read"), mean(rows, "tokens_generated"),
        failed, "; ".join(notes))


HEAD = ("| mode | questions | ROUGE-1 | ROUGE-2 | ROUGE-L | s / question | tokens read | "
        "tokens generated | failed | notes |\n|---|---:|---:|---:|---:|---:|---:|---:|---:|---|")


def main(argv):
    if not argv or any("=" not in a for a in argv):
        sys.exit("usage: ask_rows_table.py LABEL=ROWS.jsonl ...")
    runs = [(a.split("=", 1)[0], load(a.split("=", 1)[1])) for a in argv]
    print(HEAD)
    for label, rows in runs:
        print(table_row(label, rows))
    shared = set.intersection(*[{r["qid"] for r in rows} for _, rows in runs])
    if any(len(rows) != len(shared) for _, rows in runs) and shared:
        print("\nOn the %d questions every run answered:\n" % len(shared))
        print(HEAD)
        for label, rows in runs:
            print(table_row(label, [r for r in rows if r["qid"] in shared]))


if __name__ == "__main__":
    main(sys.argv[1:])
