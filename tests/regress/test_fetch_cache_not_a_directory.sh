#!/bin/bash
# Bug (issue 13): when the cache's place for a model (CACHE/models/ALIAS)
# was a file, a FIFO or a dangling link, fetch-model downloaded the whole
# wheel first and only then failed to rename the model into place ("Not a
# directory"). Fixed: the fetch checks its target first (base/outfile.c,
# le_outdir_check) and refuses one that exists and is not a directory,
# naming it, before anything is downloaded.
. tests/cli/lib.sh
# a python3 that records being run, so that no test ever reaches PyPI
mkdir "$TMP/bin"
printf '#!/bin/sh\ntouch "%s/ran"\nexit 1\n' "$TMP" > "$TMP/bin/python3"
chmod +x "$TMP/bin/python3"
mkdir -p "$TMP/cache/models"
mkfifo "$TMP/cache/models/minilm"
PATH="$TMP/bin:$PATH" expect_fail "a FIFO in the model's place is refused" \
    "models/minilm: is a FIFO, not a directory" \
    timeout 20 "$LE" fetch-model --cache-dir "$TMP/cache" minilm
check "nothing was downloaded" test ! -e "$TMP/ran"
check "the FIFO is still there" test -p "$TMP/cache/models/minilm"
rm "$TMP/cache/models/minilm"
echo "not a model" > "$TMP/cache/models/minilm"
PATH="$TMP/bin:$PATH" expect_fail "a file in the model's place is refused" \
    "models/minilm: is a regular file, not a directory" \
    timeout 20 "$LE" fetch-model --cache-dir "$TMP/cache" minilm
check "nothing was downloaded" test ! -e "$TMP/ran"
check "the file is untouched" test "$(cat "$TMP/cache/models/minilm")" = "not a model"
rm "$TMP/cache/models/minilm"
ln -s nowhere "$TMP/cache/models/minilm"
PATH="$TMP/bin:$PATH" expect_fail "a dangling link in the model's place is refused" \
    "models/minilm: is a link to nothing, not a directory" \
    timeout 20 "$LE" fetch-model --cache-dir "$TMP/cache" minilm
check "nothing was downloaded" test ! -e "$TMP/ran"
finish
