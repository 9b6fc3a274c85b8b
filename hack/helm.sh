#!/usr/bin/env bash
# Builds Helm from Go modules into the project's tool cache (there is no
# apt package, and nothing else is reachable), once; prints its path.
# Usage: hack/helm.sh
set -euo pipefail
HELM_VERSION="${HELM_VERSION:-v4.3.1}"
CACHE_ROOT="${PORTICO_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/portico}"
OUT="${CACHE_ROOT}/tools/helm-${HELM_VERSION}"
log() { echo "helm.sh: $*" >&2; }
# shellcheck source=hack/lib/progress.sh
source "$(dirname "$0")/lib/progress.sh"
go_install_tool "$OUT" helm 150 "-s -w -X helm.sh/helm/v4/internal/version.version=${HELM_VERSION}" "helm.sh/helm/v4/cmd/helm@${HELM_VERSION}"
echo "$OUT/helm"
