#!/usr/bin/env bash
# The CLI's normal paths: embed (lines, JSONL, files, order, truncation,
# prefixes), tokenize and info, checked on the tiny cased model.
. "$(dirname "$0")/lib.sh"

json_check() { python3 -c "$1" "$TMP/out"; }

printf 'first line\nsecond line\n\nfourth\n' > "$TMP/lines.txt"
expect_ok "embed lines" "$LE" embed -m "$TINY" < "$TMP/lines.txt"
check "one output line per input line, ids = line numbers, unit vectors" json_check '
import json, sys, math
rows = [json.loads(l) for l in open(sys.argv[1])]
assert [r["id"] for r in rows] == [1, 2, 3, 4], rows
assert all(len(r["embedding"]) == 64 for r in rows)
assert all(abs(math.sqrt(sum(x * x for x in r["embedding"])) - 1) < 1e-5 for r in rows)
assert rows[2]["tokens"] == 2 and rows[0]["truncated"] is False and rows[0]["extend"] == "none"
'

printf '{"id": "a", "text": "alpha"}\n{"text": "beta", "id": 7}\n{"text": "gamma"}\n' > "$TMP/in.jsonl"
expect_ok "embed JSONL" "$LE" embed -m "$TINY" < "$TMP/in.jsonl"
check "JSONL ids kept, missing id = line number" json_check '
import json, sys
rows = [json.loads(l) for l in open(sys.argv[1])]
assert [r["id"] for r in rows] == ["a", 7, 3], rows
'

# the same text embeds to the same vector whether alone, in a batch, or as a file
# (in fp32: oneDNN's bf16, which auto runs on AMX CPUs, need not give the same bits
# for every batch shape)
printf 'alpha' > "$TMP/alpha.txt"
printf 'gamma' > "$TMP/gamma.txt"
expect_ok "embed files" "$LE" embed -m "$TINY" --precision fp32 "$TMP/alpha.txt" "$TMP/gamma.txt"
cp "$TMP/out" "$TMP/files.jsonl"
expect_ok "embed JSONL again" "$LE" embed -m "$TINY" --precision fp32 --threads 1 --batch-tokens 3 < "$TMP/in.jsonl"
check "files keep order and equal the stdin vectors bitwise" python3 -c '
import json, sys
files = [json.loads(l) for l in open(sys.argv[1])]
lines = [json.loads(l) for l in open(sys.argv[2])]
assert files[0]["id"].endswith("alpha.txt") and files[1]["id"].endswith("gamma.txt")
assert files[0]["embedding"] == lines[0]["embedding"]
assert files[1]["embedding"] == lines[2]["embedding"]
' "$TMP/files.jsonl" "$TMP/out"

# truncation: reported, and equal to embedding the cut text
python3 -c "print(' '.join(['word%d' % i for i in range(400)]))" > "$TMP/long.txt"
expect_ok "truncate" "$LE" embed -m "$TINY" --truncate --max-tokens 16 "$TMP/long.txt"
check "truncated to 16 tokens and says so" json_check '
import json, sys
r = json.loads(open(sys.argv[1]).readline())
assert r["tokens"] == 16 and r["truncated"] is True, r
'
expect_ok "tokenize" "$LE" tokenize -m "$TINY" "$TMP/long.txt"
check "tokenize gives ids and pieces with [CLS] first" json_check '
import json, sys
r = json.loads(open(sys.argv[1]).readline())
assert r["pieces"][0] == "[CLS]" and r["pieces"][-1] == "[SEP]" and len(r["ids"]) == r["tokens"]
'
expect_ok "tokenize --no-special" "$LE" tokenize -m "$TINY" --no-special < "$TMP/lines.txt"
check "no special tokens" json_check '
import json, sys
rows = [json.loads(l) for l in open(sys.argv[1])]
assert all("[CLS]" not in r["pieces"] for r in rows) and rows[2]["tokens"] == 0
'

# prefixes: a literal prefix equals writing it into the text
printf 'query: alpha\n' > "$TMP/q1.txt"
expect_ok "prefix in text" "$LE" embed -m "$TINY" < "$TMP/q1.txt"
cp "$TMP/out" "$TMP/q1.jsonl"
printf 'alpha\n' > "$TMP/q2.txt"
expect_ok "prefix preset" "$LE" embed -m "$TINY" --prefix e5-query < "$TMP/q2.txt"
check "--prefix e5-query equals the prefixed text" python3 -c '
import json, sys
a = json.loads(open(sys.argv[1]).readline()); b = json.loads(open(sys.argv[2]).readline())
assert a["embedding"] == b["embedding"] and a["tokens"] == b["tokens"]
' "$TMP/q1.jsonl" "$TMP/out"

# pooling and normalisation switches change the output as asked
expect_ok "no-normalize" "$LE" embed -m "$TINY" --no-normalize --pooling mean < "$TMP/q2.txt"
check "not unit length without normalisation" json_check '
import json, sys, math
r = json.loads(open(sys.argv[1]).readline())
assert abs(math.sqrt(sum(x * x for x in r["embedding"])) - 1) > 1e-3
'

expect_ok "empty input" "$LE" embed -m "$TINY" < /dev/null
check "empty input gives empty output" test ! -s "$TMP/out"

expect_ok "info --json" "$LE" info -m "$TINY" --json
check "info JSON describes the model" json_check '
import json, sys
i = json.load(open(sys.argv[1]))
assert i["architecture"] == "bert" and i["dim"] == 64 and i["pooling"] == "cls"
assert i["window"] == 512 and i["lowercase"] is False and "pi" in i["methods"]
assert any(f["name"] == "model.safetensors" for f in i["files"])
'
# precision: auto by default on the command line (bf16 where the CPU multiplies
# bf16 natively, as /proc/cpuinfo says, else fp32); --precision fp32 asks for fp32
want=fp32
grep -qwE "avx512_bf16|amx_bf16" /proc/cpuinfo && want=bf16
check "info JSON: precision auto by default ($want here)" json_check "
import json, sys
assert json.load(open(sys.argv[1]))['precision'] == '$want'
"
expect_ok "info --precision fp32" "$LE" info -m "$TINY" --json --precision fp32
check "info JSON: --precision fp32 runs fp32" json_check '
import json, sys
assert json.load(open(sys.argv[1]))["precision"] == "fp32"
'
expect_ok "info text" "$LE" info -m "$TINY"
check "info text names pooling and window" grep -q "window         512 tokens" "$TMP/out"

expect_fail "fetch-model unknown alias" 'unknown model alias "bogus"' "$LE" fetch-model bogus
expect_ok "help" "$LE" --help
check "help lists embed" grep -q "embed" "$TMP/out"


# passages: spans in characters and bytes that cover the text; a chunk passage's
# vector equals embedding its own text; late chunking differs; the document
# vector is the mean of the passages
python3 -c "print(' '.join(['naïve word%d.' % i for i in range(120)]))" > "$TMP/para.txt"
# fp32 for the bitwise comparison below (see "files keep order" above)
expect_ok "embed --passages" "$LE" embed -m "$TINY" --precision fp32 --passages 40 --passage-overlap 8 "$TMP/para.txt"
cp "$TMP/out" "$TMP/chunk.jsonl"
check "passages cover the text, ≤ 40 tokens, overlap, char and byte spans agree" python3 -c '
import json, sys
r = json.loads(open(sys.argv[1]).readline())
text = open(sys.argv[2], encoding="utf-8").read()
raw = text.encode("utf-8")
ps = r["passages"]
assert r["passage_mode"] == "chunk" and r["windows"] == len(ps) > 3, r["windows"]
assert ps[0]["token_start"] == 0 and ps[-1]["byte_end"] == len(raw)
for a, b in zip(ps, ps[1:]):
    assert b["token_start"] < a["token_end"] <= b["token_start"] + 8   # they overlap, by <= 8
for p in ps:
    assert p["token_end"] - p["token_start"] <= 40
    assert text[p["start"]:p["end"]].encode("utf-8") == raw[p["byte_start"]:p["byte_end"]]
' "$TMP/chunk.jsonl" "$TMP/para.txt"
python3 -c '
import json, sys
r = json.loads(open(sys.argv[1]).readline())
text = open(sys.argv[2], encoding="utf-8").read()
for p in r["passages"]:
    print(json.dumps({"text": text[p["start"]:p["end"]]}))
' "$TMP/chunk.jsonl" "$TMP/para.txt" > "$TMP/pieces.jsonl"
expect_ok "embed the passage texts" "$LE" embed -m "$TINY" --precision fp32 < "$TMP/pieces.jsonl"
check "a chunk passage is its text embedded alone (bitwise); the document is their mean" python3 -c '
import json, sys, math
r = json.loads(open(sys.argv[1]).readline())
alone = [json.loads(l) for l in open(sys.argv[2])]
assert [p["embedding"] for p in r["passages"]] == [a["embedding"] for a in alone]
n = len(alone)
mean = [sum(a["embedding"][d] for a in alone) / n for d in range(64)]
norm = math.sqrt(sum(x * x for x in mean))
assert max(abs(m / norm - x) for m, x in zip(mean, r["embedding"])) < 1e-5
' "$TMP/chunk.jsonl" "$TMP/out"
expect_ok "embed --passage-mode late" "$LE" embed -m "$TINY" --passages 40 --passage-overlap 8 \
    --passage-mode late --extend pi --max-tokens 1024 "$TMP/para.txt"
check "late chunking: same spans, one window, other vectors" python3 -c '
import json, sys
c = json.loads(open(sys.argv[1]).readline())
l = json.loads(open(sys.argv[2]).readline())
assert l["passage_mode"] == "late" and l["windows"] == 1
assert [(p["start"], p["end"]) for p in c["passages"]] == [(p["start"], p["end"]) for p in l["passages"]]
assert c["passages"][1]["embedding"] != l["passages"][1]["embedding"]
' "$TMP/chunk.jsonl" "$TMP/out"
expect_fail "passages larger than the window" "do not fit" "$LE" embed -m "$TINY" --passages 600 "$TMP/para.txt"
expect_fail "overlap >= size" "overlap" "$LE" embed -m "$TINY" --passages 10 --passage-overlap 10 "$TMP/para.txt"
expect_fail "--passage-mode without --passages" "need --passages" "$LE" embed -m "$TINY" --passage-mode late "$TMP/para.txt"
expect_fail "unknown passage mode" "chunk, late" "$LE" embed -m "$TINY" --passages 10 --passage-mode lat "$TMP/para.txt"

finish
