#!/usr/bin/env bash
# Makes sure the real servers the tests start are installed (npm test runs this first): missing Debian packages are
# installed when running as root with apt-get; otherwise one line names what is missing and the tests do not run.
set -euo pipefail

# command the tests spawn → Debian package that provides it (chromium for the dashboard test, promtool for the alert
# rules test). PostgreSQL's server binaries are not on PATH (Debian
# keeps them in /usr/lib/postgresql/<version>/bin, where test/helpers/postgres-server.ts looks), so `has` checks there.
declare -A packages=(
  [etcd]=etcd-server
  [redis-server]=redis-server
  [initdb]=postgresql
  [chromium]=chromium
  [promtool]=prometheus
)

has() {
  command -v "$1" >/dev/null 2>&1 && return 0
  compgen -G "/usr/lib/postgresql/*/bin/$1" >/dev/null
}

missing=()
for cmd in "${!packages[@]}"; do
  has "$cmd" || missing+=("${packages[$cmd]}")
done
[ ${#missing[@]} -eq 0 ] && exit 0

if [ "$(id -u)" -eq 0 ] && command -v apt-get >/dev/null 2>&1; then
  echo "test-deps: installing ${missing[*]} (apt-get)" >&2
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
  # The Debian packages start their services; the tests run their own on free ports, so stop those quietly.
  for svc in etcd redis-server postgresql prometheus; do
    if command -v service >/dev/null 2>&1; then service "$svc" stop >/dev/null 2>&1 || true; fi
  done
  for cmd in "${!packages[@]}"; do
    has "$cmd" || { echo "test-deps: ${packages[$cmd]} was installed but \`$cmd\` is still not on PATH" >&2; exit 1; }
  done
  exit 0
fi

echo "test-deps: missing Debian package(s) ${missing[*]}: run \`sudo apt-get install -y ${missing[*]}\` (the tests start real servers)" >&2
exit 1
