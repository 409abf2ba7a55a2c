#!/usr/bin/env bash
# Installs what the end-to-end tests need, offline-safe (npm registry + Debian apt only): Debian's chromium, yt-dlp
# (the ingest test drives the real one against a loopback server), and
# code-server 4.100.3 (the newest that runs on Node 20; VS Code 1.100.3) into ./.code-server, with its native
# modules rebuilt here instead of downloaded. Safe to rerun: does nothing when already installed.
set -euo pipefail
cd "$(dirname "$0")/../.."
PREFIX="$PWD/.code-server"
CS="$PREFIX/lib/node_modules/code-server"
VERSION=4.100.3

need=()
command -v chromium >/dev/null || need+=(chromium)
command -v rg >/dev/null || need+=(ripgrep)
command -v yt-dlp >/dev/null || need+=(yt-dlp)
dpkg -s libkrb5-dev >/dev/null 2>&1 || need+=(libkrb5-dev)
command -v g++ >/dev/null || need+=(build-essential)
if [ "${#need[@]}" -gt 0 ]; then
  SUDO=""; [ "$(id -u)" -eq 0 ] || SUDO="sudo"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${need[@]}" >/dev/null
fi

if [ -x "$PREFIX/bin/code-server" ] && [ "$("$PREFIX/bin/code-server" --version 2>/dev/null | head -1 | cut -d' ' -f1)" = "$VERSION" ]; then
  exit 0
fi
rm -rf "$PREFIX"
# scripts off: code-server's postinstall would fetch prebuilt binaries from outside
npm install -g --prefix "$PREFIX" "code-server@$VERSION" --ignore-scripts --no-audit --no-fund >/dev/null
(cd "$CS" && npm rebuild argon2 >/dev/null)
cd "$CS/lib/vscode"
npm install --omit=dev --ignore-scripts --no-audit --no-fund >/dev/null
mkdir -p node_modules/@vscode/ripgrep/bin && ln -sf "$(command -v rg)" node_modules/@vscode/ripgrep/bin/rg
npm_config_yes=true npm rebuild >/dev/null
ln -sfn node_modules node_modules.asar
(cd bin/remote-cli && ln -sf code-linux.sh code-server)
(cd bin/helpers && ln -sf browser-linux.sh browser.sh)
(cd extensions && npm install --omit=dev --no-audit --no-fund >/dev/null)
"$PREFIX/bin/code-server" --version | head -1
