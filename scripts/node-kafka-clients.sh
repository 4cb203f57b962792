#!/usr/bin/env bash
# Installs kafkajs (npm) into DIR/node_modules.
#   scripts/node-kafka-clients.sh DIR [VERSION]      (VERSION defaults to 2.2.4)
# Idempotent: returns at once when that version is installed. Concurrent runs serialise on
# DIR.lock. Needs node 18+ and npm. Prints DIR/node_modules on the last line (for NODE_PATH).
set -euo pipefail
dir=$(realpath -m "${1:?usage: node-kafka-clients.sh DIR [VERSION]}")
version=${2:-2.2.4}
for tool in node npm; do
  command -v "$tool" >/dev/null || { echo "node-kafka-clients: $tool not found (run scripts/install-deps.sh)" >&2; exit 1; }
done
mkdir -p "$dir"
exec 9>"$dir.lock"
flock 9
installed() {
  node -e "process.exit(require('$dir/node_modules/kafkajs/package.json').version === '$version' ? 0 : 1)" 2>/dev/null
}
if ! installed; then
  [[ -f $dir/package.json ]] || echo '{"name":"lkstream-kafka-clients","private":true}' >"$dir/package.json"
  npm install --prefix "$dir" --no-audit --no-fund --silent "kafkajs@$version" </dev/null >&2
  installed || { echo "node-kafka-clients: kafkajs $version missing after npm install" >&2; exit 1; }
fi
echo "$dir/node_modules"
