#!/usr/bin/env bash
# Builds opm v1.69.0 from its Go module into the cache (once) and prints its
# path. The module proxy refuses opm's version list, so `go install
# ...@v1.69.0` fails at its deprecation check: the download is installed
# from the local module cache instead. The build tags avoid cgo (gpgme).
# A cold build takes about 5 minutes on two cores.
set -euo pipefail
version=v1.69.0
dir="${PORTICO_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/portico}/tools/opm-${version}"
if [[ ! -x "$dir/opm" ]]; then
  mkdir -p "$dir"
  (
    cd "$(mktemp -d)"
    go mod download "github.com/operator-framework/operator-registry@${version}" >&2
    GOBIN="$dir" GOFLAGS=-mod=mod \
      GOPROXY="file://$(go env GOMODCACHE)/cache/download,$(go env GOPROXY | cut -d, -f1)" \
      go install -tags=json1,containers_image_openpgp \
      -ldflags "-X github.com/operator-framework/operator-registry/cmd/opm/version.opmVersion=${version}" \
      "github.com/operator-framework/operator-registry/cmd/opm@${version}" >&2
  )
fi
echo "$dir/opm"
