#!/usr/bin/env bash
# The server end to end on the tiny model: vectors equal to `longembed embed`,
# every bad input with its status, stalled and vanishing clients, concurrent
# index writes and searches, signals (tests/server/server_test.py).
exec python3 "$(dirname "$0")/server_test.py" "$1"
