#!/bin/sh
# Rendered by Portico: keeps the Lease's spec.holderIdentity equal to the
# node that holds the VIP. Called as
#   notify.sh TYPE NAME STATE [PRIORITY]  by keepalived on every transition,
#   notify.sh --sync                      by entrypoint.sh every 30 s,
#   notify.sh --release                   to drop VIPs a dead keepalived left.
# It trusts the interface, not its arguments: notify runs are asynchronous
# and may finish out of order, but each one reports what is true when it
# runs, and runs are serialised, so the last one leaves the Lease right.
# API errors are logged and never fatal: the VIP does not depend on the API.
# @SETTINGS@
set -u
# keepalived runs scripts with its own umask; without CAP_DAC_OVERRIDE
# (the sidecar drops it) root could not use a lock dir created 0600.
umask 022
RUN_DIR=${RUN_DIR:-/tmp/portico-keepalived}
SA_DIR=${SA_DIR:-/var/run/secrets/kubernetes.io/serviceaccount}
if [ -z "${KUBE_API_URL:-}" ]; then
	host=${KUBERNETES_SERVICE_HOST:-kubernetes.default.svc}
	case $host in *:*) host="[$host]" ;; esac
	KUBE_API_URL=https://$host:${KUBERNETES_SERVICE_PORT:-443}
fi

log() {
	# keepalived discards script output; PORTICO_LOG is the entrypoint's stderr.
	if [ -n "${PORTICO_LOG:-}" ]; then
		echo "portico-keepalived notify: $*" >>"$PORTICO_LOG" 2>/dev/null || echo "portico-keepalived notify: $*" >&2
	else
		echo "portico-keepalived notify: $*" >&2
	fi
}

# holding: true when any VIP is on this node.
holding() {
	for v in $VIPS; do
		[ -n "$(ip -o addr show to "${v%/*}" 2>/dev/null)" ] && return 0
	done
	return 1
}

release() {
	for v in $VIPS; do
		ip -o addr show to "${v%/*}" 2>/dev/null | while read -r _ dev _ cidr _; do
			if ip addr del "$cidr" dev "${dev%@*}"; then
				log "removed VIP $cidr from ${dev%@*}: keepalived is not running"
			fi
		done
	done
}

lock() {
	# mkdir is atomic; a lock whose owner died is taken over.
	mkdir -p "$RUN_DIR"
	i=0
	while ! mkdir "$RUN_DIR/lease.lock" 2>/dev/null; do
		owner=$(cat "$RUN_DIR/lease.lock/pid" 2>/dev/null || true)
		# Stale: its owner is gone, or it never got an owner (killed
		# between mkdir and writing the pid).
		if { [ -n "$owner" ] && ! kill -0 "$owner" 2>/dev/null; } || { [ -z "$owner" ] && [ "$i" -ge 10 ]; }; then
			rm -rf "$RUN_DIR/lease.lock"
			continue
		fi
		i=$((i + 1))
		if [ "$i" -gt 150 ]; then
			log "lease lock busy for 30 s; skipping this update"
			return 1
		fi
		sleep 0.2
	done
	echo $$ >"$RUN_DIR/lease.lock/pid"
}

# shellcheck disable=SC2317 # called by the EXIT trap
unlock() { rm -rf "$RUN_DIR/lease.lock"; }

# api METHOD URL [BODY]: prints the HTTP status (000 when unreachable); the
# response body is left in $RUN_DIR/lease.json.
api() {
	token=$(cat "$SA_DIR/token" 2>/dev/null || true)
	set -- -sS --connect-timeout 2 --max-time 5 --cacert "$SA_DIR/ca.crt" \
		-H "Authorization: Bearer $token" -H "Accept: application/json" \
		-o "$RUN_DIR/lease.json" -w '%{http_code}' -X "$1" "$2" ${3:+-H} ${3:+"Content-Type: ${CONTENT_TYPE:-application/merge-patch+json}"} ${3:+--data-binary} ${3:+"$3"}
	curl "$@" 2>"$RUN_DIR/curl.err" || true
}

# why: the tail of curl's error or of the API's answer, for the log.
why() {
	if [ -s "$RUN_DIR/curl.err" ]; then
		tail -n 1 "$RUN_DIR/curl.err"
	else
		head -c 300 "$RUN_DIR/lease.json" 2>/dev/null
	fi
}

# field NAME: the first string or number value of "NAME" in the last response.
field() {
	v=$(sed -n "s/.*\"$1\":\"\{0,1\}\([^\",}]*\).*/\1/p" "$RUN_DIR/lease.json" 2>/dev/null | head -n 1)
	[ "$v" = null ] || echo "$v"
}

sync_lease() {
	[ -n "$LEASE_NAME" ] || return 0
	if [ -z "${NODE_NAME:-}" ] || [ -z "${POD_NAMESPACE:-}" ]; then
		log "NODE_NAME or POD_NAMESPACE is unset; not reporting the holder"
		return 0
	fi
	lock || return 0
	trap unlock EXIT
	base=$KUBE_API_URL/apis/coordination.k8s.io/v1/namespaces/$POD_NAMESPACE/leases
	code=$(api GET "$base/$LEASE_NAME")
	case $code in
	200)
		holder=$(field holderIdentity)
		rv=$(field resourceVersion)
		transitions=$(field leaseTransitions)
		;;
	404) holder='' rv='' transitions='' ;;
	*)
		log "GET lease $POD_NAMESPACE/$LEASE_NAME: HTTP $code $(why)"
		return 0
		;;
	esac
	now=$(date -u +%Y-%m-%dT%H:%M:%S.000000Z)
	if holding; then
		spec="\"holderIdentity\":\"$NODE_NAME\",\"renewTime\":\"$now\",\"leaseDurationSeconds\":90"
		if [ "$holder" != "$NODE_NAME" ]; then
			spec="$spec,\"acquireTime\":\"$now\",\"leaseTransitions\":$((${transitions:-0} + 1))"
		fi
		if [ "$code" = 404 ]; then
			code=$(CONTENT_TYPE=application/json api POST "$base" "{\"apiVersion\":\"coordination.k8s.io/v1\",\"kind\":\"Lease\",\"metadata\":{\"name\":\"$LEASE_NAME\",\"namespace\":\"$POD_NAMESPACE\"},\"spec\":{$spec}}")
		else
			code=$(api PATCH "$base/$LEASE_NAME" "{\"spec\":{$spec}}")
		fi
		case $code in
		200 | 201) [ "$holder" = "$NODE_NAME" ] || log "lease $LEASE_NAME: holder is now $NODE_NAME" ;;
		*) log "claiming lease $LEASE_NAME: HTTP $code $(why)" ;;
		esac
	elif [ "$holder" = "$NODE_NAME" ]; then
		# Conditional on the version read: if another node claimed the Lease
		# meanwhile, its claim stands (409).
		code=$(api PATCH "$base/$LEASE_NAME" "{\"metadata\":{\"resourceVersion\":\"$rv\"},\"spec\":{\"holderIdentity\":null}}")
		case $code in
		200) log "lease $LEASE_NAME: released" ;;
		409) log "lease $LEASE_NAME: changed meanwhile; left to the new holder" ;;
		*) log "releasing lease $LEASE_NAME: HTTP $code $(why)" ;;
		esac
	fi
	return 0
}

case ${1:-} in
--release) release ;;
--sync) sync_lease ;;
INSTANCE | GROUP)
	log "${2:-?} is ${3:-?}"
	sync_lease
	;;
*)
	echo "usage: notify.sh TYPE NAME STATE [PRIORITY] | --sync | --release" >&2
	exit 2
	;;
esac
exit 0
