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
echo "building etcd $ETCD_VERSION (first run only; several minutes) ..."
(cd "$here/etcd" && go build -trimpath -o "$out.partial/etcd" go.etcd.io/etcd/server/v3)
echo "building kube-apiserver $K8S_VERSION (first run only; this is the long one) ..."
(cd "$here/kube" && go build -trimpath -o "$out.partial/kube-apiserver" k8s.io/kubernetes/cmd/kube-apiserver)
echo "building kube-controller-manager $K8S_VERSION ..."
(cd "$here/kube" && go build -trimpath -o "$out.partial/kube-controller-manager" k8s.io/kubernetes/cmd/kube-controller-manager)
rm -rf "$out" && mv "$out.partial" "$out"
echo "control plane built in $(( $(date +%s) - start ))s into $out"
