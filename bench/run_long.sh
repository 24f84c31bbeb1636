#!/usr/bin/env bash
# One long document per configuration: seconds and peak RSS at 512, 2k, 8k and
# 32k tokens with --extend pi, for all-MiniLM-L6-v2 and a BERT-base-shaped
# random checkpoint (tools/make_bench_models.py), longembed beside PyTorch
# (bench/torch_long_bench.py) when torch is installed.
#   bench/run_long.sh [BUILD_DIR] [THREADS]
# Env: LENGTHS="512 2048 8192 32768", MODELS="minilm DIR...", RUNS=3,
#      TORCH=0 to skip PyTorch, TORCH_RUNS_32K=1 (PyTorch at 32k is slow).
set -euo pipefail
build=${1:-build}
threads=${2:-2}
here=$(cd "$(dirname "$0")/.." && pwd)
lengths=${LENGTHS:-"512 2048 8192 32768"}
base=/tmp/longembed-bench-models/bert-base-random
models=${MODELS:-"minilm $base"}
runs=${RUNS:-3}
src=$(mktemp)
trap 'rm -f "$src"' EXIT
cat "$here"/../shared/data/haystack/*.txt "$here"/samples/*.txt > "$src" 2>/dev/null ||
    cat "$here"/samples/*.txt > "$src"
have_torch=0
[ "${TORCH:-1}" = 1 ] && python3 -c "import torch, transformers" 2>/dev/null && have_torch=1
if [[ " $models " == *" $base "* && ! -d $base ]]; then
    if [ $have_torch = 1 ]; then
        HF_HUB_OFFLINE=1 python3 "$here/tools/make_bench_models.py" >&2
    else
        echo "run_long.sh: $base missing (tools/make_bench_models.py needs torch); skipped" >&2
        models=${models//$base/}
    fi
fi
field() { python3 -c "import json,sys; d=json.loads(sys.stdin.read() or 'null'); v=(d or {}).get('$1'); print('-' if v is None else v)"; }

printf '| model | tokens | longembed s | longembed RSS MB | PyTorch s | PyTorch RSS MB | PyTorch status | speed ratio |\n'
printf '|---|---|---|---|---|---|---|---|\n'
for m in $models; do
    mdir=$m
    [ "$m" = minilm ] && mdir=${XDG_CACHE_HOME:-$HOME/.cache}/longembed/models/minilm
    for L in $lengths; do
        r=$runs
        [ "$L" -ge 32768 ] && r=1
        le=$("$build/bench/bench_embed" -m "$m" --texts 1 --tokens "$L" --extend pi \
             --threads "$threads" --runs "$r" --source "$src" | tail -1)
        le_s=$(echo "$le" | field seconds)
        le_rss=$(echo "$le" | field peak_rss_mb)
        pt_s="-"; pt_rss="-"; pt_status="not run"; ratio="-"
        if [ $have_torch = 1 ]; then
            pr=3; pw=1
            [ "$L" -ge 32768 ] && { pr=${TORCH_RUNS_32K:-1}; pw=0; }
            pt=$(python3 "$here/bench/torch_long_bench.py" --model-dir "$mdir" --tokens "$L" \
                 --eager-at --threads "$threads" --warmup $pw --runs $pr 2>/dev/null | tail -1)
            pt_s=$(echo "$pt" | field seconds)
            pt_rss=$(echo "$pt" | field peak_rss_mb)
            pt_status=$(echo "$pt" | field status)
            [ "$pt_s" != "-" ] && ratio=$(python3 -c "print(f'{$pt_s / $le_s:.2f}x')")
        fi
        printf '| %s | %s | %s | %s | %s | %s | %s | %s |\n' "$(basename "$m")" "$L" "$le_s" \
            "$le_rss" "$pt_s" "$pt_rss" "$pt_status" "$ratio"
    done
done
