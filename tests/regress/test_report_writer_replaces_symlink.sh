#!/bin/bash
# Bug (issue 13): a report written through a symbolic link (bench --json
# link.json) replaced the link by a regular file and left the file it
# pointed at as it was. Fixed: base/outfile.c follows the link and replaces
# the file it names (a dangling link: the file it names is created), so the
# link stays a link.
. tests/cli/lib.sh
HAY=${LE_HAYSTACK_DIR:-../shared/data/haystack}
BENCH=(timeout 60 "$LE" bench -q --tasks passkey --lengths 256 --retriever bm25 --haystack "$HAY")

mkdir "$TMP/real"
echo old > "$TMP/real/r.json"
ln -s real/r.json "$TMP/link.json"
expect_ok "report through a link" "${BENCH[@]}" --json "$TMP/link.json"
check "the link is still a link" test -L "$TMP/link.json"
check "the file it names holds the report" grep -q '"results"' "$TMP/real/r.json"
check "no temporary file is left" test -z "$(find "$TMP" -name '*.tmp*')"

# a chain of links, the last one dangling: the file at its end is created
ln -s real/new.md "$TMP/b.md"
ln -s b.md "$TMP/a.md"
expect_ok "report through a dangling chain" "${BENCH[@]}" --markdown "$TMP/a.md"
check "both links stay links" test -L "$TMP/a.md" -a -L "$TMP/b.md"
check "the file at the chain's end was created" grep -q '^| bm25 |' "$TMP/real/new.md"
finish
