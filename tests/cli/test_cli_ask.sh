#!/usr/bin/env bash
# longembed ask: bad usage exits 2 (no index, an unknown mode or search, a bad
# number), bad input exits 1 with a clear message (a missing index, an empty
# index, an id prefix no document has, a decoder file that is not there, a
# prompt file with an unknown placeholder, a QA file that is missing or lacks an
# answer; --first without --qa is bad usage). The decoder itself is not run
# here (its speed is the decoder's tests' business; docs/ask.md shows a run).
. "$(dirname "$0")/lib.sh"

printf '{"id": "m1#0", "text": "The remote gets five buttons."}\n' > "$TMP/docs.jsonl"
expect_ok "index" bash -c "'$LE' index add --index '$TMP/a.lei' --bm25-only --input jsonl < '$TMP/docs.jsonl'"
expect_ok "empty index" bash -c "'$LE' index add --index '$TMP/empty.lei' --bm25-only --input jsonl < /dev/null"
printf '{"answer": "{passages} {question} {nope}"}' > "$TMP/prompts.json"

expect_fail "no index" "no index given" "$LE" ask "a question"
check "no index: usage exit" test "$("$LE" ask q >/dev/null 2>&1; echo $?)" = 2
expect_fail "bad mode" "unknown ask mode \"memo\"" "$LE" ask --index "$TMP/a.lei" --mode memo q
check "bad mode: usage exit" test "$("$LE" ask --index "$TMP/a.lei" --mode memo q >/dev/null 2>&1; echo $?)" = 2
expect_fail "bad search" "unknown search mode" "$LE" ask --index "$TMP/a.lei" --search deep q
expect_fail "bad k" "-k" "$LE" ask --index "$TMP/a.lei" -k 0 q
expect_fail "missing index" "$TMP/none.lei" "$LE" ask --index "$TMP/none.lei" q
LLM=(--llm "$TMP/none.gguf")
expect_fail "missing decoder" "model \"$TMP/none.gguf\"" "$LE" ask --index "$TMP/a.lei" "${LLM[@]}" q
check "missing decoder: runtime exit" test "$("$LE" ask --index "$TMP/a.lei" "${LLM[@]}" q >/dev/null 2>&1; echo $?)" = 1
expect_fail "empty index" "the index holds no documents" \
    "$LE" ask --index "$TMP/empty.lei" --llm "$TMP/none.gguf" q
expect_fail "unknown prefix" "no document of the index has an id starting with \"m9#\"" \
    "$LE" ask --index "$TMP/a.lei" "${LLM[@]}" --id-prefix m9# q
expect_fail "bad prompt file" "unknown placeholder \{nope\}" \
    "$LE" ask --index "$TMP/a.lei" "${LLM[@]}" --prompts "$TMP/prompts.json" q
expect_fail "bad prefix cache" "--prefix-cache-mb" "$LE" ask --index "$TMP/a.lei" --prefix-cache-mb -5 q
check "bad prefix cache: usage exit" test "$("$LE" ask --index "$TMP/a.lei" --prefix-cache-mb x q >/dev/null 2>&1; echo $?)" = 2
expect_fail "first without qa" "go with --qa FILE" "$LE" ask --index "$TMP/a.lei" --first 3 q
check "first without qa: usage exit" test "$("$LE" ask --index "$TMP/a.lei" --first 3 q >/dev/null 2>&1; echo $?)" = 2
expect_fail "qa with questions" "no QUESTION arguments" "$LE" ask --index "$TMP/a.lei" --qa "$TMP/qa.jsonl" q
expect_fail "missing qa file" "$TMP/none.jsonl" "$LE" ask --index "$TMP/a.lei" "${LLM[@]}" --qa "$TMP/none.jsonl"
printf '{"qid": "x", "doc_id": "m1", "question": "q?"}\n' > "$TMP/bad.jsonl"
expect_fail "qa line without answer" "bad.jsonl" "$LE" ask --index "$TMP/a.lei" "${LLM[@]}" --qa "$TMP/bad.jsonl"
check "missing qa file: runtime exit" test "$("$LE" ask --index "$TMP/a.lei" "${LLM[@]}" --qa "$TMP/none.jsonl" >/dev/null 2>&1; echo $?)" = 1

# MemoRAG's memory on disk, with the random-weight Qwen2 (context raised to 4096 in a copy)
python3 - "$TMP/q4k.gguf" <<'PY'
import struct, sys
img = bytearray(open("tests/fixtures/llm/qwen2-tiny/model.gguf", "rb").read())
k = img.find(b"qwen2.context_length") + len("qwen2.context_length")
assert struct.unpack_from("<II", img, k) == (4, 256)
struct.pack_into("<I", img, k + 4, 4096)
open(sys.argv[1], "wb").write(img)
PY
MEM=(--index "$TMP/a.lei" --llm "$TMP/q4k.gguf" --mode memorag --max-new-tokens 8 --threads 1)
expect_ok "memorag, first" "$LE" ask "${MEM[@]}" --memory-dir "$TMP/mem" "How many buttons?"
check "memorag, first: prefilled" grep -Eq "memory: [0-9]+ tokens, [1-9][0-9]* prefilled$" "$TMP/err"
check "memorag: a .kv file" test -n "$(ls "$TMP/mem"/*.kv 2>/dev/null)"
expect_ok "memorag, second" "$LE" ask "${MEM[@]}" --memory-dir "$TMP/mem" "How many buttons?"
check "memorag, second: loaded" grep -q "0 prefilled, loaded from the memory cache" "$TMP/err"
expect_ok "memorag, off" "$LE" ask "${MEM[@]}" --no-memory-cache "How many buttons?"
check "memorag, off: prefilled" grep -Eq "memory: [0-9]+ tokens, [1-9][0-9]* prefilled$" "$TMP/err"

# ask --qa: a run of two questions, then --resume over three asks only the third
printf '{"id": "m2#0", "text": "The case will be yellow."}\n' > "$TMP/docs2.jsonl"
expect_ok "index m2" bash -c "'$LE' index add --index '$TMP/a.lei' --bm25-only --input jsonl < '$TMP/docs2.jsonl'"
printf '{"qid": "a", "doc_id": "m1", "question": "How many buttons?", "answer": "five buttons"}\n' > "$TMP/qa3.jsonl"
printf '{"qid": "b", "doc_id": "m2", "question": "What colour?", "answer": "yellow"}\n' >> "$TMP/qa3.jsonl"
printf '{"qid": "c", "doc_id": "m1", "question": "The buttons?", "answer": "five"}\n' >> "$TMP/qa3.jsonl"
QA=(--index "$TMP/a.lei" --llm "$TMP/q4k.gguf" --max-new-tokens 4 --threads 1 --qa "$TMP/qa3.jsonl")
expect_fail "resume without rows" "--resume needs --rows FILE" "$LE" ask "${QA[@]}" --resume
expect_ok "qa, first two" "$LE" ask "${QA[@]}" --first 2 --rows "$TMP/rows.jsonl"
check "qa: two rows" test "$(wc -l < "$TMP/rows.jsonl")" = 2
check "qa: the table" grep -q "| 0 / 2 |" "$TMP/out"
expect_ok "qa, resumed" "$LE" ask "${QA[@]}" --rows "$TMP/rows.jsonl" --resume
check "qa, resumed: one more row" test "$(wc -l < "$TMP/rows.jsonl")" = 3
check "qa, resumed: the third question" test "$(tail -1 "$TMP/rows.jsonl" | grep -c '"qid": "c"')" = 1
check "qa, resumed: the table over three" grep -q "| 0 / 3 |" "$TMP/out"
check "qa, resumed: said on stderr" grep -q "resumed: 2 questions from" "$TMP/err"
printf 'not json\n' >> "$TMP/rows.jsonl"
expect_fail "resume over a broken rows file" "rows.jsonl line 4" "$LE" ask "${QA[@]}" --rows "$TMP/rows.jsonl" --resume
finish
