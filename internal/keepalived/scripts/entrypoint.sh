#!/bin/sh
# Rendered by Portico: runs keepalived for the gateway VIP.
#   entrypoint.sh                     render keepalived.conf, run keepalived,
#                                     reload it when peers or template change
#   entrypoint.sh --render-only FILE  render keepalived.conf to FILE and exit
# Environment: NODE_IP (this node's address), NODE_NAME, POD_NAMESPACE,
# VRRP_PASSWORD (with auth); optional CONFIG_DIR (default: this script's
# directory), RUN_DIR (writable, default /tmp/portico-keepalived), SA_DIR,
# KUBE_API_URL, KEEPALIVED (binary), POLL_SECONDS (2), LEASE_SYNC_SECONDS (30).
# @SETTINGS@
set -u
umask 022
CONFIG_DIR=${CONFIG_DIR:-$(cd "$(dirname "$0")" && pwd)}
RUN_DIR=${RUN_DIR:-/tmp/portico-keepalived}
KEEPALIVED=${KEEPALIVED:-keepalived}
POLL_SECONDS=${POLL_SECONDS:-2}
LEASE_SYNC_SECONDS=${LEASE_SYNC_SECONDS:-30}
TEMPLATE=$CONFIG_DIR/keepalived.conf.tmpl
PEERS=$CONFIG_DIR/peers
PRIORITIES=$CONFIG_DIR/priorities
CONF=$RUN_DIR/keepalived.conf
# Scripts keepalived starts inherit this environment; they log to our stderr.
PORTICO_LOG=${PORTICO_LOG:-/proc/$$/fd/2}
export CONFIG_DIR RUN_DIR PORTICO_LOG

log() { echo "portico-keepalived: $*" >&2; }
die() {
	log "error: $*"
	exit 1
}

# local_addrs: every address configured on this node, one per line.
local_addrs() {
	ip -o addr show 2>/dev/null | while read -r _ _ _ cidr _; do echo "${cidr%/*}"; done
}

# sed_escape: make $1 literal in the replacement of s|...|...|.
sed_escape() { printf '%s' "$1" | sed 's/[\\&|]/\\&/g'; }

# unicast_block SRC PEER...: keepalived's unicast lines, or nothing
# when there is no other peer (a lone node then uses multicast, which
# keepalived prefers to an empty peer list).
unicast_block() {
	src=$1
	shift
	[ $# -gt 0 ] || return 0
	echo "    unicast_src_ip $src"
	echo "    unicast_peer {"
	for p in "$@"; do echo "        $p"; done
	echo "    }"
}

# node_priority: this node's VRRP priority from $PRIORITIES ("node prio"
# lines, "*" for every other node).
node_priority() {
	[ -r "$PRIORITIES" ] || {
		log "cannot read $PRIORITIES, which ranked nodes need"
		return 1
	}
	[ -n "${NODE_NAME:-}" ] || {
		log "NODE_NAME is unset, so this node's rank is unknown"
		return 1
	}
	prio='' other=''
	while read -r node p _ || [ -n "${node:-}" ]; do
		case $node in
		"$NODE_NAME") prio=$p ;;
		'*') other=$p ;;
		esac
	done <"$PRIORITIES"
	prio=${prio:-$other}
	case $prio in
	'' | *[!0-9]*)
		log "no priority for $NODE_NAME in $PRIORITIES"
		return 1
		;;
	esac
	echo "$prio"
}

# render OUT: fill the template's markers for this node.
render() {
	out=$1
	[ -r "$TEMPLATE" ] || {
		log "cannot read $TEMPLATE"
		return 1
	}
	tmpl=$(cat "$TEMPLATE")
	case $CONFIG_DIR in
	*[!A-Za-z0-9_./-]*)
		log "CONFIG_DIR $CONFIG_DIR must match [A-Za-z0-9_./-]: keepalived splits script paths on spaces"
		return 1
		;;
	esac
	iface=
	case $tmpl in
	*@INTERFACE@*)
		[ -n "${NODE_IP:-}" ] || {
			log "NODE_IP is unset and the template names no interface"
			return 1
		}
		iface=$(ip -o addr show to "$NODE_IP" 2>/dev/null | { read -r _ dev _ && echo "${dev%@*}"; })
		[ -n "$iface" ] || {
			log "no interface holds NODE_IP $NODE_IP"
			return 1
		}
		;;
	esac
	password=
	case $tmpl in
	*@VRRP_PASSWORD@*)
		password=${VRRP_PASSWORD:-}
		case $password in
		'' | ?????????* | *[!A-Za-z0-9._+=@%:,~^-]*)
			log "VRRP_PASSWORD must be 1-8 characters of [A-Za-z0-9._+=@%:,~^-] (keepalived uses only 8 and parses the rest)"
			return 1
			;;
		esac
		;;
	esac
	prio=
	case $tmpl in
	*@PRIORITY@*) prio=$(node_priority) || return 1 ;;
	esac
	: >"$RUN_DIR/unicast4"
	: >"$RUN_DIR/unicast6"
	case $tmpl in
	*@UNICAST_IPV*)
		[ -r "$PEERS" ] || {
			log "cannot read $PEERS, which unicast needs"
			return 1
		}
		locals=" $(local_addrs | tr '\n' ' ') "
		src4='' src6='' peers4='' peers6=''
		case ${NODE_IP:-} in
		*:*) src6=$NODE_IP ;;
		?*) src4=$NODE_IP ;;
		esac
		while IFS= read -r p || [ -n "$p" ]; do
			p=${p%%#*}
			# shellcheck disable=SC2086 # split to trim blanks
			set -- $p
			p=${1:-}
			[ -n "$p" ] || continue
			case "$locals" in
			*" $p "*)
				# This node: the source, not a peer.
				case $p in
				*:*) src6=${src6:-$p} ;;
				*) src4=${src4:-$p} ;;
				esac
				continue
				;;
			esac
			[ "$p" = "${NODE_IP:-}" ] && continue
			case $p in
			*:*) peers6="$peers6 $p" ;;
			*) peers4="$peers4 $p" ;;
			esac
		done <"$PEERS"
		for fam in 4 6; do
			case $tmpl in *@UNICAST_IPV$fam@*) ;; *) continue ;; esac
			eval "src=\$src$fam; peers=\$peers$fam"
			if [ -n "$peers" ] && [ -z "$src" ]; then
				log "unicast IPv$fam needs this node's IPv$fam address: set NODE_IP or list it in the peers"
				return 1
			fi
			# shellcheck disable=SC2086 # word splitting of the peer list is intended
			unicast_block "$src" $peers >"$RUN_DIR/unicast$fam"
		done
		;;
	esac
	if ! sed -e "s|@INTERFACE@|$(sed_escape "$iface")|g" \
		-e "s|@CONFIG_DIR@|$(sed_escape "$CONFIG_DIR")|g" \
		-e "s|@VRRP_PASSWORD@|$(sed_escape "$password")|g" \
		-e "s|@PRIORITY@|$prio|g" \
		-e "/@UNICAST_IPV4@/{r $RUN_DIR/unicast4" -e 'd' -e '}' \
		-e "/@UNICAST_IPV6@/{r $RUN_DIR/unicast6" -e 'd' -e '}' \
		"$TEMPLATE" >"$out.tmp"; then
		log "rendering $out failed"
		return 1
	fi
	mv "$out.tmp" "$out"
}

# config_test FILE: keepalived's own check; its findings go to our log.
config_test() {
	if ! msg=$("$KEEPALIVED" --config-test -f "$1" 2>&1); then
		log "keepalived --config-test rejected $1: $msg"
		return 1
	fi
}

# alive PID: false once the process is gone or a zombie (kill -0 is true
# for zombies, and we only reap with wait after the loop).
alive() {
	stat=$(cat "/proc/$1/stat" 2>/dev/null) || return 1
	case ${stat##*) } in Z* | X*) return 1 ;; esac
}

fingerprint() { cat "$TEMPLATE" "$PEERS" "$PRIORITIES" 2>/dev/null; }

mkdir -p "$RUN_DIR" || die "cannot create RUN_DIR $RUN_DIR"
case ${1:-} in
--render-only)
	[ $# -eq 2 ] || die "usage: $0 --render-only FILE"
	render "$2" || exit 1
	exit 0
	;;
'') ;;
*) die "usage: $0 [--render-only FILE]" ;;
esac

for tool in "$KEEPALIVED" ip curl; do
	command -v "$tool" >/dev/null 2>&1 || die "$tool is not installed: the sidecar image needs keepalived, iproute2 (ip) and curl"
done

# Fail loudly on missing capabilities: without SETGID keepalived 2.2.7 cannot
# run scripts, counts every health check as passed and never notifies.
caps=$(sed -n 's/^CapEff:[[:space:]]*//p' /proc/self/status 2>/dev/null)
if [ -n "$caps" ]; then
	for c in 12:NET_ADMIN 13:NET_RAW 6:SETGID; do
		[ $((0x$caps >> ${c%%:*} & 1)) -eq 1 ] || die "capability ${c#*:} is missing (effective set $caps); the sidecar needs NET_ADMIN, NET_RAW and SETGID"
	done
fi

trap 'log "stopping before keepalived started"; exit 0' TERM INT

# A keepalived killed with SIGKILL cannot remove its VIPs, and keepalived is
# not running now, so any VIP here is stale: a second holder (kube-vip #1579).
sh "$CONFIG_DIR/notify.sh" --release

# sync_lease: notify.sh --sync in the background, one at a time; the marker
# tells when it finished without trusting a pid that may have been reused.
sync_lease() {
	rm -f "$RUN_DIR/sync.done"
	{
		sh "$CONFIG_DIR/notify.sh" --sync
		: >"$RUN_DIR/sync.done"
	} &
	sync_pid=$!
}
sync_lease

# Unicast: wait until the operator lists this node. Other nodes' copies of
# the ConfigMap change at about the same time, and until they list us we
# would not hear the master and would take the VIP as a second holder.
case $(cat "$TEMPLATE" 2>/dev/null) in
*@UNICAST_IPV*)
	if [ -n "${NODE_IP:-}" ]; then
		waited=0
		until grep -qxF "$NODE_IP" "$PEERS" 2>/dev/null; do
			[ $((waited % 30)) -eq 0 ] && log "waiting for $NODE_IP to appear in $PEERS"
			sleep 1
			waited=$((waited + 1))
		done
	fi
	;;
esac

render "$CONF" || die "cannot render $CONF"
config_test "$CONF" || die "refusing to start keepalived with an invalid configuration"
last=$(fingerprint)

# Pid files survive a killed keepalived in RUN_DIR (an emptyDir outlives the
# container); a reused pid in them makes keepalived exit as "already running".
rm -f "$RUN_DIR/keepalived.pid" "$RUN_DIR/vrrp.pid"
"$KEEPALIVED" --dont-fork --log-console --no-syslog --vrrp --use-file "$CONF" \
	--pid "$RUN_DIR/keepalived.pid" --vrrp_pid "$RUN_DIR/vrrp.pid" &
ka=$!
log "keepalived started (pid $ka)"
# SIGTERM is a graceful stop: keepalived sends a priority-0 advert and drops
# the VIP, so a backup takes over without waiting for the master-down timer.
trap 'log "SIGTERM: stopping keepalived"; kill -TERM "$ka" 2>/dev/null' TERM INT
trap 'kill -HUP "$ka" 2>/dev/null' HUP

next_sync=$(($(date +%s) + LEASE_SYNC_SECONDS))
while alive "$ka"; do
	sleep "$POLL_SECONDS" &
	wait $! 2>/dev/null
	alive "$ka" || break
	now=$(fingerprint)
	if [ "$now" != "$last" ]; then
		last=$now
		if render "$CONF.new" && config_test "$CONF.new"; then
			if [ "$(cat "$CONF.new")" != "$(cat "$CONF")" ]; then
				mv "$CONF.new" "$CONF"
				kill -HUP "$ka" 2>/dev/null
				log "configuration changed: keepalived reloaded"
			fi
		else
			log "configuration change rejected: keepalived keeps the running configuration"
		fi
	fi
	# Re-assert (or clear) the Lease; notifications can be lost. In the
	# background so a slow API never delays a reload; one at a time, and
	# reaped so finished jobs do not pile up in the shell.
	if [ "$(date +%s)" -ge "$next_sync" ] && [ -e "$RUN_DIR/sync.done" ]; then
		wait "$sync_pid" 2>/dev/null
		sync_lease
		next_sync=$(($(date +%s) + LEASE_SYNC_SECONDS))
	fi
done
# wait returns early when a trapped signal arrives; wait again until
# keepalived itself has exited.
while :; do
	wait "$ka"
	rc=$?
	alive "$ka" || break
done
log "keepalived exited with status $rc"
sh "$CONFIG_DIR/notify.sh" --release
sh "$CONFIG_DIR/notify.sh" --sync
exit "$rc"
