#!/bin/bash
# Bug (issue 13): a small file read whole (a model's tokenizer.json or
# config.json, a task file, an essay of the haystack, a cache entry) that
# was a FIFO made longembed wait forever for a writer to open it. Fixed:
# base/mapfile.c's le_read_file opens without blocking and refuses a file
# that is not a regular one, naming it (as le_mapfile_open, which the index
# readers use).
. tests/cli/lib.sh
cp -r "$TINY" "$TMP/model"
rm "$TMP/model/tokenizer.json"
mkfifo "$TMP/model/tokenizer.json"
expect_fail "a FIFO as tokenizer.json is refused" "tokenizer.json.*not a regular file" \
    timeout 20 "$LE" tokenize -m "$TMP/model" README.md
finish
