#!/usr/bin/env bash
# The `openai` Python package (from PyPI, in a venv under the build
# directory) against the server: client.embeddings.create gives the vectors
# of `longembed embed` to 1e-6, as floats and as base64 (the client's own
# default). Skipped (exit 77) when the package cannot be installed, e.g.
# offline; set LE_OPENAI_VENV to use another venv.
BUILD=${1:?build dir}
VENV=${LE_OPENAI_VENV:-$BUILD/venv-openai}
if ! "$VENV/bin/python" -c "import openai" 2> /dev/null; then
    python3 -m venv "$VENV" > /dev/null 2>&1 &&
        timeout 300 "$VENV/bin/pip" install -q --disable-pip-version-check openai > /dev/null 2>&1
    if ! "$VENV/bin/python" -c "import openai" 2> /dev/null; then
        echo "SKIP: the openai package cannot be installed into $VENV" >&2
        exit 77
    fi
fi
exec "$VENV/bin/python" "$(dirname "$0")/openai_client.py" "$BUILD"
