#!/usr/bin/env bash
# Installs code-server (VS Code in the browser) from npm for the end-to-end tests, into <repo>/.cache/code-server
# (gitignored) or the folder given as $1. Idempotent: a version marker makes a second call return at once.
#
# Why each environment variable below is needed is explained in test/e2e/README.md ("How it works").
# In short: code-server's postinstall refuses to run as root without npm_config_unsafe_perm; node-pty's postinstall runs
# `npx node-gyp`, which needs npm_config_yes; @vscode/ripgrep's postinstall downloads rg from GitHub unless its cache
# already holds the tarball, so we seed that cache with Debian's /usr/bin/rg; install scripts must run at all.
set -euo pipefail

CODE_SERVER_VERSION=4.100.3
# @vscode/ripgrep version pinned by code-server 4.100.3, and the rg asset its postinstall looks for.
RIPGREP_PKG_VERSION=1.15.11
RIPGREP_ASSET=ripgrep-v13.0.0-10-x86_64-unknown-linux-musl.tar.gz

repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
dir="${1:-$repo/.cache/code-server}"
marker="$dir/.installed-code-server-$CODE_SERVER_VERSION"
bin="$dir/node_modules/.bin/code-server"

# Everything the tests need besides node_modules (Chromium, ripgrep, …) is named before anything runs.
bash "$repo/scripts/checkPrerequisites.sh" || exit 1

if [[ -f "$marker" && -x "$bin" ]]; then
  exit 0
fi

node_major="$(node -p 'process.versions.node.split(".")[0]')"
if [[ "$node_major" != 20 ]]; then
  echo "setupCodeServer: warning: code-server $CODE_SERVER_VERSION declares Node 20; this is Node $node_major" >&2
fi

# Start over from a clean folder, but never wipe one this script did not make.
if [[ -d "$dir" && -n "$(ls -A "$dir")" ]] && ! grep -qs 'made by test/e2e/setupCodeServer.sh' "$dir/package.json"; then
  echo "setupCodeServer: $dir exists and was not made by this script; remove it or pass another folder" >&2
  exit 1
fi
echo "setupCodeServer: installing code-server@$CODE_SERVER_VERSION into $dir (about a minute, ~300 MB)" >&2
start=$SECONDS
rm -rf "$dir"
mkdir -p "$dir/tmp"
printf '{\n  "private": true,\n  "description": "code-server for the e2e tests; made by test/e2e/setupCodeServer.sh"\n}\n' \
  >"$dir/package.json"

# Seed @vscode/ripgrep's download cache ($TMPDIR/vscode-ripgrep-cache-<version>/<asset>) with Debian's rg. Its
# postinstall extracts the tarball into its bin/, so rg sits at the tarball's root.
rg_cache="$dir/tmp/vscode-ripgrep-cache-$RIPGREP_PKG_VERSION"
mkdir -p "$rg_cache/stage"
cp "$(command -v rg)" "$rg_cache/stage/rg"
tar -czf "$rg_cache/$RIPGREP_ASSET" -C "$rg_cache/stage" rg
rm -rf "$rg_cache/stage"

log="$dir/install.log"
if ! (
  cd "$dir" &&
    TMPDIR="$dir/tmp" \
      npm_config_unsafe_perm=true \
      npm_config_yes=true \
      npm_config_dangerously_allow_all_scripts=true \
      npm_config_update_notifier=false \
      npm_config_fund=false \
      npm_config_audit=false \
      npm install --no-save --foreground-scripts "code-server@$CODE_SERVER_VERSION" >"$log" 2>&1
); then
  tail -n 60 "$log" >&2
  echo "setupCodeServer: npm install code-server@$CODE_SERVER_VERSION failed; full log: $log" >&2
  exit 1
fi

if [[ ! -x "$bin" ]]; then
  echo "setupCodeServer: $bin missing after install; see $log" >&2
  exit 1
fi
# Read the version from package.json: `code-server --version` would write ~/.config/code-server/config.yaml.
got="$(node -p "require('$dir/node_modules/code-server/package.json').version")"
if [[ "$got" != "$CODE_SERVER_VERSION" ]]; then
  echo "setupCodeServer: installed code-server is $got, expected $CODE_SERVER_VERSION; see $log" >&2
  exit 1
fi
rm -rf "$dir/tmp"
touch "$marker"
echo "setupCodeServer: code-server@$CODE_SERVER_VERSION installed in $((SECONDS - start)) s" >&2
