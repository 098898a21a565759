#!/usr/bin/env bash
# Creates .venv/ with the Python reference stack (gymnasium, numpy; torch and scipy when
# PGSUBSPACE_PY_EXTRAS=1) from pip's configured local index. Only for conformance checks and
# benchmarks against the real Python stack; the toolkit never imports Python.
set -euo pipefail
cd "$(dirname "$0")/.."
packages=(gymnasium numpy)
[ "${PGSUBSPACE_PY_EXTRAS:-0}" = 1 ] && packages+=(scipy torch)

if [ -x .venv/bin/python ] && .venv/bin/python -c "import gymnasium, numpy" 2>/dev/null \
  && { [ "${PGSUBSPACE_PY_EXTRAS:-0}" != 1 ] || .venv/bin/python -c "import scipy, torch" 2>/dev/null; }; then
  echo "== Python reference environment ready (.venv)"
  exit 0
fi

# pip's own defaults also try the public index, unreachable here, for minutes: pass the
# configured local index explicitly and never retry.
index=$(pip config get global.index-url 2>/dev/null || true)
[ -n "$index" ] || index=$(pip config get global.extra-index-url 2>/dev/null | awk '{print $1}' || true)
if [ -z "$index" ]; then
  echo "== no pip index configured (pip config list): skipping the Python reference environment"
  exit 1
fi
links=$(pip config get global.find-links 2>/dev/null || true)
python3 -m venv .venv
args=(--quiet --retries 0 --timeout 30 --index-url "$index")
[ -n "$links" ] && args+=(--find-links "$links")
echo "== installing ${packages[*]} into .venv from $index"
.venv/bin/pip install "${args[@]}" "${packages[@]}"
