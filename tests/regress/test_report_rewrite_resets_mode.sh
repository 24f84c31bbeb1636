#!/bin/bash
# Bug (issue 13): a report replaced over an existing file always got mode
# 0644 (the temporary file was chmod'ed to it), so a private 0600 report
# became readable by everyone, and a new one ignored the umask. Fixed: the
# replacement keeps the permission bits (and, where permitted, the owner and
# group) of the file it replaces; a new file gets 0666 less the umask, as a
# shell redirection would.
. tests/cli/lib.sh
HAY=${LE_HAYSTACK_DIR:-../shared/data/haystack}
BENCH=(timeout 60 "$LE" bench -q --tasks passkey --lengths 256 --retriever bm25 --haystack "$HAY")

echo old > "$TMP/r.json"
chmod 600 "$TMP/r.json"
expect_ok "rewrite a private report" "${BENCH[@]}" --json "$TMP/r.json"
check "rewritten" grep -q '"results"' "$TMP/r.json"
check "still 600 (got $(stat -c %a "$TMP/r.json"))" test "$(stat -c %a "$TMP/r.json")" = 600
chmod 640 "$TMP/r.json"
expect_ok "rewrite a 640 report" "${BENCH[@]}" --json "$TMP/r.json"
check "still 640 (got $(stat -c %a "$TMP/r.json"))" test "$(stat -c %a "$TMP/r.json")" = 640
if [ "$(id -u)" = 0 ]; then # as root the owner and group can be kept too
    chown 65534:65534 "$TMP/r.json"
    expect_ok "rewrite another user's report" "${BENCH[@]}" --json "$TMP/r.json"
    check "owner and group kept" test "$(stat -c %u:%g "$TMP/r.json")" = 65534:65534
fi
# a new file: the umask decides
(umask 077 && "${BENCH[@]}" --plot "$TMP/new.svg" >/dev/null)
check "a new file under umask 077 is 600 (got $(stat -c %a "$TMP/new.svg"))" \
    test "$(stat -c %a "$TMP/new.svg")" = 600
(umask 022 && "${BENCH[@]}" --plot "$TMP/new2.svg" >/dev/null)
check "a new file under umask 022 is 644" test "$(stat -c %a "$TMP/new2.svg")" = 644
finish
