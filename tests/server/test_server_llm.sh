#!/usr/bin/env bash
# The decoder's routes end to end on the random-weight Qwen2 GGUF: OpenAI's
# completion and chat shapes, server-sent events, greedy determinism, stop
# strings, bad inputs, clients leaving mid-stream, embeddings served while
# generations run (tests/server/llm_test.py).
exec python3 "$(dirname "$0")/llm_test.py" "$1"
