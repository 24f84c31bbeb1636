#!/bin/bash
# The shared library exports exactly the functions include/longembed.h
# declares with LE_API: nothing internal leaks (le_fail, le_pool_*, …), and
# nothing declared is missing. The le_bench_* functions (LE_BENCH_API) live
# in the static longembed_bench library and must not be in the core.
# Run from the repository root with the build directory as $1.
set -u
lib="$1/liblongembed.so"
header=include/longembed.h
if [ ! -f "$lib" ]; then
    echo "FAILED: $lib was not built" >&2
    exit 1
fi
T=$(mktemp -d /tmp/le-exports-XXXXXX)
trap 'rm -rf "$T"' EXIT

# every symbol the library defines in its dynamic table (functions or data)
nm -D --defined-only "$lib" | awk 'NF >= 3 {print $3}' | sed 's/@.*//' | sort -u >"$T/exported"
# the names of the header's LE_API declarations (up to the first parenthesis)
perl -0777 -ne 'print "$1\n" while /\bLE_API\s+[^;{(]*?\b(le_\w+)\s*\(/g' "$header" |
    sort -u >"$T/declared"
fail=0
if [ ! -s "$T/declared" ]; then
    echo "FAILED: no LE_API declaration found in $header" >&2
    fail=1
fi
if ! diff -u "$T/declared" "$T/exported" >"$T/diff"; then
    echo "FAILED: liblongembed.so exports differ from the LE_API declarations of $header" >&2
    echo "(- declared but not exported, + exported but not declared):" >&2
    cat "$T/diff" >&2
    fail=1
fi
if grep -q '^le_bench_' "$T/exported"; then
    echo "FAILED: the benchmark's functions are in the core library" >&2
    fail=1
fi
[ $fail -eq 0 ] && echo "liblongembed.so exports the $(wc -l <"$T/declared") functions of $header"
exit $fail
