#!/usr/bin/env bash
# Makes sure Debian's redis-server and PostgreSQL are installed for the queue-mode test (which
# starts its own instances on loopback, with temporary data folders). Installs them with apt-get
# when missing, which needs root (CI machines run as root) or sudo. Starts nothing.
set -euo pipefail

have_postgres() { compgen -G '/usr/lib/postgresql/*/bin/postgres' >/dev/null && compgen -G '/usr/lib/postgresql/*/bin/initdb' >/dev/null; }
have_redis() { command -v redis-server >/dev/null 2>&1; }

if have_redis && have_postgres && command -v psql >/dev/null 2>&1; then
	exit 0
fi

packages=()
have_redis || packages+=(redis-server)
{ have_postgres && command -v psql >/dev/null 2>&1; } || packages+=(postgresql)
echo "[queue] missing: ${packages[*]}: installing with apt-get (about a minute)" >&2
. "$(dirname "$0")/../../scripts/lib/apt.sh"
# policy-rc.d 101: Debian's postinst must not start system-wide servers; the test starts its own.
policy=/usr/sbin/policy-rc.d
created_policy=""
if [ ! -e "$policy" ]; then
	printf '#!/bin/sh\nexit 101\n' | as_root tee "$policy" >/dev/null
	as_root chmod +x "$policy"
	created_policy=1
fi
trap 'if [ -n "$created_policy" ]; then as_root rm -f "$policy"; fi' EXIT
apt_install queue "${packages[@]}"

if ! have_redis || ! have_postgres; then
	echo "[queue] apt-get finished but redis-server or PostgreSQL is still missing" >&2
	exit 1
fi
echo "[queue] installed ${packages[*]} in ${APT_SECONDS} s" >&2
