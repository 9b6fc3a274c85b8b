#!/usr/bin/env bash
# Checks and unit-tests the operator's alerts with promtool, and has
# promtool parse every query of the Grafana dashboard.
#
# promtool is built from Go modules (github.com/prometheus/prometheus) into a
# cache outside the repository, like hack/build-k8s-binaries.sh: about 7
# minutes once on an idle 2-core machine with an empty module cache, then
# reused. The rules exist only in config/prometheus/alerts.yaml (a
# PrometheusRule); hack/promrules extracts its spec into a temporary rule
# file, so what promtool tests cannot drift from what is deployed.
#
# Usage: hack/promtool.sh          check and test (make test-alerts)
#        hack/promtool.sh path     build if missing, print promtool's path
set -euo pipefail

PROMTOOL_VERSION="${PROMTOOL_VERSION:-v0.316.0}"
CACHE_ROOT="${PORTICO_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/portico}"
OUT="${CACHE_ROOT}/tools/promtool-${PROMTOOL_VERSION}-$(go env GOOS)-$(go env GOARCH)"
PROMTOOL="$OUT/promtool"
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
# The Makefile's toolchain, also when run on its own.
export GOTOOLCHAIN="${GOTOOLCHAIN:-go1.26.10}"

log() { echo "promtool.sh: $*" >&2; }

# shellcheck source=hack/lib/progress.sh
source "$(dirname "$0")/lib/progress.sh"

# build: prometheus's go.mod has no local replace directives, so a plain
# go install at a version builds it (~7 min cold, downloads included).
build() {
  go_install_tool "$OUT" promtool 420 "-s -w -X github.com/prometheus/common/version.Version=${PROMTOOL_VERSION#v}" \
    "github.com/prometheus/prometheus/cmd/promtool@${PROMTOOL_VERSION}"
}

build
if [ "${1:-}" = path ]; then
  echo "$PROMTOOL"
  exit 0
fi

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
(cd "$ROOT" && go run ./hack/promrules -root . -out "$work")
# The tests load the rules by file name, relative to themselves.
cp "$ROOT"/test/alerts/promtool/*.test.yaml "$work/"
"$PROMTOOL" check rules "$work/portico-alerts.rules.yaml" "$work/dashboard.rules.yaml"
cd "$work"
"$PROMTOOL" test rules ./*.test.yaml
