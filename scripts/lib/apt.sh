# Sourced by the scripts that install a Debian package a test needs (test/browser/ensure-chromium.sh,
# test/queue/ensure-services.sh). apt_install TAG ARGS…: `apt-get update`, then
# `apt-get install -y ARGS…`, as root or through sudo; on failure it says what failed and what to
# do, and exits 1. Sets APT_SECONDS to how long it took.

apt_install() {
	local tag=$1 arg names=""
	shift
	for arg in "$@"; do case "$arg" in -*) ;; *) names="${names:+$names }$arg" ;; esac; done
	if ! command -v apt-get >/dev/null 2>&1; then
		echo "[$tag] FAILED: apt-get is not available; install $names by hand" >&2
		exit 1
	fi
	local sudo=""
	if [ "$(id -u)" != "0" ]; then
		if command -v sudo >/dev/null 2>&1; then
			sudo="sudo"
		else
			echo "[$tag] FAILED: installing $names needs root (or sudo)" >&2
			exit 1
		fi
	fi
	local started=$SECONDS
	echo "[$tag] apt-get update" >&2
	$sudo apt-get update -q >&2 || {
		echo "[$tag] FAILED: apt-get update (see apt's error above)" >&2
		echo "[$tag] what to do: check that Debian's mirror answers, then run again" >&2
		exit 1
	}
	echo "[$tag] apt-get install -y $*" >&2
	DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -q "$@" >&2 || {
		echo "[$tag] FAILED: apt-get install $names (see apt's error above)" >&2
		echo "[$tag] what to do: check that Debian's mirror answers (apt-get update), or install $names by hand" >&2
		exit 1
	}
	APT_SECONDS=$((SECONDS - started))
}

# Runs "$@" as root (directly, or through sudo).
as_root() {
	if [ "$(id -u)" = "0" ]; then "$@"; else sudo "$@"; fi
}
