"""Shared fixtures: the repository, the CLI of the same build, the models.

The tests run from any directory. The CLI (for the parity checks) is
$LE_BUILD_DIR/longembed (make test-python sets it), else build/longembed."""
import os
import pathlib
import subprocess

import pytest

import longembed

REPO = pathlib.Path(__file__).resolve().parents[2]
FIXTURES = REPO / "tests" / "fixtures"


@pytest.fixture(scope="session")
def cli():
    build = os.environ.get("LE_BUILD_DIR") or str(REPO / "build")
    path = pathlib.Path(build) / "longembed"
    if not path.exists():
        pytest.fail(f"{path}: the CLI is not built (make build, or set LE_BUILD_DIR)")
    return str(path)


@pytest.fixture(scope="session")
def minilm():
    """MiniLM (the alias, cached by `make model`), one thread."""
    m = longembed.Model("minilm", threads=1, allow_fetch=False)
    yield m
    m.close()


@pytest.fixture(scope="session")
def m3():
    m = longembed.Model(str(FIXTURES / "bge-m3-tiny"), threads=1)
    yield m
    m.close()


def run_cli(cli, args, stdin):
    """Runs the CLI; its JSON lines as dicts."""
    import json
    p = subprocess.run([cli] + args, input=stdin.encode(), capture_output=True)
    if p.returncode != 0:
        pytest.fail(f"{' '.join(args)}: {p.stderr.decode()}")
    return [json.loads(line) for line in p.stdout.decode().splitlines() if line.strip()]
