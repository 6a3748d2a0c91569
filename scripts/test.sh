#!/usr/bin/env bash
# Install the test dependencies and run the whole test suite, the linters, the type checker and the
# documentation build (the README's test command; .ci/run calls it).
# Test dependencies: the '.[test,dev]' extras in a fresh .venv, Java (for the Spark tests, skipped without it)
# and Debian's chromium (for the review app's browser tests, which must run here: DVT_REQUIRE_BROWSER=1).
set -euo pipefail
cd "$(dirname "$0")/.."
if ! command -v chromium >/dev/null 2>&1; then
    sudo=""; [ "$(id -u)" -eq 0 ] || sudo="sudo"
    echo "installing Debian's chromium for the browser tests" >&2
    $sudo apt-get update -q >/dev/null && DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -q chromium >/dev/null
fi
python3 -m venv .venv
.venv/bin/pip install -q --disable-pip-version-check '.[test,dev]'
echo "ruff:" && .venv/bin/ruff check pipeline scripts tests
echo "mypy:" && .venv/bin/mypy
echo "docs:" && NO_MKDOCS_2_WARNING=1 .venv/bin/mkdocs build --strict --quiet --site-dir "$(mktemp -d)"
DVT_REQUIRE_BROWSER=1 .venv/bin/python -m pytest -q "$@"
