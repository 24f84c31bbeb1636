# Helpers for the CLI tests: run from the repository root with the build dir
# as $1. Each check counts; the script exits 1 if any failed.
set -u
BUILD=${1:?build dir}
LE="$BUILD/longembed"
TINY=tests/fixtures/bert-cased-tiny
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT
checks=0
failures=0

fail() {
    failures=$((failures + 1))
    echo "FAIL: $*" >&2
}

# expect_fail NAME PATTERN CMD...: CMD must exit non-zero (not crash: exit < 128)
# and print PATTERN (grep -E) on stderr.
expect_fail() {
    local name=$1 pattern=$2
    shift 2
    checks=$((checks + 1))
    "$@" > "$TMP/out" 2> "$TMP/err"
    local rc=$?
    if [ $rc -eq 0 ]; then
        fail "$name: exit 0, expected a failure"
    elif [ $rc -ge 128 ]; then
        fail "$name: crashed (exit $rc)"; cat "$TMP/err" >&2
    elif ! grep -Eq -- "$pattern" "$TMP/err"; then
        fail "$name: stderr does not match /$pattern/:"; cat "$TMP/err" >&2
    fi
}

# expect_ok NAME CMD...: CMD must exit 0; its stdout is left in $TMP/out.
expect_ok() {
    local name=$1
    shift
    checks=$((checks + 1))
    "$@" > "$TMP/out" 2> "$TMP/err"
    local rc=$?
    [ $rc -eq 0 ] || { fail "$name: exit $rc"; cat "$TMP/err" >&2; }
}

# check NAME CONDITION-CMD...
check() {
    local name=$1
    shift
    checks=$((checks + 1))
    "$@" || fail "$name"
}

finish() {
    echo "$(basename "$0"): $checks checks, $failures failed" >&2
    [ $checks -gt 0 ] && [ $failures -eq 0 ]
}
