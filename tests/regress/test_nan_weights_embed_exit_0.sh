#!/usr/bin/env bash
# A model whose weights hold a NaN (the file otherwise valid) made `embed`
# exit 0 with [nan, ...] (invalid JSON), and `index add` store NaN vectors.
# A forward pass that computes a NaN or infinity is now an error naming the
# text, and `info --check` reads every weight and names the damaged tensor.
# The damaged model is the tiny fixture with one NaN poked in
# (tools/poke_nan.py).
. "$(dirname "$0")/../cli/lib.sh"

cp -r "$TINY" "$TMP/nan"
python3 tools/poke_nan.py "$TMP/nan/model.safetensors" embeddings.LayerNorm.weight ||
    fail "poke_nan.py"
printf '{"id":"a","text":"alpha"}\n{"id":"b","text":"beta"}\n' > "$TMP/ab.jsonl"

expect_fail "embed" 'stdin line 1 \(id "a"\): the model computed a NaN or infinity' \
    "$LE" embed -m "$TMP/nan" -q < "$TMP/ab.jsonl"
check "no nan written" bash -c "! grep -qi 'nan' '$TMP/out'"
"$LE" embed -m "$TMP/nan" -q --keep-going < "$TMP/ab.jsonl" > "$TMP/out" 2> "$TMP/err"
rc=$?
checks=$((checks + 1))
[ $rc -eq 1 ] || fail "embed --keep-going: exit $rc, expected 1"
check "keep-going: error lines" [ "$(grep -c '"error":"the model computed a NaN' "$TMP/out")" -eq 2 ]
expect_fail "embed --passages" 'NaN or infinity' "$LE" embed -m "$TMP/nan" -q --passages 0 < "$TMP/ab.jsonl"

expect_fail "index add" 'stdin line 1: the model computed a NaN' \
    "$LE" index add --index "$TMP/ix" -m "$TMP/nan" -q < "$TMP/ab.jsonl"
check "no documents stored" bash -c "! '$LE' index info --index '$TMP/ix' --json 2>/dev/null | grep -q '\"documents\":[1-9]'"

expect_fail "info --check" 'model.safetensors: tensor "embeddings.LayerNorm.weight": element 0 is NaN' \
    "$LE" info -m "$TMP/nan" --check
expect_ok "info --check on a sound model" "$LE" info -m "$TINY" --check
check "info --check says so" grep -q 'every weight is a finite number' "$TMP/out"
python3 tools/poke_nan.py "$TMP/nan/model.safetensors" embeddings.LayerNorm.weight inf
expect_fail "info --check: infinity" 'element 0 is infinite' "$LE" info -m "$TMP/nan" --check
finish
