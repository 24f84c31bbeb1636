#!/bin/bash
# Bug (issue 13): bench's --json, --markdown and --plot wrote a temporary
# file and renamed it over the target whatever the target was, so a FIFO
# (and, as root, a device such as /dev/null) was replaced by a regular file.
# Fixed: every whole-file writer goes through base/outfile.c, which refuses
# a target that exists and is not a regular file (exit 1, naming it); `-`
# writes the report to standard output instead.
. tests/cli/lib.sh
HAY=${LE_HAYSTACK_DIR:-../shared/data/haystack}
BENCH=(timeout 60 "$LE" bench -q --tasks passkey --lengths 256 --retriever bm25 --haystack "$HAY")

mkfifo "$TMP/fifo"
mkdir "$TMP/dir"
for opt in --json --markdown --plot; do
    expect_fail "$opt FIFO refused" "fifo.*not a regular file" "${BENCH[@]}" $opt "$TMP/fifo"
    check "$opt: the FIFO is still a FIFO" test -p "$TMP/fifo"
    expect_fail "$opt directory refused" "dir.*not a regular file" "${BENCH[@]}" $opt "$TMP/dir"
    check "$opt: the directory is still one" test -d "$TMP/dir"
done
# a symlink to a FIFO: the FIFO is what would be replaced, so refused too
ln -s fifo "$TMP/to-fifo"
expect_fail "link to a FIFO refused" "to-fifo.*not a regular file" "${BENCH[@]}" --json "$TMP/to-fifo"
check "the link to the FIFO stays a link" test -L "$TMP/to-fifo"

# `-` is standard output, after the table (run in a directory of its own,
# where the bug left a file named "-")
mkdir "$TMP/cwd"
HAY=$(cd "$HAY" && pwd)
BENCH=(timeout 60 "$LE" bench -q --tasks passkey --lengths 256 --retriever bm25 --haystack "$HAY")
expect_ok "--json - writes to stdout" bash -c 'cd "$1" && shift && exec "$@"' _ "$TMP/cwd" \
    "${BENCH[@]}" --json -
check "the JSON report is on stdout" grep -q '"results"' "$TMP/out"
check "no file named -" test ! -e "$TMP/cwd/-"
finish
