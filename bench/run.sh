#!/usr/bin/env bash
# Embedding speed and memory for the default model, longembed beside PyTorch
# (when torch is installed), each configuration in a fresh process.
#   bench/run.sh [BUILD_DIR] [THREADS...]
set -euo pipefail
build=${1:-build}
shift || true
threads=${*:-"1 2"}
here=$(cd "$(dirname "$0")/.." && pwd)
model=${LONGEMBED_BENCH_MODEL:-minilm}
model_dir=${LONGEMBED_BENCH_MODEL_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/longembed/models/minilm}
have_torch=0
python3 -c "import torch, transformers" 2>/dev/null && have_torch=1

printf '| texts x tokens | threads | longembed tok/s | longembed RSS MB | PyTorch tok/s | PyTorch RSS MB | speed ratio | longembed bf16 tok/s |\n'
printf '|---|---|---|---|---|---|---|---|\n'
for cfg in "32 128" "8 512"; do
    set -- $cfg
    for t in $threads; do
        le=$("$build/bench/bench_embed" -m "$model" --texts "$1" --tokens "$2" --threads "$t" --source "$here/samples/history-of-bread.txt")
        le_tps=$(echo "$le" | python3 -c 'import json,sys; print(round(json.load(sys.stdin)["tokens_per_s"]))')
        le_rss=$(echo "$le" | python3 -c 'import json,sys; print(round(json.load(sys.stdin)["peak_rss_mb"]))')
        pt_tps="-"; pt_rss="-"; ratio="-"
        if [ $have_torch = 1 ]; then
            pt=$(python3 "$here/bench/torch_bench.py" --model-dir "$model_dir" --threads "$t" --texts "$1" --tokens "$2" --impl transformers 2>/dev/null | tail -1)
            pt_tps=$(echo "$pt" | python3 -c 'import json,sys; print(round(json.load(sys.stdin)["tokens_per_s"]))')
            pt_rss=$(echo "$pt" | python3 -c 'import json,sys; print(round(json.load(sys.stdin)["peak_rss_mb"]))')
            ratio=$(python3 -c "print(f'{$le_tps / $pt_tps:.2f}x')")
        fi
        # bf16 matrix products, where the CPU has AVX512_BF16 ("-" otherwise)
        bf=$("$build/bench/bench_embed" -m "$model" --texts "$1" --tokens "$2" --threads "$t" --precision bf16 --source "$here/samples/history-of-bread.txt" 2>/dev/null || true)
        bf_tps=$(echo "$bf" | python3 -c 'import json,sys; t=sys.stdin.read().strip(); print(round(json.loads(t)["tokens_per_s"]) if t else "-")')
        printf '| %s x %s | %s | %s | %s | %s | %s | %s | %s |\n' "$1" "$2" "$t" "$le_tps" "$le_rss" "$pt_tps" "$pt_rss" "$ratio" "$bf_tps"
    done
done
