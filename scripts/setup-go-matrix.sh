#!/usr/bin/env bash
# The Go runtimes of the test matrix (test/helpers/go-runtimes.ts), installed and warmed so that
# the tests, which build with GOPROXY=off, never download anything themselves:
#   Go 1.26  /usr/local/go (the machine's; checked by .ci/run)
#   Go 1.22  the go1.22.12 toolchain from the Go module proxy (GOTOOLCHAIN)
#   Go 1.19  Debian's golang-1.19-go at /usr/lib/go-1.19
# and the modules of the fixtures that use any (fixtures/metrics-dialects/*: client_golang;
# fixtures/profile-rewrite: google/pprof), verified against their committed go.sum. Safe to run again.
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="/usr/local/go/bin:$PATH"

GO119=/usr/lib/go-1.19/bin/go
if ! [ -x "$GO119" ]; then
  SUDO=""
  [ "$(id -u)" -eq 0 ] || SUDO="sudo"
  export DEBIAN_FRONTEND=noninteractive
  $SUDO apt-get install -y -q golang-1.19-go || { $SUDO apt-get update -q && $SUDO apt-get install -y -q golang-1.19-go; }
fi
"$GO119" version
GOTOOLCHAIN=go1.22.12 go version

# Each with the Go it is paired with (its go.mod's go line says which).
for dir in fixtures/metrics-dialects/*/ fixtures/profile-rewrite/; do
  [ -f "$dir/go.mod" ] || continue
  gocmd=go
  grep -q '^go 1\.19$' "$dir/go.mod" && gocmd="$GO119"
  (cd "$dir" && GOWORK=off GOFLAGS=-mod=readonly "$gocmd" mod download && GOWORK=off "$gocmd" mod verify >/dev/null)
done
