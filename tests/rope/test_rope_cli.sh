#!/usr/bin/env bash
# The RoPE and ALiBi models through the CLI: info names the methods that fit,
# embed runs the RoPE methods, and bad input fails with a clear message (a
# method that does not fit the architecture, parameters meant for another
# method, out-of-range values, broken configs).
. "$(dirname "$0")/../cli/lib.sh"

E5R=tests/fixtures/e5rope-tiny
NOMIC=tests/fixtures/nomic-tiny
JINA=tests/fixtures/jina-tiny
json_check() { python3 -c "$1" "$TMP/out"; }

python3 -c "print(' '.join(['word%d' % i for i in range(300)]))" > "$TMP/long.txt"
python3 -c "print(' '.join(['word%d' % i for i in range(100)]))" > "$TMP/short.txt"
expect_ok "tokenize" "$LE" tokenize -m "$E5R" "$TMP/long.txt"
N=$(python3 -c 'import json, sys; print(json.loads(open(sys.argv[1]).readline())["tokens"])' "$TMP/out")
check "the long text is past the window and under 4096 tokens" test "$N" -gt 600 -a "$N" -lt 4096

# info: architecture, positions and the methods that fit
expect_ok "info e5rope" "$LE" info -m "$E5R" --json
check "e5rope: RoPE methods, E5 prefixes, mean pooling, normalised" json_check '
import json, sys
i = json.load(open(sys.argv[1]))
assert i["architecture"] == "e5rope" and i["window"] == 512, i
assert i["methods"] == "none,pcw,gp,pi,ntk,yarn,selfextend", i["methods"]
assert i["pooling"] == "mean" and i["normalize"] is True and i["query_prefix"] == "query: "
'
expect_ok "info nomic" "$LE" info -m "$NOMIC" --json
check "nomic: RoPE methods, search_ prefixes" json_check '
import json, sys
i = json.load(open(sys.argv[1]))
assert i["architecture"] == "nomic_bert" and "selfextend" in i["methods"], i
assert i["query_prefix"] == "search_query: " and i["passage_prefix"] == "search_document: "
assert i["vocab_size"] == 3008, i["vocab_size"]
'
expect_ok "info jina" "$LE" info -m "$JINA" --json
check "jina: ALiBi takes none and pcw" json_check '
import json, sys
i = json.load(open(sys.argv[1]))
assert i["architecture"] == "bert" and i["methods"] == "none,pcw", i
'

# the RoPE methods run past the window; SelfExtend's defaults follow --max-tokens
for m in pi ntk yarn selfextend gp pcw; do
    expect_ok "e5rope --extend $m" "$LE" embed -m "$E5R" --extend "$m" --max-tokens 4096 "$TMP/long.txt"
    check "e5rope $m: all $N tokens, a unit vector" python3 -c '
import json, sys, math
r = json.loads(open(sys.argv[1]).readline())
assert r["tokens"] == int(sys.argv[2]) and r["truncated"] is False, r
assert abs(math.sqrt(sum(x * x for x in r["embedding"])) - 1) < 1e-5
' "$TMP/out" "$N"
done
expect_ok "selfextend with explicit g and w" "$LE" embed -m "$E5R" --extend selfextend \
    --se-group 5 --se-window 128 --max-tokens 4096 "$TMP/long.txt"
cp "$TMP/out" "$TMP/se5.jsonl"
expect_ok "selfextend defaults" "$LE" embed -m "$E5R" --extend selfextend --max-tokens 4096 "$TMP/long.txt"
check "--se-group/--se-window change the result" python3 -c '
import json, sys
a = json.loads(open(sys.argv[1]).readline()); b = json.loads(open(sys.argv[2]).readline())
assert a["embedding"] != b["embedding"]
' "$TMP/se5.jsonl" "$TMP/out"
expect_ok "nomic --rotary-scaling-factor" "$LE" embed -m "$NOMIC" --rotary-scaling-factor 2 "$TMP/short.txt"
cp "$TMP/out" "$TMP/rsf.jsonl"
expect_ok "nomic without" "$LE" embed -m "$NOMIC" "$TMP/short.txt"
check "nomic's dynamic NTK changes a text past its trained positions" python3 -c '
import json, sys
a = json.loads(open(sys.argv[1]).readline()); b = json.loads(open(sys.argv[2]).readline())
assert 256 < a["tokens"] <= 512 and a["embedding"] != b["embedding"], a["tokens"]
' "$TMP/rsf.jsonl" "$TMP/out"
expect_fail "jina past its window without --max-tokens" "exceed the limit of 512" "$LE" embed -m "$JINA" "$TMP/long.txt"
expect_ok "jina past its window with --max-tokens" "$LE" embed -m "$JINA" --max-tokens 4096 "$TMP/long.txt"

# bad input: methods that do not fit, parameters for other methods
TINY=tests/fixtures/bert-cased-tiny
expect_fail "ntk on a learned table" "method ntk does not fit this model, which has a learned position table; methods that fit: none,pcw,gp,rp,pi" \
    "$LE" embed -m "$TINY" --extend ntk --max-tokens 1024 "$TMP/long.txt"
expect_fail "selfextend on a learned table" "method selfextend does not fit.*learned position table" \
    "$LE" embed -m "$TINY" --extend selfextend --max-tokens 1024 "$TMP/long.txt"
expect_fail "yarn on a learned table" "method yarn does not fit" \
    "$LE" embed -m "$TINY" --extend yarn --max-tokens 1024 "$TMP/long.txt"
expect_fail "gp on ALiBi" "method gp does not fit this model, which has ALiBi attention biases; methods that fit: none,pcw" \
    "$LE" embed -m "$JINA" --extend gp --max-tokens 1024 "$TMP/long.txt"
expect_fail "selfextend on ALiBi" "method selfextend does not fit.*ALiBi" \
    "$LE" embed -m "$JINA" --extend selfextend --max-tokens 1024 "$TMP/long.txt"
expect_fail "rp on RoPE" "method rp does not fit this model, which has rotary positions" \
    "$LE" embed -m "$E5R" --extend rp --max-tokens 1024 "$TMP/long.txt"
expect_fail "none past the RoPE window" "tokens exceed the limit of 512" \
    "$LE" embed -m "$E5R" "$TMP/long.txt"
expect_fail "max-tokens past the RoPE window for none" "max_tokens 1000 exceeds the 512 tokens that method none allows" \
    "$LE" embed -m "$E5R" --max-tokens 1000 "$TMP/long.txt"
expect_fail "ntk-lambda with pi" "ntk_lambda is a parameter of method ntk, not pi" \
    "$LE" embed -m "$E5R" --extend pi --ntk-lambda 3 --max-tokens 1024 "$TMP/long.txt"
expect_fail "se-group with ntk" "se_group and se_window are parameters of method selfextend, not ntk" \
    "$LE" embed -m "$E5R" --extend ntk --se-group 3 --max-tokens 1024 "$TMP/long.txt"
expect_fail "rope-factor with selfextend" "rope_factor is a parameter of methods pi and yarn" \
    "$LE" embed -m "$E5R" --extend selfextend --rope-factor 2 --max-tokens 1024 "$TMP/long.txt"
expect_fail "ntk-lambda below 1" "--ntk-lambda: expected a number from 1" \
    "$LE" embed -m "$E5R" --extend ntk --ntk-lambda 0.5 "$TMP/long.txt"
expect_fail "se-window 0" "--se-window: expected an integer" \
    "$LE" embed -m "$E5R" --extend selfextend --se-window 0 "$TMP/long.txt"
expect_fail "rotary scaling on a non-nomic model" "rotary_scaling_factor is nomic-bert's own rotary scaling; this model is e5rope" \
    "$LE" embed -m "$E5R" --rotary-scaling-factor 2 "$TMP/long.txt"
expect_fail "methods under nomic's own scaling" "method selfextend does not fit this model: it scales its rotary positions itself" \
    "$LE" embed -m "$NOMIC" --rotary-scaling-factor 2 --extend selfextend --max-tokens 1024 "$TMP/long.txt"
expect_fail "position stride on RoPE" "a position stride needs a learned position table" \
    "$LE" embed -m "$E5R" --position-stride 2 "$TMP/long.txt"

# broken configs of the new architectures
mkdir -p "$TMP/m"
cp "$E5R"/* "$TMP/m/"
python3 - "$TMP/m/config.json" <<'EOF'
import json, sys
c = json.load(open(sys.argv[1])); c["rotary_value"] = True; json.dump(c, open(sys.argv[1], "w"))
EOF
expect_fail "e5rope with rotary_value" "rotary_value .*is not supported" "$LE" info -m "$TMP/m"
cp "$NOMIC"/config.json "$TMP/m/config.json"
cp "$NOMIC"/model.safetensors "$TMP/m/model.safetensors"
python3 - "$TMP/m/config.json" <<'EOF'
import json, sys
c = json.load(open(sys.argv[1])); c["rotary_emb_fraction"] = 0.5; json.dump(c, open(sys.argv[1], "w"))
EOF
expect_fail "nomic partial rotary" "rotary_emb_fraction 0.5 is not supported" "$LE" info -m "$TMP/m"
python3 - "$TMP/m/config.json" <<'EOF'
import json, sys
c = json.load(open(sys.argv[1])); c["rotary_emb_fraction"] = 1.0; c["prenorm"] = True; json.dump(c, open(sys.argv[1], "w"))
EOF
expect_fail "nomic prenorm" "prenorm is not supported" "$LE" info -m "$TMP/m"
python3 - "$TMP/m/config.json" <<'EOF'
import json, sys
c = json.load(open(sys.argv[1])); c["prenorm"] = False; c["n_inner"] = 512; json.dump(c, open(sys.argv[1], "w"))
EOF
expect_fail "nomic config disagrees with the weights" "mlp.fc1[12].weight.*expected shape \[512, 64\]" "$LE" info -m "$TMP/m"
cp "$JINA"/config.json "$TMP/m/config.json"
cp "$JINA"/model.safetensors "$TMP/m/model.safetensors"
python3 - "$TMP/m/config.json" <<'EOF'
import json, sys
c = json.load(open(sys.argv[1])); c["feed_forward_type"] = "swiglu"; json.dump(c, open(sys.argv[1], "w"))
EOF
expect_fail "jina unknown GLU" 'feed_forward_type "swiglu" is not supported' "$LE" info -m "$TMP/m"
python3 - "$TMP/m/config.json" <<'EOF'
import json, sys
c = json.load(open(sys.argv[1])); c["position_embedding_type"] = "relative_key"; json.dump(c, open(sys.argv[1], "w"))
EOF
expect_fail "relative_key positions" 'position_embedding_type "relative_key" is not supported' "$LE" info -m "$TMP/m"

finish
