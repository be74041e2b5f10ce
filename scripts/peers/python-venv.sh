#!/usr/bin/env bash
# Create (or reuse) a cached, pinned Python virtualenv for the real-peer tests.
#
#   scripts/peers/python-venv.sh                         -> the PyIceberg venv
#   scripts/peers/python-venv.sh NAME REQUIREMENTS CHECK -> venv-NAME from REQUIREMENTS (repo-relative),
#                                                           CHECK a Python statement that must run after install
# Prints the venv's python path (last stdout line).
#
# Location: ${LAKEGATE_CACHE:-$HOME/.cache/lakegate}/venv-<name> (default name pyiceberg)
# Packages: the requirements file (default peers/python/requirements.txt; every version pinned).
# Idempotent: nothing is installed while the stamp written after the last
# successful install matches the sha256 of the requirements file. Otherwise
# (requirements changed, interrupted install, broken interpreter) the venv is
# recreated from scratch and pip installs the pinned set.
# Env: LAKEGATE_PYTHON (base interpreter, default python3).
# All progress goes to stderr; stdout carries only the python path.
set -euo pipefail

repo_root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
name="${1:-pyiceberg}"
requirements="$repo_root/${2:-peers/python/requirements.txt}"
check="${3:-import pyiceberg, pyarrow, pyiceberg_core, sqlalchemy}"
cache_dir="${LAKEGATE_CACHE:-$HOME/.cache/lakegate}"
venv_dir="$cache_dir/venv-$name"
stamp_file="$venv_dir/.lakegate-requirements.sha256"
base_python="${LAKEGATE_PYTHON:-python3}"

log() { printf '[python-venv %s] %s\n' "$name" "$*" >&2; }

[[ -f "$requirements" ]] || { log "missing $requirements"; exit 1; }
mkdir -p "$cache_dir"

# Serialise concurrent callers (parallel test files) on the same cache.
if command -v flock >/dev/null 2>&1; then
  exec 9>"$cache_dir/venv-$name.lock"
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
  log "installing pinned requirements (about a minute on a cold cache)"
  "$python" -m pip install --disable-pip-version-check --no-input --quiet \
    --require-virtualenv -r "$requirements" >&2
  "$python" -c "$check" >&2
  printf '%s\n' "$wanted" >"$stamp_file"
  log "installed $(basename "$requirements") into $venv_dir"
fi

printf '%s\n' "$python"
