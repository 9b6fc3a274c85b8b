#!/usr/bin/env bash
# Builds golangci-lint v2 with kube-api-linter (sigs.k8s.io/kube-api-linter,
# its module plugin, linter name kubeapilinter) compiled in, from Go modules,
# into the project's tool cache, once; prints the binary's path last.
#
# `golangci-lint custom` would do the same but starts with a git clone of
# golangci-lint, which cannot work here. This script does what it does from
# the module cache instead: copy golangci-lint's module source into a
# temporary directory, add a cmd/golangci-lint/plugins.go that blank-imports
# the plugin module (the file `custom` would write), `go get` the plugin at
# its pinned version and `go build`. About 2 minutes once on a 2-core
# machine with empty module and build caches (108 s measured), then reused.
#
# kube-api-linter has no releases: its version is a pseudo-version the
# module proxy serves; it builds with golangci-lint v2.15.0 (the plugin only
# needs github.com/golangci/plugin-module-register).
#
# Usage: hack/golangci-lint.sh     (make lint runs it, then the binary)
set -euo pipefail

GOLANGCI_LINT_VERSION="${GOLANGCI_LINT_VERSION:-v2.15.0}"
KUBE_API_LINTER_VERSION="${KUBE_API_LINTER_VERSION:-v0.0.0-20260716143926-092fe0c72997}"
# The Makefile's toolchain, also when run on its own.
export GOTOOLCHAIN="${GOTOOLCHAIN:-go1.26.10}"
CACHE_ROOT="${PORTICO_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/portico}"
OUT="${CACHE_ROOT}/tools/golangci-lint-${GOLANGCI_LINT_VERSION}-kal-${KUBE_API_LINTER_VERSION##*-}-$(go env GOOS)-$(go env GOARCH)"
BIN="$OUT/golangci-lint"

log() { echo "golangci-lint.sh: $*" >&2; }

# shellcheck source=hack/lib/progress.sh
source "$(dirname "$0")/lib/progress.sh"

# prepare DIR: golangci-lint's module source in DIR/src with the plugin
# imported and required at its pinned version.
prepare() {
  local work=$1 src
  src="$(cd "$work" && go mod download -json "github.com/golangci/golangci-lint/v2@${GOLANGCI_LINT_VERSION}" |
    sed -n 's/^[[:space:]]*"Dir": "\(.*\)",$/\1/p')"
  [ -n "$src" ] || { log "no module directory for golangci-lint ${GOLANGCI_LINT_VERSION}"; return 1; }
  cp -r "$src" "$work/src"
  chmod -R u+w "$work/src"
  cat >"$work/src/cmd/golangci-lint/plugins.go" <<'EOF'
package main

// This file is used to declare module plugins.

import _ "sigs.k8s.io/kube-api-linter"
EOF
  (cd "$work/src" && go get "sigs.k8s.io/kube-api-linter@${KUBE_API_LINTER_VERSION}")
}

build() {
  local work=$1
  mkdir -p "$OUT"
  (cd "$work/src" && env GOFLAGS="-mod=mod -buildvcs=false" CGO_ENABLED=0 go build -trimpath \
    -ldflags "-s -w -X 'main.version=${GOLANGCI_LINT_VERSION#v}-kube-api-linter-${KUBE_API_LINTER_VERSION##*-}' -X 'main.date=$(date -u +%Y-%m-%dT%H:%M:%SZ)'" \
    -o "$OUT/.golangci-lint.tmp" ./cmd/golangci-lint)
  mv "$OUT/.golangci-lint.tmp" "$BIN"
}

if [ ! -x "$BIN" ]; then
  work="$(mktemp -d)"
  trap 'rm -rf "$work"' EXIT
  step "fetch golangci-lint ${GOLANGCI_LINT_VERSION} and kube-api-linter ${KUBE_API_LINTER_VERSION}" 30 prepare "$work"
  step "build golangci-lint with kube-api-linter into $OUT" 120 build "$work"
fi
echo "$BIN"
