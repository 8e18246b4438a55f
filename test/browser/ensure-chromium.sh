#!/usr/bin/env bash
# Makes sure Debian's chromium is installed for the browser tests (playwright-core drives it;
# Playwright's own browser downloads are not used). Installs it with apt-get when missing,
# which needs root (CI machines run as root) and takes about a minute. TILLED_REINSTALL_CHROMIUM=1
# (set by .ci/run) reinstalls it even when present, so CI runs the install step every time.
set -euo pipefail

CHROMIUM=${CHROMIUM_PATH:-/usr/bin/chromium}

if [ -x "$CHROMIUM" ] && [ "${TILLED_REINSTALL_CHROMIUM:-}" != 1 ]; then
	exit 0
fi

reinstall=
if [ -x "$CHROMIUM" ]; then reinstall=--reinstall; fi
echo "[browser] ${reinstall:+re}installing Debian's chromium (apt-get, about a minute)" >&2
. "$(dirname "$0")/../../scripts/lib/apt.sh"
apt_install browser $reinstall chromium

if [ ! -x "$CHROMIUM" ]; then
	echo "[browser] apt-get finished but $CHROMIUM is still missing" >&2
	exit 1
fi
echo "[browser] $("$CHROMIUM" --version 2>/dev/null || echo chromium) installed in ${APT_SECONDS} s" >&2
