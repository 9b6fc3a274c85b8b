#!/usr/bin/env bash
# Installs the system tools the VIP tests drive (keepalived, ip from iproute2,
# curl) with apt-get when they are missing. Idempotent: when everything is
# present it only says so. Without apt-get (or root) it explains what to
# install; that is an error under CI, where the tests must not skip.
#
# Usage: hack/install-test-deps.sh
set -euo pipefail

# binary:package
DEPS=(keepalived:keepalived ip:iproute2 curl:curl)

have() { command -v "$1" >/dev/null 2>&1 || [ -x "/usr/sbin/$1" ] || [ -x "/sbin/$1" ]; }

missing=()
for dep in "${DEPS[@]}"; do
	have "${dep%%:*}" || missing+=("${dep#*:}")
done

if [ ${#missing[@]} -eq 0 ]; then
	kv=$(PATH=$PATH:/usr/sbin:/sbin keepalived --version 2>&1 || true)
	kv=${kv%%$'\n'*}
	echo "install-test-deps: nothing to do (${kv:-keepalived present}, ip and curl present)"
	exit 0
fi

fail() {
	echo "install-test-deps: $*" >&2
	if [ -n "${CI:-}" ]; then
		exit 1
	fi
	echo "install-test-deps: continuing; tests that need ${missing[*]} will skip" >&2
	exit 0
}

command -v apt-get >/dev/null 2>&1 || fail "missing ${missing[*]} and no apt-get here; install them with your package manager"
SUDO=()
if [ "$(id -u)" -ne 0 ]; then
	if ! command -v sudo >/dev/null 2>&1 || ! sudo -n true 2>/dev/null; then
		fail "missing ${missing[*]}; run as root or with passwordless sudo to install them"
	fi
	SUDO=(sudo -n)
fi

export DEBIAN_FRONTEND=noninteractive
install() { "${SUDO[@]}" apt-get install -y --no-install-recommends "${missing[@]}"; }

# Refresh the package lists only when there are none or the install fails
# with the ones there are.
if ! compgen -G "/var/lib/apt/lists/*_Packages*" >/dev/null; then
	echo "install-test-deps: no package lists yet: apt-get update"
	"${SUDO[@]}" apt-get update -qq
fi
echo "install-test-deps: installing ${missing[*]}"
if ! install >/tmp/install-test-deps.$$.log 2>&1; then
	echo "install-test-deps: install failed; apt-get update and retry"
	"${SUDO[@]}" apt-get update -qq
	install >/tmp/install-test-deps.$$.log 2>&1 || {
		cat /tmp/install-test-deps.$$.log >&2
		rm -f /tmp/install-test-deps.$$.log
		fail "apt-get install ${missing[*]} failed"
	}
fi
rm -f /tmp/install-test-deps.$$.log

for dep in "${DEPS[@]}"; do
	have "${dep%%:*}" || fail "${dep%%:*} still missing after installing ${dep#*:}"
done
echo "install-test-deps: installed ${missing[*]}"
