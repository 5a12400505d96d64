#!/usr/bin/env bash
# Makes sure the real servers the tests start are installed (npm test runs this first): missing Debian packages are
# installed when running as root with apt-get; otherwise one line names what is missing and the tests do not run.
set -euo pipefail

# command the tests spawn → Debian package that provides it. PostgreSQL goes here once a test starts one
# (e.g. `[postgres]=postgresql`, with the helper looking in /usr/lib/postgresql/*/bin).
declare -A packages=(
  [etcd]=etcd-server
  [redis-server]=redis-server
)

missing=()
for cmd in "${!packages[@]}"; do
  command -v "$cmd" >/dev/null 2>&1 || missing+=("${packages[$cmd]}")
done
[ ${#missing[@]} -eq 0 ] && exit 0

if [ "$(id -u)" -eq 0 ] && command -v apt-get >/dev/null 2>&1; then
  echo "test-deps: installing ${missing[*]} (apt-get)" >&2
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
  # The Debian packages start their services; the tests run their own on free ports, so stop those quietly.
  for svc in etcd redis-server; do
    if command -v service >/dev/null 2>&1; then service "$svc" stop >/dev/null 2>&1 || true; fi
  done
  for cmd in "${!packages[@]}"; do
    command -v "$cmd" >/dev/null 2>&1 || { echo "test-deps: ${packages[$cmd]} was installed but \`$cmd\` is still not on PATH" >&2; exit 1; }
  done
  exit 0
fi

echo "test-deps: missing Debian package(s) ${missing[*]}: run \`sudo apt-get install -y ${missing[*]}\` (the tests start real servers)" >&2
exit 1
