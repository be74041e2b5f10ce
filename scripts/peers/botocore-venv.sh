#!/usr/bin/env bash
# Create (or reuse) the cached botocore virtualenv used by the SigV4 interop test.
#
#   scripts/peers/botocore-venv.sh          -> prints the venv's python path (last stdout line)
#
# Location: ${LAKEGATE_CACHE:-$HOME/.cache/lakegate}/venv-botocore
# Packages: packages/sigv4/test-fixtures/botocore-requirements.txt (every version pinned).
# Idempotent: nothing is installed while the stamp written after the last
# successful install matches the sha256 of the requirements file. Otherwise
# (requirements changed, interrupted install, broken interpreter) the venv is
# recreated from scratch and pip installs the pinned set.
# Env: LAKEGATE_PYTHON (base interpreter, default python3).
# All progress goes to stderr; stdout carries only the python path.
set -euo pipefail

repo_root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
requirements="$repo_root/packages/sigv4/test-fixtures/botocore-requirements.txt"
cache_dir="${LAKEGATE_CACHE:-$HOME/.cache/lakegate}"
venv_dir="$cache_dir/venv-botocore"
stamp_file="$venv_dir/.lakegate-requirements.sha256"
base_python="${LAKEGATE_PYTHON:-python3}"

log() { printf '[botocore-venv] %s\n' "$*" >&2; }

[[ -f "$requirements" ]] || { log "missing $requirements"; exit 1; }
mkdir -p "$cache_dir"

# Serialise concurrent callers (parallel test files) on the same cache.
if command -v flock >/dev/null 2>&1; then
  exec 9>"$cache_dir/venv-botocore.lock"
  flock 9
fi

wanted="$(sha256sum "$requirements" | cut -d' ' -f1)"
python="$venv_dir/bin/python"

if [[ -f "$stamp_file" && "$(cat "$stamp_file")" == "$wanted" ]] \
   && "$python" -c 'import sys' >/dev/null 2>&1; then
  log "up to date ($venv_dir)"
else
  # New requirements, an interrupted install or a broken interpreter: start
  # from an empty venv so nothing unpinned lingers from an earlier install.
  if [[ -e "$venv_dir" ]]; then
    log "rebuilding $venv_dir (requirements changed or venv incomplete)"
    rm -rf "$venv_dir"
  fi
  log "creating venv at $venv_dir with $("$base_python" --version 2>&1)"
  "$base_python" -m venv "$venv_dir" >&2
  log "installing pinned requirements"
  "$python" -m pip install --disable-pip-version-check --no-input --quiet \
    --require-virtualenv -r "$requirements" >&2
  "$python" -c 'import botocore.auth' >&2
  printf '%s\n' "$wanted" >"$stamp_file"
  log "installed botocore $("$python" -c 'import botocore; print(botocore.__version__)')"
fi

printf '%s\n' "$python"
