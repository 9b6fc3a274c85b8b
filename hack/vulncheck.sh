#!/usr/bin/env bash
# govulncheck with a vulnerability database built offline from the
# golang.org/x/vulndb module (its data/osv reports, indexed by the module's
# own cmd/indexdb) into ${XDG_CACHE_HOME:-~/.cache}/portico/. No network
# beyond the Go module proxy. Exits non-zero when code reaches a known
# vulnerability. Usage: hack/vulncheck.sh [dir] [packages...]
set -euo pipefail
VULNDB_VERSION=v0.0.0-20261105234957-e22db6528018
VULN_VERSION=v1.9.0
cache="${XDG_CACHE_HOME:-$HOME/.cache}/portico/vulndb-${VULNDB_VERSION}"
if [ ! -f "$cache/index/db.json" ]; then
	echo "vulncheck: building the vulnerability database from golang.org/x/vulndb@${VULNDB_VERSION} (once)" >&2
	dir=$(cd "$(mktemp -d)" && go mod download -json "golang.org/x/vulndb@${VULNDB_VERSION}" | sed -n 's/^[[:space:]]*"Dir": "\(.*\)",$/\1/p')
	rm -rf "$cache.tmp"
	go run "golang.org/x/vulndb/cmd/indexdb@${VULNDB_VERSION}" -vulns "$dir/data/osv" -out "$cache.tmp"
	mv "$cache.tmp" "$cache"
fi
target="${1:-.}"
shift || true
cd "$target"
exec go run "golang.org/x/vuln/cmd/govulncheck@${VULN_VERSION}" -db "file://$cache" "${@:-./...}"
