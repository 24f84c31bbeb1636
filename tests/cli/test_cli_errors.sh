#!/usr/bin/env bash
# Bad input through the CLI: each gets a clear message naming the problem and
# a non-zero exit, never a crash.
. "$(dirname "$0")/lib.sh"

# missing and broken model directories
expect_fail "missing model dir" "no such model directory" "$LE" embed -m "$TMP/nope/model" </dev/null
expect_fail "unknown alias" 'unknown model "nosuchmodel"' "$LE" embed -m nosuchmodel </dev/null
expect_fail "no -m" "no model given" "$LE" embed </dev/null
mkdir -p "$TMP/empty"
expect_fail "no config.json" "config.json: missing" "$LE" info -m "$TMP/empty"

copy_model() { rm -rf "$TMP/m"; cp -r "$TINY" "$TMP/m"; }

copy_model; rm "$TMP/m/model.safetensors"
expect_fail "missing weights" "model.safetensors" "$LE" info -m "$TMP/m"

copy_model; rm "$TMP/m/tokenizer.json"
expect_fail "missing tokenizer" "tokenizer.json" "$LE" info -m "$TMP/m"

copy_model; head -c 5000 "$TINY/model.safetensors" > "$TMP/m/model.safetensors"
expect_fail "truncated safetensors" "model.safetensors.*(beyond|truncated|end of the file|shorter)" "$LE" info -m "$TMP/m"

copy_model; head -c 6 "$TINY/model.safetensors" > "$TMP/m/model.safetensors"
expect_fail "safetensors shorter than its length field" "model.safetensors" "$LE" info -m "$TMP/m"

# a header that lies: change one tensor's data_offsets end to point past the file
copy_model
python3 - "$TMP/m/model.safetensors" <<'PY' 2>/dev/null || {
import json, struct, sys
p = sys.argv[1]
b = open(p, 'rb').read()
n = struct.unpack('<Q', b[:8])[0]
h = json.loads(b[8:8 + n])
k = sorted(k for k in h if k != '__metadata__')[0]
h[k]['data_offsets'][1] += 10**9
hb = json.dumps(h).encode()
hb += b' ' * ((8 - len(hb) % 8) % 8)
open(p, 'wb').write(struct.pack('<Q', len(hb)) + hb + b[8 + n:])
PY
    :; }
expect_fail "header lies about offsets" "model.safetensors.*(offset|beyond|size|shape)" "$LE" info -m "$TMP/m"

# a header that lies about a shape (the product no longer matches the bytes)
copy_model
sed -i 's/"shape":\[3000,64\]/"shape":[3001,64]/' "$TMP/m/model.safetensors" 2>/dev/null
if grep -q '"shape":\[3001,64\]' "$TMP/m/model.safetensors"; then
    expect_fail "header lies about a shape" "model.safetensors.*(shape|bytes|size)" "$LE" info -m "$TMP/m"
fi

# a header that lies about a dtype
copy_model
sed -i '0,/"dtype":"F32"/s//"dtype":"F99"/' "$TMP/m/model.safetensors"
expect_fail "unknown dtype" "model.safetensors.*(dtype|F99)" "$LE" info -m "$TMP/m"

# a config that disagrees with the weights
copy_model; sed -i 's/"hidden_size": 64/"hidden_size": 96/' "$TMP/m/config.json"
expect_fail "config disagrees with weights" "expected shape" "$LE" info -m "$TMP/m"

copy_model; sed -i 's/"model_type": "bert"/"model_type": "gpt2"/' "$TMP/m/config.json"
expect_fail "unsupported architecture" 'model_type "gpt2" is not supported' "$LE" info -m "$TMP/m"

copy_model; echo '{"model_type": "bert", ' > "$TMP/m/config.json"
expect_fail "invalid config JSON" "config.json: invalid JSON" "$LE" info -m "$TMP/m"

copy_model; sed -i 's/"type": *"WordPiece"/"type": "BPE"/' "$TMP/m/tokenizer.json"
expect_fail "unsupported tokenizer kind" "BPE.*not supported" "$LE" info -m "$TMP/m"

# bad inputs to embed
printf 'good text\nbad \xff\xfe text\n' > "$TMP/bad.txt"
expect_fail "invalid UTF-8 on stdin" "line 2.*(UTF-8|utf-8).*byte 4" "$LE" embed -m "$TINY" < "$TMP/bad.txt"
check "good lines before the bad one are written" grep -q '"id":1' "$TMP/out"
expect_fail "invalid UTF-8 in a file" "bad.txt.*UTF-8" "$LE" embed -m "$TINY" "$TMP/bad.txt"
expect_fail "unreadable input file" "nofile.txt: cannot open" "$LE" embed -m "$TINY" "$TMP/nofile.txt"
expect_fail "directory as input" "is a directory" "$LE" embed -m "$TINY" "$TMP"
if [ "$(id -u)" != 0 ]; then
    echo text > "$TMP/secret.txt"; chmod 000 "$TMP/secret.txt"
    expect_fail "permission denied" "secret.txt: cannot open" "$LE" embed -m "$TINY" "$TMP/secret.txt"
fi
printf '{"text": "a"}\n{"text": 5}\n' > "$TMP/bad.jsonl"
expect_fail "JSONL without a text string" 'line 2: no "text" string' "$LE" embed -m "$TINY" --input jsonl < "$TMP/bad.jsonl"
printf '{"text": "a\\u0000b"}\n' > "$TMP/nul.jsonl"
expect_fail "JSONL text with U+0000" "U\+0000" "$LE" embed -m "$TINY" --input jsonl < "$TMP/nul.jsonl"
expect_fail "bad --input value" "expected auto, lines or jsonl" "$LE" embed -m "$TINY" --input xml </dev/null

# too long, and options out of range
python3 -c "print('word ' * 700)" > "$TMP/long.txt"
expect_fail "too long without --truncate" "tokens exceed the limit of 512.*--truncate" "$LE" embed -m "$TINY" "$TMP/long.txt"
expect_fail "max-tokens beyond the method" "max_tokens 1000 exceeds the 512 tokens that method none allows" "$LE" embed -m "$TINY" --max-tokens 1000 "$TMP/long.txt"
expect_fail "unknown method" 'unknown extension method "yarnn"' "$LE" embed -m "$TINY" --extend yarnn "$TMP/long.txt"
expect_fail "stride not dividing the table" "position stride 7 does not divide" "$LE" embed -m "$TINY" --position-stride 7 "$TMP/long.txt"
expect_fail "stride overflowing the table" "position stride 512 overflows" "$LE" embed -m "$TINY" --position-stride 512 "$TMP/long.txt"
expect_fail "bad thread count" "--threads: expected an integer" "$LE" embed -m "$TINY" --threads -3 </dev/null
expect_fail "bad ISA" '--isa: expected auto, scalar, avx2 or avx512, got "sse9"' "$LE" embed -m "$TINY" --isa sse9 </dev/null
expect_fail "bad precision" '--precision: expected fp32, bf16, int8 or auto, got "fp16"' "$LE" embed -m "$TINY" --precision fp16 </dev/null
expect_fail "bf16 on the AVX2 kernels" "precision bf16 needs AVX512_BF16|does not support avx2" "$LE" embed -m "$TINY" --isa avx2 --precision bf16 </dev/null
expect_fail "bad pooling" '--pooling: expected cls, mean or max, got "avg"' "$LE" embed -m "$TINY" --pooling avg "$TMP/bad.jsonl"
expect_fail "unknown command" 'unknown command "embedd"' "$LE" embedd

finish
