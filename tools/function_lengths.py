#!/usr/bin/env python3
"""Lists the C functions of the given files (or src/ by default) with their
length in lines, longest first, and fails when one is longer than --max.

A function is a top-level brace block whose opening line (or the lines just
before it) looks like a definition: `type name(args) {`. Comments, strings and
character literals are skipped so braces inside them do not count. Generated
tables (files named *_tables.c or data_*.c) are left out.

  tools/function_lengths.py [--max N] [--top K] [files or folders...]
"""
import argparse
import os
import re
import sys

SKIP_FILE = re.compile(r"(_tables\.c|/data_[a-z_]+\.c)$")
DEF = re.compile(r"([A-Za-z_][A-Za-z0-9_]*)\s*\([^;{}]*\)\s*(?:LE_[A-Z_]+(?:\([^)]*\))?\s*)*$", re.S)


def strip_code(text):
    """The text with comments, strings and char literals blanked (newlines kept)."""
    out, i, n = [], 0, len(text)
    while i < n:
        c = text[i]
        if text.startswith("/*", i):
            j = text.find("*/", i + 2)
            j = n if j < 0 else j + 2
            out.append(re.sub(r"[^\n]", " ", text[i:j]))
            i = j
        elif text.startswith("//", i):
            j = text.find("\n", i)
            j = n if j < 0 else j
            out.append(" " * (j - i))
            i = j
        elif c in "\"'":
            j = i + 1
            while j < n and text[j] != c:
                j += 2 if text[j] == "\\" else 1
            out.append(c + re.sub(r"[^\n]", " ", text[i + 1:j]) + c)
            i = j + 1
        else:
            out.append(c)
            i += 1
    return "".join(out)


def functions(path):
    code = strip_code(open(path, encoding="utf-8", errors="replace").read())
    depth, start, head = 0, None, []
    line = 1
    for i, c in enumerate(code):
        if c == "\n":
            line += 1
        elif c == "{":
            if depth == 0:
                before = code[max(0, i - 400):i]
                before = before[before.rfind(";") + 1:] if ";" in before else before
                before = before[before.rfind("}") + 1:] if "}" in before else before
                before = re.sub(r"^\s*#.*$", "", before, flags=re.M)
                m = DEF.search(before.strip())
                start = (m.group(1), line) if m and m.group(1) not in ("if", "for", "while", "switch") else None
            depth += 1
        elif c == "}":
            depth -= 1
            if depth == 0 and start:
                yield start[0], start[1], line - start[1] + 1
                start = None


def c_files(paths):
    for p in paths:
        if os.path.isdir(p):
            for root, _, names in os.walk(p):
                for name in sorted(names):
                    if name.endswith((".c", ".inc", ".h")):
                        yield os.path.join(root, name)
        else:
            yield p


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--max", type=int, default=0, help="fail when a function is longer")
    ap.add_argument("--top", type=int, default=10)
    ap.add_argument("paths", nargs="*", default=["src"])
    a = ap.parse_args()
    rows = []
    for f in c_files(a.paths):
        if SKIP_FILE.search(f):
            continue
        rows += [(n, f, name, l) for name, l, n in functions(f)]
    rows.sort(key=lambda r: (-r[0], r[1], r[3]))
    for n, f, name, l in rows[: a.top]:
        print(f"{n:5d}  {f}:{l}  {name}")
    over = [r for r in rows if a.max and r[0] > a.max]
    if over:
        print(f"{len(over)} function(s) longer than {a.max} lines", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
