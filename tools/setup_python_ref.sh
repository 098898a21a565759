#!/usr/bin/env bash
# Creates .venv/ with the Python reference stack (gymnasium, numpy, and for the MuJoCo tasks mujoco,
# imageio, packaging; torch and scipy when PGSUBSPACE_PY_EXTRAS=1) from pip's configured local
# indexes. Only for conformance checks and benchmarks against the real Python stack; the toolkit
# never imports Python.
set -euo pipefail
cd "$(dirname "$0")/.."
packages=(gymnasium numpy mujoco imageio packaging)
imports="import gymnasium, numpy, mujoco, imageio, packaging"
if [ "${PGSUBSPACE_PY_EXTRAS:-0}" = 1 ]; then
  packages+=(scipy torch)
  imports="$imports, scipy, torch"
fi

if [ -x .venv/bin/python ] && .venv/bin/python -c "$imports" 2>/dev/null; then
  echo "== Python reference environment ready (.venv)"
  exit 0
fi

# pip's own defaults also try the public index, unreachable here, for minutes: pass the
# configured local indexes explicitly and never retry. The first configured index (index-url, or
# else the first extra-index-url) becomes --index-url, the others --extra-index-url (mujoco is
# only in the second one on our machines).
read -r -a indexes <<<"$(pip config get global.index-url 2>/dev/null || true) $(pip config get global.extra-index-url 2>/dev/null || true)"
if [ "${#indexes[@]}" -eq 0 ]; then
  echo "== no pip index configured (pip config list): skipping the Python reference environment"
  exit 1
fi
links=$(pip config get global.find-links 2>/dev/null || pip config get :env:.find-links 2>/dev/null || true)
[ -x .venv/bin/pip ] || python3 -m venv .venv
args=(--quiet --retries 0 --timeout 30 --index-url "${indexes[0]}")
for extra in "${indexes[@]:1}"; do args+=(--extra-index-url "$extra"); done
[ -n "$links" ] && args+=(--find-links "$links")
echo "== installing ${packages[*]} into .venv from ${indexes[*]}"
.venv/bin/pip install "${args[@]}" "${packages[@]}"
