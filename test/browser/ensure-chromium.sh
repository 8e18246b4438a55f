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
if ! command -v apt-get >/dev/null 2>&1; then
	echo "[browser] apt-get is not available: install chromium at $CHROMIUM by hand (or set CHROMIUM_PATH)" >&2
	exit 1
fi
SUDO=""
if [ "$(id -u)" != "0" ]; then
	if command -v sudo >/dev/null 2>&1; then
		SUDO="sudo"
	else
		echo "[browser] installing chromium needs root (or sudo)" >&2
		exit 1
	fi
fi

started=$(date +%s)
echo "[browser] apt-get update" >&2
$SUDO apt-get update -q >&2
echo "[browser] apt-get install -y $reinstall chromium" >&2
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -q $reinstall chromium >&2 || {
	echo "[browser] FAILED: apt-get install chromium (see apt's error above)" >&2
	echo "[browser] what to do: check that Debian's mirror answers (apt-get update), or install chromium by hand and set CHROMIUM_PATH" >&2
	exit 1
}

if [ ! -x "$CHROMIUM" ]; then
	echo "[browser] apt-get finished but $CHROMIUM is still missing" >&2
	exit 1
fi
echo "[browser] $("$CHROMIUM" --version 2>/dev/null || echo chromium) installed in $(( $(date +%s) - started )) s" >&2
