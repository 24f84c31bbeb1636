#!/usr/bin/env bash
# longembed generate and chat with SmolLM2-135M (the smollm2 alias, fetched
# by `make model`; LE_SMOLLM2_GGUF names another copy): a greedy
# continuation streamed to stdout, reproducible; a stop string ends it; chat
# answers one turn per stdin line; bad options and inputs exit with clear
# messages (2 for usage, 1 for the rest).
. "$(dirname "$0")/lib.sh"

MODEL=${LE_SMOLLM2_GGUF:-smollm2}
G=("$LE" generate -m "$MODEL" --threads 2)

expect_ok "greedy" "${G[@]}" --greedy --max-new-tokens 6 "The capital of France is"
cp "$TMP/out" "$TMP/first"
check "greedy prints text" test -s "$TMP/first"
expect_ok "greedy again" "${G[@]}" --greedy --max-new-tokens 6 "The capital of France is"
check "greedy is reproducible" cmp -s "$TMP/out" "$TMP/first"
expect_ok "sampled" "${G[@]}" --seed 7 --temperature 0.9 --max-new-tokens 6 Once upon a time
cp "$TMP/out" "$TMP/s1"
expect_ok "sampled again" "${G[@]}" --seed 7 --temperature 0.9 --max-new-tokens 6 Once upon a time
check "a seed is reproducible" cmp -s "$TMP/out" "$TMP/s1"
# the first word of the greedy continuation as a stop string: nothing before it
word=$(head -c 200 "$TMP/first" | tr -s ' \n' '\n\n' | grep -m1 .)
expect_ok "stop string" "${G[@]}" --greedy --max-new-tokens 6 --stop "$word" "The capital of France is"
check "stop string cuts the text" test "$(cat "$TMP/out")" = "$(head -c 200 "$TMP/first" | sed "s/$word.*//" | head -1)"
printf 'Hello!\n' > "$TMP/turns"
expect_ok "chat" "$LE" chat -m "$MODEL" --threads 2 --greedy --max-new-tokens 4 < "$TMP/turns"
check "chat replies" test -s "$TMP/out"
printf 'What is the capital of France?\n' > "$TMP/q"
expect_ok "chat exact" "$LE" chat -m "$MODEL" --threads 2 --precision exact --greedy --max-new-tokens 12 < "$TMP/q"
check "chat exact answers Paris" grep -q Paris "$TMP/out"
expect_fail "bad precision" "expected q8 or exact" "$LE" generate -m "$MODEL" --precision bf16 hello

expect_fail "no model" "no model given" "$LE" generate hello
expect_fail "missing gguf" "no such GGUF file" "$LE" generate -m "$TMP/none.gguf" hello
expect_fail "embedding alias" "embedding model, not a decoder" "$LE" generate -m minilm hello
expect_fail "bad top-p" "--top-p" "$LE" generate -m "$MODEL" --top-p 2 hello
expect_fail "context past the window" "extension method" "${G[@]}" --max-tokens 9000 hello
expect_fail "method that does not fit" "method gp does not fit" "${G[@]}" --extend gp hello
expect_fail "unknown chat template" "chat template \"nosuch\" is neither" "$LE" chat -m "$MODEL" --chat-template nosuch < "$TMP/turns"
printf 'not a gguf' > "$TMP/bad.gguf"
expect_fail "not a gguf" "bad.gguf" "$LE" generate -m "$TMP/bad.gguf" hello
"$LE" generate --top-k x hello >/dev/null 2>&1
check "usage error exits 2" test $? -eq 2
finish
