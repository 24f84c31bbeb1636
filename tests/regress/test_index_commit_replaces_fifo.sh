#!/bin/bash
# Bug (issue 13): `index add --index X` renamed its new file over X whatever
# X was: a FIFO (or a device) became an index file. And a lock file
# X.lock that was a symbolic link was followed: the writer truncated the
# file it pointed at and wrote its pid into it. Fixed: the writer refuses an
# index path that exists and is not a regular file (base/outfile.c), and
# opens its lock file without following links, refusing one that is not a
# regular file. Readers given a FIFO as the index waited for a writer
# forever: base/mapfile.c opens without blocking and refuses it.
. tests/cli/lib.sh
echo "the reaction wheel retaining nut" > "$TMP/doc.txt"
ADD=(timeout 20 "$LE" index add -q --bm25-only) # a FIFO used to block the reader

mkfifo "$TMP/fifo.lei"
expect_fail "a FIFO index is refused" "fifo.lei.*not a regular file" \
    "${ADD[@]}" --index "$TMP/fifo.lei" "$TMP/doc.txt"
check "the FIFO is still a FIFO" test -p "$TMP/fifo.lei"
mkdir "$TMP/dir.lei"
expect_fail "a directory index is refused" "dir.lei.*not a regular file" \
    "${ADD[@]}" --index "$TMP/dir.lei" "$TMP/doc.txt"
check "the directory is still one" test -d "$TMP/dir.lei"
ln -s fifo.lei "$TMP/to-fifo.lei"
expect_fail "a link to a FIFO is refused" "to-fifo.lei.*not a regular file" \
    "${ADD[@]}" --index "$TMP/to-fifo.lei" "$TMP/doc.txt"
check "the link stays" test -L "$TMP/to-fifo.lei" -a -p "$TMP/fifo.lei"
# readers of a FIFO given as the index do not wait for a writer either
expect_fail "search of a FIFO is refused" "fifo.lei.*not a regular file" \
    timeout 20 "$LE" search --index "$TMP/fifo.lei" --mode bm25 nut
expect_fail "info of a FIFO is refused" "fifo.lei.*not a regular file" \
    timeout 20 "$LE" index info --index "$TMP/fifo.lei"

# the lock file: never followed through a link
echo "precious" > "$TMP/victim"
ln -s victim "$TMP/x.lei.lock"
expect_fail "a symlinked lock file is refused" "x.lei.lock.*not a regular file" \
    "${ADD[@]}" --index "$TMP/x.lei" "$TMP/doc.txt"
check "the file the lock link names is untouched" test "$(cat "$TMP/victim")" = precious
check "no index was written" test ! -e "$TMP/x.lei"
finish
