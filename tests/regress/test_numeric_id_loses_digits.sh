#!/usr/bin/env bash
# A numeric JSON id went through a double and out as "%g": 5000000000000001
# and 5000000000000000 both became 5e+15, so in an index one document
# replaced the other. Numeric ids are now integers below 2^53, written in
# full digits; a larger or fractional number is refused (give it as a string).
. "$(dirname "$0")/../cli/lib.sh"

printf '{"id":5000000000000001,"text":"one"}\n{"id":5000000000000000,"text":"two"}\n' \
    > "$TMP/big.jsonl"
expect_ok "embed big ids" "$LE" embed -m "$TINY" -q "--input=jsonl" < "$TMP/big.jsonl"
check "embed writes every digit" grep -q '^{"id":5000000000000001,' "$TMP/out"
check "embed keeps the ids apart" grep -q '^{"id":5000000000000000,' "$TMP/out"

expect_ok "index add big ids" "$LE" index add --index "$TMP/ix" -m "$TINY" -q < "$TMP/big.jsonl"
expect_ok "index info" "$LE" index info --index "$TMP/ix" --json --docs
check "two documents, not one" grep -q '"documents":2,' "$TMP/out"
check "full digits in the index" grep -q '"id":"5000000000000001"' "$TMP/out"

printf '{"id":9007199254740993,"text":"x"}\n' > "$TMP/huge.jsonl"
expect_fail "an id beyond 2^53 is refused" 'stdin line 1: .*2\^53' \
    "$LE" embed -m "$TINY" -q < "$TMP/huge.jsonl"
printf '{"id":1.5,"text":"x"}\n' > "$TMP/frac.jsonl"
expect_fail "a fractional id is refused" 'stdin line 1: .*integer' \
    "$LE" embed -m "$TINY" -q < "$TMP/frac.jsonl"

# a benchmark task directory: the same rule for doc_id and qid
d="$TMP/task"
mkdir -p "$d"
printf '{"_id":9007199254740993,"text":"a"}\n' > "$d/corpus.jsonl"
printf '{"_id":"q","text":"a"}\n' > "$d/queries.jsonl"
printf '{"qid":"q","doc_id":"9007199254740993","score":1}\n' > "$d/qrels.jsonl"
expect_fail "bench task dir: an id beyond 2^53" 'corpus.jsonl:1: .*2\^53' \
    "$LE" bench --retriever bm25 --task-dir "$d" -q
finish
