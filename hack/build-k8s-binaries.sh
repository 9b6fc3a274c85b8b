#!/usr/bin/env bash
# Builds the Kubernetes control-plane binaries the tests and the demo need
# (etcd, kube-apiserver, kubectl, and on request kube-controller-manager,
# kube-scheduler and kwok, which simulates nodes for the e2e cluster) from Go
# modules, because the usual envtest download is not
# reachable from every machine. Binaries land in a cache directory outside the
# repository so clean clones on the same machine reuse them; a binary that is
# already there is not rebuilt.
#
# Usage: hack/build-k8s-binaries.sh [component...]   (default: etcd kube-apiserver kubectl)
# Prints the directory holding the binaries on its last line of stdout.
set -euo pipefail

K8S_VERSION="${K8S_VERSION:-v1.37.1}"
ETCD_VERSION="${ETCD_VERSION:-v3.7.3}"
KWOK_VERSION="${KWOK_VERSION:-v0.8.0}"
CACHE_ROOT="${PORTICO_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/portico}"
OUT="${CACHE_ROOT}/k8s/${K8S_VERSION#v}-$(go env GOOS)-$(go env GOARCH)"
COMPONENTS=("$@")
[ ${#COMPONENTS[@]} -eq 0 ] && COMPONENTS=(etcd kube-apiserver kubectl)

mkdir -p "$OUT"
log() { echo "build-k8s-binaries: $*" >&2; }

# shellcheck source=hack/lib/progress.sh
source "$(dirname "$0")/lib/progress.sh"

# The Go proxy may refuse module version lists; GOFLAGS=-mod=mod and explicit
# versions avoid every @latest lookup.
export GOFLAGS="-mod=mod -buildvcs=false"
export CGO_ENABLED=0

# scratch_module DIR MODULE VERSION: a throwaway module that requires MODULE and
# pins each of its replace-to-local-path modules to the published version, so
# the upstream main packages build outside their own source tree.
scratch_module() {
  local dir=$1 mod=$2 ver=$3 staging_ver=$4
  rm -rf "$dir"; mkdir -p "$dir"
  (
    cd "$dir"
    go mod init portico.local/buildk8s >/dev/null 2>&1
    local gomod
    gomod=$(go mod download -json "$mod@$ver" | sed -n 's/.*"GoMod": "\(.*\)".*/\1/p')
    {
      echo "require $mod $ver"
      # Every `X => ./staging/...` or `X => ../x` becomes `X => X <published>`.
      # etcd modules carry their own version in the path (…/v3) and share etcd's tag.
      awk '/=> \.\.?\//{print $1}' "$gomod" | sort -u | while read -r m; do
        echo "replace $m => $m $staging_ver"
      done
    } >> go.mod
    # A pseudo main package pulls the modules in so tidy resolves everything.
    : > deps.go
  )
}

build_kubernetes() {
  local want=()
  for c in "${COMPONENTS[@]}"; do
    case "$c" in etcd|kwok) continue ;; esac
    [ -x "$OUT/$c" ] || want+=("$c")
  done
  [ ${#want[@]} -eq 0 ] && return 0
  local dir="${CACHE_ROOT}/src/kubernetes-${K8S_VERSION}"
  log "building ${want[*]} ${K8S_VERSION} from Go modules into $OUT"
  step "preparing a build module for k8s.io/kubernetes ${K8S_VERSION}" 30 \
    scratch_module "$dir" k8s.io/kubernetes "$K8S_VERSION" "v0${K8S_VERSION#v1}"
  local minor; minor=$(echo "$K8S_VERSION" | cut -d. -f2)
  local pkg="k8s.io/component-base/version"
  local ldflags="-s -w -X $pkg.gitVersion=${K8S_VERSION} -X $pkg.gitMajor=1 -X $pkg.gitMinor=${minor} -X $pkg.gitTreeState=clean"
  (
    cd "$dir"
    get_all() {
      local c
      for c in "${want[@]}"; do
        go get "k8s.io/kubernetes/cmd/$c@${K8S_VERSION}" >/dev/null 2>&1 || true
      done
    }
    step "downloading the modules of ${want[*]} (go get)" 120 get_all
    for c in "${want[@]}"; do
      local est=180
      case "$c" in (kube-apiserver) est=300 ;; (kubectl) est=150 ;; (kube-scheduler) est=120 ;; esac
      step "go build $c" "$est" go build -trimpath -ldflags "$ldflags" -o "$OUT/$c.tmp" "k8s.io/kubernetes/cmd/$c"
      mv "$OUT/$c.tmp" "$OUT/$c"
    done
  )
}

build_etcd() {
  [ -x "$OUT/etcd" ] && return 0
  local dir="${CACHE_ROOT}/src/etcd-${ETCD_VERSION}"
  step "preparing a build module for etcd ${ETCD_VERSION}" 20 \
    scratch_module "$dir" go.etcd.io/etcd/server/v3 "$ETCD_VERSION" "$ETCD_VERSION"
  (
    cd "$dir"
    get_etcd() { go get "go.etcd.io/etcd/server/v3@${ETCD_VERSION}" >/dev/null 2>&1 || true; }
    step "downloading the modules of etcd ${ETCD_VERSION} (go get)" 60 get_etcd
    step "go build etcd" 120 go build -trimpath -ldflags "-s -w" -o "$OUT/etcd.tmp" go.etcd.io/etcd/server/v3
    mv "$OUT/etcd.tmp" "$OUT/etcd"
  )
}

build_kwok() {
  if [ ! -x "$OUT/kwok" ]; then
    # kwok's go.mod has no local replaces: a plain install builds it.
    go_install_tool "$OUT" kwok 150 "-s -w" "sigs.k8s.io/kwok/cmd/kwok@${KWOK_VERSION}"
  fi
  # kwok only simulates what its stages describe; the upstream "fast"
  # stages (nodes Ready with heartbeats, pods Running and Ready at once,
  # deleted pods removed) ship in its module source, not in the binary.
  if [ ! -s "$OUT/kwok-stages.yaml" ]; then
    local src
    src=$(go mod download -json "sigs.k8s.io/kwok@${KWOK_VERSION}" | sed -n 's/.*"Dir": "\(.*\)".*/\1/p')/kustomize/stage
    for f in node/fast/node-initialize.yaml node/heartbeat/node-heartbeat.yaml \
             pod/fast/pod-ready.yaml pod/fast/pod-complete.yaml pod/fast/pod-delete.yaml; do
      echo "---"; cat "$src/$f"
    done > "$OUT/kwok-stages.yaml.tmp"
    mv "$OUT/kwok-stages.yaml.tmp" "$OUT/kwok-stages.yaml"
  fi
}

for c in "${COMPONENTS[@]}"; do
  case "$c" in
    etcd|kube-apiserver|kubectl|kube-controller-manager|kube-scheduler|kwok) ;;
    *) log "unknown component $c"; exit 2 ;;
  esac
done
if printf '%s\n' "${COMPONENTS[@]}" | grep -qx etcd; then build_etcd; fi
if printf '%s\n' "${COMPONENTS[@]}" | grep -qx kwok; then build_kwok; fi
build_kubernetes
[ "$((SECONDS - START))" -gt 5 ] && log "all built in $((SECONDS - START)) s"
echo "$OUT"
