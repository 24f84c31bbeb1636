#!/usr/bin/env bash
# make test-python: a venv under the build directory, `pip install ./python`
# into it (scikit-build-core from PyPI builds the extension with the project's
# CMake), then pytest on python/tests with the CLI of that build for the
# parity checks. When PyPI cannot be reached the tests are skipped with a
# message (exit 0), as the other tests that need PyPI packages do.
#   python/run_tests.sh BUILD_DIR [pytest args, default: every test file]
# The adapters' packages (LE_PY_ADAPTERS, default langchain-core, llama-index-core
# and mteb-core, MTEB without torch) are installed too; a test whose package
# could not be installed is skipped. LE_PY_ADAPTERS="" leaves them out.
set -euo pipefail
BUILD=$(cd "${1:?build dir}" && pwd)
shift
ROOT=$(cd "$(dirname "$0")/.." && pwd)
VENV=${LE_PY_VENV:-$BUILD/venv-python}
PIP_Q=(-q --disable-pip-version-check)
start=$(date +%s)
if [ ! -x "$VENV/bin/python" ]; then
    python3 -m venv "$VENV"
fi
if ! timeout 600 "$VENV/bin/pip" install "${PIP_Q[@]}" numpy pytest; then
    echo "SKIP: python tests: the packages (numpy, pytest) cannot be installed from PyPI into $VENV" >&2
    exit 0
fi
ADAPTERS=${LE_PY_ADAPTERS-langchain-core llama-index-core mteb-core}
if [ -n "$ADAPTERS" ] && ! timeout 900 "$VENV/bin/pip" install "${PIP_Q[@]}" $ADAPTERS; then
    echo "NOTE: the adapters' packages ($ADAPTERS) could not all be installed: their tests skip" >&2
fi
# the extension's build is kept under the build directory (incremental re-runs)
CMAKE_BUILD_PARALLEL_LEVEL=${JOBS:-2} timeout 1200 "$VENV/bin/pip" install "${PIP_Q[@]}" \
    --force-reinstall --no-deps -C build-dir="$BUILD/python-build" "$ROOT/python"
echo "python venv ready in $(( $(date +%s) - start )) s: $VENV"
cd "$ROOT/python/tests"
[ $# -gt 0 ] || set -- .
LE_BUILD_DIR="$BUILD" exec "$VENV/bin/python" -m pytest -q -p no:cacheprovider "$@"
