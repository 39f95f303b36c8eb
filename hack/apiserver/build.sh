#!/usr/bin/env bash
# Builds kube-apiserver, kube-controller-manager and etcd from their Go modules into a cache
# outside the repo, keyed by version. A second run finds the binaries and does nothing.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
K8S_VERSION="$(sed -n 's/^require k8s.io\/kubernetes \(v[0-9.]*\).*/\1/p;s/^\tk8s.io\/kubernetes \(v[0-9.]*\).*/\1/p' "$here/kube/go.mod" | head -1)"
ETCD_VERSION="$(sed -n 's/^require go.etcd.io\/etcd\/server\/v3 \(v[0-9.]*\).*/\1/p;s/^\tgo.etcd.io\/etcd\/server\/v3 \(v[0-9.]*\).*/\1/p' "$here/etcd/go.mod" | head -1)"
cache_root="${PROJECTOR_CACHE_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/projector}"
out="$cache_root/controlplane-k8s-${K8S_VERSION}-etcd-${ETCD_VERSION}"
if [[ "${1:-}" == "--print-dir" ]]; then echo "$out"; exit 0; fi
if [[ -x "$out/kube-apiserver" && -x "$out/kube-controller-manager" && -x "$out/etcd" ]]; then
  echo "control plane binaries cached in $out"
  exit 0
fi
mkdir -p "$out.partial"
start=$(date +%s)
export CGO_ENABLED=0
log="$out.partial/build.log"
elapsed() { local s=$(( $(date +%s) - $1 )); printf '%dm%02ds' $((s / 60)) $((s % 60)); }

# build NAME DIR PACKAGE: `go build -v` lists each package as it compiles; a line every 30 s says
# (PROJECTOR_BUILD_PROGRESS_SECONDS) says which binary, how long it has taken and how many packages are done, so a cold build (20-45 min
# on 2 cores) is never minutes of silence. On failure the end of Go's output is shown.
build() {
  local name="$1" dir="$2" pkg="$3" t0 pid n
  t0=$(date +%s)
  echo "[control plane] building $name ($4) ..."
  (cd "$dir" && go build -v -trimpath -o "$out.partial/$name" "$pkg") >"$log" 2>&1 &
  pid=$!
  while kill -0 "$pid" 2>/dev/null; do
    for _ in $(seq "${PROJECTOR_BUILD_PROGRESS_SECONDS:-30}"); do kill -0 "$pid" 2>/dev/null || break; sleep 1; done
    if kill -0 "$pid" 2>/dev/null; then
      n=$(grep -c . "$log" || true)
      echo "[control plane]   $name: $(elapsed "$t0") elapsed, $n packages compiled (total $(elapsed "$start"))"
    fi
  done
  if ! wait "$pid"; then
    echo "[control plane] building $name failed after $(elapsed "$t0"); the end of Go's output:" >&2
    tail -n 30 "$log" >&2
    exit 1
  fi
  echo "[control plane]   $name done in $(elapsed "$t0")"
}

echo "[control plane] first run: building etcd $ETCD_VERSION, kube-apiserver and kube-controller-manager $K8S_VERSION into $out"
echo "[control plane] a cold build takes 20-45 minutes on 2 cores and about 4.4 GB of disk (binaries here, sources and objects in Go's caches); later runs reuse it"
build etcd "$here/etcd" go.etcd.io/etcd/server/v3 "1 of 3"
build kube-apiserver "$here/kube" k8s.io/kubernetes/cmd/kube-apiserver "2 of 3, the long one"
build kube-controller-manager "$here/kube" k8s.io/kubernetes/cmd/kube-controller-manager "3 of 3"
rm -f "$log"
rm -rf "$out" && mv "$out.partial" "$out"
echo "[control plane] built in $(elapsed "$start") into $out"
