#!/bin/bash
# longembed bench through the CLI: BM25 without a model, the reports, the
# export's determinism, a dense run on the tiny fixture model, and errors
# that name the file and line. Run from the repository root with the build
# directory as $1.
set -u
LE="$1/longembed"
# the essays: CMake's LE_HAYSTACK_DIR, passed by ctest (tests/haystack.h says more)
HAY=${LE_HAYSTACK_DIR:-../shared/data/haystack}
if [ ! -d "$HAY" ]; then
    echo "FAILED: the essay haystack is not at $HAY. Point the tests at it with" \
        "\`cmake -DLE_HAYSTACK_DIR=<dir>\` (or the environment variable LE_HAYSTACK_DIR)." >&2
    exit 1
fi
TINY=tests/fixtures/bert-cased-tiny
T=$(mktemp -d /tmp/le-bench-cli-XXXXXX)
trap 'rm -rf "$T"' EXIT
fail=0
check() { # description, then a command that must succeed
    local what="$1"; shift
    if ! "$@"; then echo "FAILED: $what" >&2; fail=1; fi
}

# BM25 needs no model; stdout holds the table, stderr one line per split
"$LE" bench --tasks passkey,needle --lengths 256,1024 --retriever bm25 --haystack "$HAY" \
    --json "$T/bm25.json" --markdown "$T/bm25.md" --plot "$T/bm25.svg" >"$T/out.md" 2>"$T/err.txt"
check "bm25 run exits 0" test $? -eq 0
check "table on stdout" grep -q '^| bm25 | – | 100.0 | 100.0 | 100.0 |' "$T/out.md"
check "markdown file equals stdout" cmp -s "$T/out.md" "$T/bm25.md"
check "a line per finished split" grep -q '^passkey test_1024: acc@1 bm25 100.0' "$T/err.txt"
check "json results" grep -q '"results"' "$T/bm25.json"
check "json row keys" grep -q '"metric":[[:space:]]*"acc@1"' "$T/bm25.json"
check "svg" grep -q '</svg>' "$T/bm25.svg"

# the export: same seed, same bytes; another seed, other bytes
"$LE" bench -q --export "$T/a" --seed 3 --lengths 256,2048 --haystack "$HAY"
"$LE" bench -q --export "$T/b" --seed 3 --lengths 256,2048 --haystack "$HAY"
"$LE" bench -q --export "$T/c" --seed 4 --lengths 256,2048 --haystack "$HAY"
for f in passkey/corpus.jsonl passkey/queries.jsonl passkey/qrels.jsonl needle/corpus.jsonl \
         needle/queries.jsonl needle/qrels.jsonl; do
    check "same seed: $f identical" cmp -s "$T/a/$f" "$T/b/$f"
    check "other seed: $f differs" bash -c "! cmp -s '$T/a/$f' '$T/c/$f'"
done
# and the exported task runs as a task directory, with the same BM25 numbers
mv "$T/a/passkey" "$T/a/keys"
"$LE" bench -q --task-dir "$T/a/keys" --retriever bm25 >"$T/dir.md"
check "exported task runs" grep -q '^| bm25 | – | 100.0 | 100.0 | 100.0 |' "$T/dir.md"
"$LE" bench -q --task-dir "$T/a/keys" --retriever bm25 --lengths 2048 >"$T/dir2.md"
check "--lengths picks a directory's lengths" grep -q '^| retriever | extend | 2048 | avg | time |' "$T/dir2.md"

# a dense run on the tiny model, every retriever, two methods
"$LE" bench -q -m "$TINY" --cache-dir "$T/cache" --tasks passkey --lengths 256,512 --docs 10 \
    --queries 5 --extend none,gp --retriever dense,bm25,hybrid,rrf --max-tokens 1024 \
    --json "$T/dense.json" --plot "$T/dense.svg" --runs "$T/runs" >"$T/dense.md"
check "dense run exits 0" test $? -eq 0
check "dense rows" grep -q '^| dense | gp |' "$T/dense.md"
check "rrf rows" grep -q '^| rrf | none |' "$T/dense.md"
check "runs written" test -s "$T/runs/passkey.hybrid.gp.trec"
check "cache written" test -n "$(find "$T/cache/embeddings" -name '*.vec' | head -1)"
"$LE" bench -m "$TINY" --cache-dir "$T/cache" --tasks passkey --lengths 256 --docs 10 \
    --queries 5 --extend gp --retriever dense,hybrid --max-tokens 1024 >/dev/null 2>"$T/lines.txt"
check "one line per split and method" grep -q '^passkey test_256 gp: acc@1 dense [0-9.]*, hybrid [0-9.]* ([0-9.]* s)$' "$T/lines.txt"

# errors: a usage error, and bad task directories naming the file and line
"$LE" bench --tasks passkey --retriever dense >/dev/null 2>"$T/e1"
check "dense without a model: exit 2" test $? -eq 2
check "dense without a model: message" grep -q 'need a model' "$T/e1"
mkdir -p "$T/bad"
printf '{"_id": "d1", "text": "x"}\n{"_id": "d2", "text": }\n' >"$T/bad/corpus.jsonl"
printf '{"_id": "q1", "text": "x"}\n' >"$T/bad/queries.jsonl"
printf '{"qid": "q1", "doc_id": "d1"}\n' >"$T/bad/qrels.jsonl"
"$LE" bench --task-dir "$T/bad" --retriever bm25 >/dev/null 2>"$T/e2"
check "invalid JSON line: exit 1" test $? -eq 1
check "invalid JSON line: file and line" grep -q "bad/corpus.jsonl:2: invalid JSON" "$T/e2"
printf '{"_id": "d1", "text": "x"}\n' >"$T/bad/corpus.jsonl"
printf '{"qid": "q1", "doc_id": "d1"}\n{"qid": "q1", "doc_id": "d7"}\n' >"$T/bad/qrels.jsonl"
"$LE" bench --task-dir "$T/bad" --retriever bm25 >/dev/null 2>"$T/e3"
check "unknown id: file and line" grep -q 'bad/qrels.jsonl:2: unknown doc_id "d7"' "$T/e3"
rm "$T/bad/queries.jsonl"
"$LE" bench --task-dir "$T/bad" --retriever bm25 >/dev/null 2>"$T/e4"
check "missing file" grep -q 'bad/queries.jsonl: missing' "$T/e4"
"$LE" bench --lengths 300 --retriever bm25 >/dev/null 2>"$T/e5"
check "bad length: exit 2" test $? -eq 2

if [ $fail -ne 0 ]; then exit 1; fi
echo "test_bench_cli: ok" >&2
