#!/usr/bin/env bash
# Sets up Speech Dataset Studio on a fresh Debian/Ubuntu machine with Node 20: system tools via apt when missing,
# npm dependencies, build. Safe to rerun.
set -euo pipefail
cd "$(dirname "$0")/.."

need=()
command -v ffmpeg >/dev/null || need+=(ffmpeg)
command -v espeak-ng >/dev/null || need+=(espeak-ng)   # test speech
command -v sox >/dev/null || need+=(sox)
command -v redis-server >/dev/null || need+=(redis-server)   # the queue tests' Redis (sds run --queue); started by them, never as a service
if [ "${#need[@]}" -gt 0 ]; then
  SUDO=""; [ "$(id -u)" -eq 0 ] || SUDO="sudo"
  echo "installing ${need[*]} with apt"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${need[@]}" >/dev/null
fi

node -e 'if (+process.versions.node.split(".")[0] < 20) { console.error("Node >= 20 needed, found " + process.version); process.exit(1) }'
# .npmrc keeps onnxruntime-node's postinstall from fetching CUDA libraries (offline-safe; CPU build, EP chosen at run time)
if [ -f package-lock.json ]; then npm ci --no-audit --no-fund; else npm install --no-audit --no-fund; fi
npm run build
