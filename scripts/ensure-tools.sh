#!/usr/bin/env bash
# Installs what the test suite needs when it is missing: a Go toolchain (Debian's golang-go),
# Debian's golang-1.19-go for older runtime formats, Chromium for the web UI tests, and Prometheus
# (with promtool) for the fleet tests and benchmark.
# Linux (Debian) only: elsewhere it says what is missing and leaves it to you.
set -uo pipefail

need=()
command -v go >/dev/null 2>&1 || need+=(golang-go)
[ -x /usr/lib/go-1.19/bin/go ] || need+=(golang-1.19-go)
[ -x /usr/bin/chromium ] || need+=(chromium)
[ -x /usr/bin/prometheus ] || need+=(prometheus)

if [ ${#need[@]} -eq 0 ]; then exit 0; fi
if ! command -v apt-get >/dev/null 2>&1; then
  echo "ensure-tools: missing ${need[*]} and no apt-get here; install them to run every test" >&2
  exit 0
fi
SUDO=""
if [ "$(id -u)" != "0" ]; then SUDO="sudo"; fi
echo "ensure-tools: installing ${need[*]}" >&2
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq >/dev/null 2>&1 || true
$SUDO apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null 2>&1 || \
  echo "ensure-tools: apt-get install ${need[*]} failed; tests that need them will fail" >&2
exit 0
