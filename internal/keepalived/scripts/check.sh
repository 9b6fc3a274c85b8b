#!/bin/sh
# Rendered by Portico: keepalived's health check. Exit 0 only while the
# local ingress controller answers its health URL; two failures in a row put
# the VRRP instance in FAULT, which releases the VIP.
# @SETTINGS@
# --noproxy: the URL is local and a pod-wide HTTP(S)_PROXY must not see it.
exec curl -fsS -g --noproxy '*' --max-time 1 -o /dev/null "$HEALTHZ_URL"
