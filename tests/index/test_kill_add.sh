#!/bin/bash
# Crash safety of `longembed index add`, end to end: the real command is
# killed with SIGKILL at random moments, at least 50 times, while it adds new
# documents and replaces old ones. After every kill the index must open and
# verify (checksums and postings), and hold exactly the previous state or
# the new one: never a mix, never a lost earlier document. Two thirds of the
# rounds embed with the tiny fixture model, one third build a BM25-only
# index. Run from the repository root with the build directory as $1.
set -u
LE="$1/longembed"
TINY=tests/fixtures/bert-cased-tiny
T=$(mktemp -d /tmp/le-kill-add-XXXXXX)
trap 'rm -rf "$T"' EXIT
KILLS_WANTED=${LE_KILL_ROUNDS:-50}
mkdir -p "$T/docs"

words=(river bread lease tenant wheel torque licence notice board warehouse mussel survey
       starter oven lighthouse letter trial sleep bearing vacuum salt keeper damages freight
       roof bees hiring freeze site flour yeast clause party valley mill harbour ledger)
write_doc() { # id version
    local f="$T/docs/doc_$1.txt" i
    {
        echo "doc $1 version $2"
        for ((i = 0; i < 60; i++)); do printf '%s ' "${words[(RANDOM + $1 * 7 + $2) % ${#words[@]}]}"; done
        echo
    } >"$f"
}

# the index's contents as sorted "id<TAB>title" lines
state() { # index
    "$LE" index info --index "$1" --json --docs | python3 -c '
import json, sys
d = json.load(sys.stdin)
for doc in sorted(d["docs"], key=lambda x: x["id"]):
    print(doc["id"] + "\t" + doc["title"])'
}

now_ms() { date +%s%3N; }

fail=0
declare -A next_id old_count new_count killed_count
run_round() { # kind (model|bm25), round number; sets $outcome
    local kind=$1 round=$2 idx="$T/$1.lei" exp="$T/$1.expected"
    local args=() batch=() k
    if [ "$kind" = model ]; then args=(-m "$TINY"); else args=(--bm25-only); fi
    # four new documents and two replacements of existing ones
    for k in 0 1 2 3; do
        batch+=("${next_id[$kind]}")
        next_id[$kind]=$((next_id[$kind] + 1))
    done
    if [ "${next_id[$kind]}" -gt 6 ]; then
        batch+=($((RANDOM % (next_id[$kind] - 4))) $((RANDOM % (next_id[$kind] - 4))))
    fi
    local files=()
    for k in "${batch[@]}"; do
        write_doc "$k" "$round"
        files+=("$T/docs/doc_$k.txt")
    done
    # the state a complete add would give
    cp "$exp" "$exp.new"
    for k in "${batch[@]}"; do
        grep -v -F "$T/docs/doc_$k.txt	" "$exp.new" >"$exp.tmp"
        printf '%s\t%s\n' "$T/docs/doc_$k.txt" "doc $k version $round" >>"$exp.tmp"
        sort -u "$exp.tmp" -o "$exp.new"
    done
    # a random moment within the time a whole add takes (the shortest seen so far)
    local delay=$(( (RANDOM * 32768 + RANDOM) % (duration[$kind] + 1) ))
    local t0
    t0=$(now_ms)
    "$LE" index add -q --index "$idx" "${args[@]}" "${files[@]}" >/dev/null 2>"$T/add.err" &
    local pid=$!
    sleep "$((delay / 1000)).$(printf '%03d' $((delay % 1000)))"
    kill -9 "$pid" 2>/dev/null
    { wait "$pid"; } 2>/dev/null
    local status=$?
    if [ "$status" -eq 0 ]; then
        local took=$(($(now_ms) - t0))
        [ "$took" -lt "${duration[$kind]}" ] && duration[$kind]=$took
    fi
    if ! "$LE" index verify --deep --index "$idx" >"$T/verify.out" 2>&1; then
        echo "FAILED: round $round ($kind): the index does not verify after a kill:" >&2
        cat "$T/verify.out" >&2
        fail=1
        return
    fi
    state "$idx" | sort >"$T/actual"
    if cmp -s "$T/actual" "$exp"; then
        outcome=old
    elif cmp -s "$T/actual" "$exp.new"; then
        outcome=new
        mv "$exp.new" "$exp"
    else
        echo "FAILED: round $round ($kind, add exit $status): the index holds a mixed state" >&2
        diff "$exp" "$T/actual" | head -20 >&2
        fail=1
        outcome=bad
        return
    fi
    [ "$status" -eq 137 ] && killed_count[$kind]=$((${killed_count[$kind]:-0} + 1))
    [ "$status" -ne 137 ] && [ "$outcome" = old ] && {
        echo "FAILED: round $round ($kind): add exited $status without adding:" >&2
        cat "$T/add.err" >&2
        fail=1
    }
    [ "$outcome" = old ] && old_count[$kind]=$((${old_count[$kind]:-0} + 1))
    [ "$outcome" = new ] && new_count[$kind]=$((${new_count[$kind]:-0} + 1))
}

# a first, complete add per kind: the starting state and how long an add takes
declare -A duration
for kind in model bm25; do
    next_id[$kind]=0
    files=()
    for k in 0 1 2 3 4 5; do
        write_doc "$k" 0
        files+=("$T/docs/doc_$k.txt")
    done
    next_id[$kind]=6
    if [ "$kind" = model ]; then args=(-m "$TINY"); else args=(--bm25-only); fi
    t0=$(now_ms)
    "$LE" index add -q --index "$T/$kind.lei" "${args[@]}" "${files[@]}" >/dev/null || {
        echo "FAILED: the first $kind add" >&2
        exit 1
    }
    duration[$kind]=$(($(now_ms) - t0))
    state "$T/$kind.lei" | sort >"$T/$kind.expected"
    [ "$(wc -l <"$T/$kind.expected")" -eq 6 ] || { echo "FAILED: first $kind add holds $(wc -l <"$T/$kind.expected") documents" >&2; exit 1; }
done

round=1
kills=0
while [ "$kills" -lt "$KILLS_WANTED" ] && [ "$round" -le $((KILLS_WANTED * 4)) ] && [ "$fail" -eq 0 ]; do
    if [ $((round % 3)) -eq 0 ]; then kind=bm25; else kind=model; fi
    run_round "$kind" "$round"
    kills=$((${killed_count[model]:-0} + ${killed_count[bm25]:-0}))
    round=$((round + 1))
done

echo "kill rounds: $((round - 1)); killed mid-add: $kills (model ${killed_count[model]:-0}, bm25 ${killed_count[bm25]:-0});" \
     "old state after: model ${old_count[model]:-0}, bm25 ${old_count[bm25]:-0};" \
     "new state after: model ${new_count[model]:-0}, bm25 ${new_count[bm25]:-0};" \
     "add took ${duration[model]} ms (model), ${duration[bm25]} ms (bm25)"
if [ "$kills" -lt "$KILLS_WANTED" ]; then
    echo "FAILED: only $kills of $KILLS_WANTED kills landed while index add ran" >&2
    fail=1
fi
if [ "${old_count[model]:-0}" -eq 0 ] || [ "$(( ${new_count[model]:-0} + ${new_count[bm25]:-0} ))" -eq 0 ]; then
    echo "FAILED: the kills never left the old state, or never the new one" >&2
    fail=1
fi
# the index still takes a normal add afterwards
"$LE" index add -q --index "$T/model.lei" -m "$TINY" "$T/docs/doc_0.txt" >/dev/null || fail=1
"$LE" index verify --deep --index "$T/model.lei" >/dev/null || fail=1
[ ! -e "$T/model.lei.tmp" ] || { echo "FAILED: a temporary file was left behind" >&2; fail=1; }
exit $fail
