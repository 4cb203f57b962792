#!/usr/bin/env bash
# Builds the franz-go test client (tests/kafka/clients/franzgo, a Go module that requires
# github.com/twmb/franz-go) into OUT, fetching the modules through the Go module proxy into the
# usual module cache. MODULE_DIR builds another Go module of the tests the same way (the
# conformance suite, tests/conformance, which uses franz-go's kmsg).
#   scripts/go-kafka-clients.sh OUT_BINARY [MODULE_DIR]
# Idempotent: rebuilds only when a source file is newer than OUT. Concurrent runs serialise on
# OUT.lock. Needs go 1.22+. Prints OUT on the last line.
set -euo pipefail
out=$(realpath -m "${1:?usage: go-kafka-clients.sh OUT_BINARY}")
src=$(cd "${2:-$(dirname "$0")/../tests/kafka/clients/franzgo}" && pwd)
command -v go >/dev/null || { echo "go-kafka-clients: go not found (run scripts/install-deps.sh)" >&2; exit 1; }
mkdir -p "$(dirname "$out")"
exec 9>"$out.lock"
flock 9
if [[ -x $out ]] && [[ -z $(find "$src" -newer "$out" -type f) ]]; then
  echo "$out"
  exit 0
fi
(cd "$src" && GOTOOLCHAIN=local go build -o "$out" .) </dev/null >&2
echo "$out"
