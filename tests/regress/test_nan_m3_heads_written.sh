#!/usr/bin/env bash
# BGE-M3's sparse and ColBERT heads (sparse_linear.pt, colbert_linear.pt)
# are applied after the check of the hidden states, so a NaN in a head's
# weights came out as NaN lexical weights or ColBERT vectors. The heads'
# outputs are now checked too: an error naming the text. The damaged head
# is the tiny fixture's with one NaN poked in (tools/poke_nan.py).
. "$(dirname "$0")/../cli/lib.sh"

M3=tests/fixtures/bge-m3-tiny
cp -rL "$M3" "$TMP/m3"
python3 tools/poke_nan.py "$TMP/m3/sparse_linear.pt" data/0 || fail "poke_nan.py"
printf '{"id":"a","text":"hello world"}\n' > "$TMP/a.jsonl"
expect_fail "sparse head" 'stdin line 1 \(id "a"\): BGE-M3.s sparse or ColBERT head computed a NaN' \
    "$LE" embed -m "$TMP/m3" -q --output dense,sparse < "$TMP/a.jsonl"
check "nothing written" [ ! -s "$TMP/out" ]
expect_ok "the sound model" "$LE" embed -m "$M3" -q --output dense,sparse,colbert < "$TMP/a.jsonl"
check "no nan" bash -c "! grep -qi 'nan\|inf' '$TMP/out'"
finish
