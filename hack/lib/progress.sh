# Sourced by the build scripts in hack/: one way to run a long, quiet step.
# The caller defines log().

# step NAME ESTIMATE_SECONDS CMD...: runs CMD, saying what it does, how long
# it has run every 20 s (a cold build is quiet for minutes otherwise) and how
# long it took. Estimates are for a cold cache on an idle 2-core machine.
START=${START:-$SECONDS}
step() {
  local name=$1 est=$2 t0=$SECONDS next rc=0
  shift 2
  log "$name (estimate: ~$(((est + 59) / 60)) min cold)"
  next=$((t0 + 20))
  "$@" &
  local pid=$!
  while kill -0 "$pid" 2>/dev/null; do
    sleep 1
    if [ "$SECONDS" -ge "$next" ]; then
      log "  $name: $((SECONDS - t0)) s of ~${est} s; $((SECONDS - START)) s since the start"
      next=$((SECONDS + 20))
    fi
  done
  wait "$pid" || rc=$?
  if [ "$rc" -ne 0 ]; then
    log "$name: failed after $((SECONDS - t0)) s"
    return "$rc"
  fi
  log "$name: done in $((SECONDS - t0)) s"
}

# go_install_tool DIR BINARY ESTIMATE_SECONDS LDFLAGS PACKAGE@VERSION: builds
# one Go tool into DIR unless it is there (explicit version and -mod=mod:
# no @latest lookup, nothing from outside the module proxy).
go_install_tool() {
  local dir=$1 bin=$2 est=$3 ldflags=$4 pkg=$5
  [ -x "$dir/$bin" ] && return 0
  mkdir -p "$dir"
  step "go install $pkg into $dir" "$est" \
    env GOFLAGS="-mod=mod -buildvcs=false" CGO_ENABLED=0 GOBIN="$dir/.tmp" go install -trimpath -ldflags "$ldflags" "$pkg"
  mv "$dir/.tmp/$bin" "$dir/$bin"
  rmdir "$dir/.tmp"
}
