#!/usr/bin/env bash
# What the test suite needs beyond npm packages, checked and fetched or installed when missing:
#   - a go command ≥ 1.21 on the PATH, which fetches the pinned toolchains (test/support/go-toolchains.ts)
#     through GOTOOLCHAIN: both are fetched here, once, so the tests start with them in place;
#   - Debian's golang-1.19-go (the oldest runtime formats), chromium (the web UI tests), prometheus
#     (for the Prometheus tests) and binutils (objcopy writes the .zdebug sections the DWARF tests
#     read), installed with apt-get when missing (Debian/Ubuntu only).
# Exits 1, saying what to install, when Go cannot be used (nothing much runs without it); a missing
# apt package is reported and left to the suites that need it (they fail under CI=true).
set -uo pipefail
cd "$(dirname "$0")/.."

toolchains_file=test/support/go-toolchains.ts
pinned() { sed -n "s/^export const $1 = \"\(go[0-9.]*\)\";$/\1/p" "$toolchains_file"; }
GO_DEFAULT=$(pinned GO_DEFAULT)
GO_CURRENT=$(pinned GO_CURRENT)
install_go="install Go ≥ 1.21 from https://go.dev/dl/ and put its bin on the PATH (Debian bookworm's golang-go is 1.19: too old)"

# apt packages first: a fresh machine may need them all.
need=()
[ -x /usr/lib/go-1.19/bin/go ] || need+=(golang-1.19-go)
[ -x /usr/bin/chromium ] || need+=(chromium)
command -v prometheus >/dev/null 2>&1 || need+=(prometheus)
command -v objcopy >/dev/null 2>&1 || need+=(binutils)
if [ ${#need[@]} -gt 0 ]; then
  if command -v apt-get >/dev/null 2>&1; then
    SUDO=""
    if [ "$(id -u)" != "0" ]; then SUDO="sudo"; fi
    echo "ensure-tools: installing ${need[*]}" >&2
    export DEBIAN_FRONTEND=noninteractive
    $SUDO apt-get update -qq >/dev/null 2>&1 || true
    $SUDO apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null 2>&1 ||
      echo "ensure-tools: apt-get install ${need[*]} failed: the suites that need them will say so" >&2
  else
    echo "ensure-tools: missing ${need[*]} and no apt-get here: install them to run every test" >&2
  fi
fi

if ! local_go=$(cd /tmp && GOTOOLCHAIN=local go env GOVERSION 2>/dev/null); then
  echo "ensure-tools: no go command on the PATH: $install_go" >&2
  exit 1
fi
minor=$(echo "$local_go" | sed -n 's/^go1\.\([0-9]*\).*/\1/p')
if [ -z "$minor" ] || [ "$minor" -lt 21 ]; then
  echo "ensure-tools: the go on the PATH is $local_go, which cannot fetch $GO_DEFAULT and $GO_CURRENT: $install_go" >&2
  exit 1
fi
for toolchain in "$GO_DEFAULT" "$GO_CURRENT"; do
  if ! got=$(cd /tmp && GOTOOLCHAIN=$toolchain go env GOVERSION 2>&1) || [ "$got" != "$toolchain" ]; then
    echo "ensure-tools: GOTOOLCHAIN=$toolchain go could not fetch $toolchain from the module proxy ($(go env GOPROXY)): ${got##*$'\n'}" >&2
    echo "ensure-tools: run this while online, or install $toolchain from https://go.dev/dl/" >&2
    exit 1
  fi
done
exit 0
