#!/usr/bin/env bash
# Builds Helm from Go modules into the project's tool cache (there is no
# apt package, and nothing else is reachable), once; prints its path.
# Usage: hack/helm.sh
set -euo pipefail
HELM_VERSION="${HELM_VERSION:-v4.3.1}"
CACHE_ROOT="${PORTICO_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/portico}"
OUT="${CACHE_ROOT}/tools/helm-${HELM_VERSION}"
log() { echo "helm.sh: $*" >&2; }
if [ ! -x "$OUT/helm" ]; then
  mkdir -p "$OUT"
  log "building helm ${HELM_VERSION} from Go modules (estimate: ~3 min cold on 2 cores)"
  start=$SECONDS
  GOFLAGS="-mod=mod -buildvcs=false" CGO_ENABLED=0 GOBIN="$OUT/.tmp" \
    go install -trimpath -ldflags "-s -w -X helm.sh/helm/v4/internal/version.version=${HELM_VERSION}" \
    "helm.sh/helm/v4/cmd/helm@${HELM_VERSION}" &
  pid=$!
  next=$((SECONDS + 20))
  while kill -0 "$pid" 2>/dev/null; do
    sleep 1
    if [ "$SECONDS" -ge "$next" ]; then
      log "  still building: $((SECONDS - start)) s"
      next=$((SECONDS + 20))
    fi
  done
  wait "$pid"
  mv "$OUT/.tmp/helm" "$OUT/helm"
  rmdir "$OUT/.tmp"
  log "built in $((SECONDS - start)) s"
fi
echo "$OUT/helm"
