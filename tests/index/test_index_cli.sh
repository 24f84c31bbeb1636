#!/bin/bash
# longembed index and search through the CLI: building an index of the
# sample documents with the tiny fixture model (whole documents, pi), the
# three search modes and JSON output, replacing, deleting and compacting,
# refusing another model or method, BM25-only indexes, the writer lock, and
# clear errors (never a crash) for corrupted, truncated and foreign files.
# Run from the repository root with the build directory as $1.
set -u
LE="$1/longembed"
TINY=tests/fixtures/bert-cased-tiny
OTHER=tests/fixtures/bert-cased-tiny-prefixed
T=$(mktemp -d /tmp/le-index-cli-XXXXXX)
trap 'rm -rf "$T"' EXIT
fail=0
check() { # description, then a command that must succeed
    local what="$1"; shift
    if ! "$@"; then echo "FAILED: $what" >&2; fail=1; fi
}
fails_with() { # description, expected message part, command...: exit 1 and the message
    local what="$1" msg="$2"; shift 2
    "$@" >"$T/out" 2>"$T/err"
    local st=$?
    if [ $st -ne 1 ]; then echo "FAILED: $what: exit $st, expected 1" >&2; cat "$T/err" >&2; fail=1; return; fi
    if ! grep -q -- "$msg" "$T/err"; then
        echo "FAILED: $what: the message lacks \"$msg\":" >&2; cat "$T/err" >&2; fail=1
    fi
}
IX="$T/s.lei"
cp samples/*.txt "$T/"
DOCS=$(ls "$T"/*.txt)

# build: whole documents with pi
"$LE" index add -q --index "$IX" -m "$TINY" --extend pi --max-tokens 8192 --no-passages $DOCS >"$T/add.out"
check "add exits 0" test $? -eq 0
check "add reports the documents and rates" grep -q "^added 8 documents (.* tokens) in .* documents/s, .* tokens/s; .* holds 8 documents" "$T/add.out"
"$LE" index info --index "$IX" >"$T/info.txt"
check "info: the model" grep -q "^model  *bert-cased-tiny" "$T/info.txt"
check "info: the method" grep -q "extend pi, max tokens 8192" "$T/info.txt"
check "info: 8 documents" grep -q "^documents  *8 (0 deleted" "$T/info.txt"
check "verify --deep" bash -c "'$LE' index verify --deep --index '$IX' | grep -q '^ok: .*8 documents'"

# search: three modes, text and JSON
"$LE" search --index "$IX" --mode bm25 -k 3 "what torque for the reaction wheel retaining nut" >"$T/bm25.txt"
check "bm25: the manual first" bash -c "head -1 '$T/bm25.txt' | grep -q 'spacecraft-maintenance-manual.txt'"
check "bm25: only documents that hold a query term" test "$(wc -l <"$T/bm25.txt")" -eq 1
"$LE" search --index "$IX" --mode bm25 -k 3 "river bread tenant board" >"$T/bm25b.txt"
check "bm25: k hits" test "$(wc -l <"$T/bm25b.txt")" -eq 3
"$LE" search --index "$IX" -k 8 "can the tenant keep bees on the roof" >"$T/dense.txt"
check "dense (default mode, the index's model): 8 hits" test "$(wc -l <"$T/dense.txt")" -eq 8
"$LE" search --index "$IX" --mode hybrid --json -k 5 "termination for convenience" "bees on the roof" >"$T/h.jsonl"
check "hybrid json: one object per query" test "$(wc -l <"$T/h.jsonl")" -eq 2
check "hybrid json: parses, 5 ranked hits with components" python3 -c "
import json, sys
for line in open('$T/h.jsonl'):
    o = json.loads(line)
    assert o['mode'] == 'hybrid' and len(o['hits']) == 5, o
    assert [h['rank'] for h in o['hits']] == [1, 2, 3, 4, 5]
    assert all('dense' in h or 'bm25' in h for h in o['hits'])
    s = [h['score'] for h in o['hits']]
    assert s == sorted(s, reverse=True), s
"
printf 'reaction wheel bearing\tx\nroof bees\n' | "$LE" search --index "$IX" --mode bm25 -k 1 >"$T/stdin.txt"
check "queries from stdin (first tab field)" test "$(grep -c '^? ' "$T/stdin.txt")" -eq 2
"$LE" search --index "$IX" --mode rrf -k 1 x >/dev/null 2>&1
check "an unknown mode is a usage error" test $? -eq 2

# replace, delete, compact
cp "$T/office-lease.txt" "$T/lease.orig"
{ echo "REVISED LEASE"; cat "$T/lease.orig"; } >"$T/office-lease.txt"
"$LE" index add -q --index "$IX" "$T/office-lease.txt" >/dev/null
check "re-adding an id (model and method from the index) keeps 8 documents" \
    bash -c "'$LE' index info --index '$IX' | grep -q '^documents  *8 (1 deleted'"
check "the replacement is the one found" bash -c "'$LE' index info --index '$IX' --docs | grep -q 'REVISED LEASE'"
"$LE" index delete --index "$IX" "$T/novel-chapter.txt" "no-such-id" >"$T/del.txt"
check "delete reports what it found" grep -q "deleted 1 of 2 ids" "$T/del.txt"
check "7 documents" bash -c "'$LE' index info --index '$IX' --json | python3 -c 'import json,sys; d=json.load(sys.stdin); assert d[\"documents\"]==7 and d[\"deleted\"]==2 and d[\"segments\"]==2, d'"
"$LE" index compact --index "$IX" >"$T/compact.txt"
check "compact" grep -q "^compacted" "$T/compact.txt"
check "compact: one segment, nothing deleted" bash -c "'$LE' index info --index '$IX' --json | python3 -c 'import json,sys; d=json.load(sys.stdin); assert d[\"documents\"]==7 and d[\"deleted\"]==0 and d[\"segments\"]==1, d'"
check "verify after compact" bash -c "'$LE' index verify --deep --index '$IX' >/dev/null"

# another model or method is refused, with what differs
fails_with "another method" "refusing to mix: extension method none instead of pi" \
    "$LE" index add -q --index "$IX" -m "$TINY" --extend none "$T/history-of-bread.txt"
fails_with "another max tokens" "max tokens 4096 instead of 8192" \
    "$LE" index add -q --index "$IX" -m "$TINY" --max-tokens 4096 "$T/history-of-bread.txt"
fails_with "another model" "refusing" \
    "$LE" index add -q --index "$IX" -m "$OTHER" --extend pi --max-tokens 8192 "$T/history-of-bread.txt"
fails_with "a query with another model" "refusing" \
    "$LE" search --index "$IX" -m "$OTHER" "bees"
fails_with "a too-long document without --extend" "--truncate" \
    "$LE" index add -q --index "$T/new.lei" -m "$TINY" --no-passages "$T/history-of-bread.txt"

# passages (the default of a new index): long documents need no method, each
# hit shows its best passage, the layout is part of the identity
PX="$T/p.lei"
"$LE" index add -q --index "$PX" -m "$TINY" $DOCS >"$T/padd.out"
check "passages: add exits 0 without --extend" test $? -eq 0
"$LE" index info --index "$PX" >"$T/pinfo.txt"
check "passages: info shows them (window less the specials, an eighth overlapping)" grep -q "^passages  *[0-9][0-9]* (510 tokens, overlap 64, chunk)" "$T/pinfo.txt"
"$LE" search --index "$PX" -k 3 "what torque for the reaction wheel retaining nut" >"$T/psearch.txt"
check "passages: the manual first" bash -c "head -1 '$T/psearch.txt' | grep -q 'spacecraft-maintenance-manual.txt'"
check "passages: each hit shows its passage" test "$(grep -c '^ *passage [0-9]' "$T/psearch.txt")" -eq 3
"$LE" search --index "$PX" --mode hybrid -k 2 --json "reaction wheel torque" >"$T/phyb.json"
check "passages: hybrid JSON carries the passage text" python3 -c "import json; d=json.load(open('$T/phyb.json')); p=d['hits'][0]['passage']; assert p['text'] and p['end']>p['start'], p"
"$LE" index add -q --index "$T/pl.lei" -m "$TINY" --extend pi --max-tokens 4096 --passages 40 --passage-overlap 8 --passage-mode late $DOCS >/dev/null
check "late passages: add exits 0" test $? -eq 0
check "late passages: info" bash -c "'$LE' index info --index '$T/pl.lei' | grep -q '(40 tokens, overlap 8, late)'"
check "late passages: verify --deep" bash -c "'$LE' index verify --deep --index '$T/pl.lei' | grep -q '^ok'"
fails_with "another passage size is refused" "passage" \
    "$LE" index add -q --index "$T/pl.lei" -m "$TINY" --extend pi --max-tokens 4096 --passages 30 "$T/history-of-bread.txt"
"$LE" index add -q --index "$T/pl.lei" "$T/history-of-bread.txt" >/dev/null
check "an existing index's passages are kept when not given" test $? -eq 0
"$LE" index add -q --index "$T/x.lei" -m "$TINY" --no-passages --passages 20 "$T/history-of-bread.txt" 2>"$T/err"
check "--no-passages with --passages: usage error" test $? -eq 2
fails_with "passages larger than the window" "do not fit" \
    "$LE" index add -q --index "$T/y.lei" -m "$TINY" --passages 5000 "$T/history-of-bread.txt"

# BM25-only indexes
"$LE" index add -q --index "$T/b.lei" --bm25-only $DOCS >/dev/null
check "bm25-only add" test $? -eq 0
check "bm25-only: default search is bm25" bash -c "'$LE' search --index '$T/b.lei' -k 1 'sourdough starter electricity' | grep -q history-of-bread"
fails_with "bm25-only: dense is refused" "no dense vectors" "$LE" search --index "$T/b.lei" --mode dense "x"
fails_with "bm25-only: a model is refused" "BM25 only" "$LE" index add -q --index "$T/b.lei" -m "$TINY" "$T/history-of-bread.txt"

# one writer at a time; readers are not blocked
flock "$IX.lock" sleep 3 &
sleep 0.5
fails_with "a second writer" "locked by another writer" "$LE" index add -q --index "$IX" "$T/office-lease.txt"
check "a reader while a writer holds the lock" bash -c "'$LE' search --index '$IX' --mode bm25 -k 1 bees >/dev/null"
wait

# damaged files: clear errors, never a crash
cp "$IX" "$T/c.lei"
size=$(stat -c %s "$T/c.lei")
printf '\x55' | dd of="$T/c.lei" bs=1 seek=$((size / 2)) conv=notrunc status=none
fails_with "a flipped byte" "checksum mismatch" "$LE" index verify --index "$T/c.lei"
fails_with "a flipped byte, searched" "checksum mismatch" "$LE" search --index "$T/c.lei" --mode bm25 x
cp "$IX" "$T/t.lei"
truncate -s $((size - 100)) "$T/t.lei"
fails_with "a truncated file" "truncated" "$LE" index verify --index "$T/t.lei"
truncate -s 50 "$T/t.lei"
fails_with "a stub" "shorter than the 128-byte header" "$LE" index info --index "$T/t.lei"
check "a stub is not overwritten by a writer" bash -c "! '$LE' index add -q --index '$T/t.lei' --bm25-only '$T/office-lease.txt' 2>/dev/null"
fails_with "a text file" "not a longembed index file" "$LE" index verify --index samples/queries.tsv
fails_with "a missing file" "cannot open" "$LE" index info --index "$T/missing.lei"
: >"$T/empty.lei"
fails_with "an empty file" "shorter than" "$LE" index verify --index "$T/empty.lei"
# 300 bytes spread over the file flipped in turn: each open fails cleanly or (padding) succeeds
for ((off = 0; off < size; off += size / 300 + 1)); do
    cp "$IX" "$T/f.lei"
    printf '\xa7' | dd of="$T/f.lei" bs=1 seek=$off conv=notrunc status=none
    "$LE" index verify --index "$T/f.lei" >/dev/null 2>"$T/err"
    st=$?
    if [ $st -ne 0 ] && [ $st -ne 1 ]; then echo "FAILED: flipped byte $off: exit $st" >&2; cat "$T/err" >&2; fail=1; break; fi
    if [ $st -eq 1 ] && ! grep -q "longembed: .*$T/f.lei" "$T/err"; then
        echo "FAILED: flipped byte $off: the message does not name the file" >&2; cat "$T/err" >&2; fail=1; break
    fi
done
exit $fail
