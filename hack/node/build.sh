#!/usr/bin/env bash
# Builds what the one-node test cluster (test/support/node.ts) runs besides the control plane, into a
# cache outside the repo keyed by version; a second run finds them and does nothing:
#   kubelet, kube-scheduler  from the same Go wrapper module as the control plane (hack/apiserver/kube)
#   pause.tar                the pod sandbox image (pause.c, static, FROM scratch) as a docker-archive
#                            tagged localhost/projector-pause:1, built with buildah (no registry needed) Built after hack/apiserver/build.sh in the
# same Go build cache, only ~100 kubelet packages are new (about 1.5 min); from an empty cache it is the
# full kubelet build (~9 CPU-minutes).
# Usage: build.sh [--print-dir]
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
kube="$here/../apiserver/kube"
K8S_VERSION="$(sed -n 's/^require k8s.io\/kubernetes \(v[0-9.]*\).*/\1/p;s/^\tk8s.io\/kubernetes \(v[0-9.]*\).*/\1/p' "$kube/go.mod" | head -1)"
cache_root="${PROJECTOR_CACHE_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/projector}"
out="$cache_root/node-k8s-${K8S_VERSION}"
if [[ "${1:-}" == "--print-dir" ]]; then echo "$out"; exit 0; fi
pause_image="localhost/projector-pause:1"
if [[ "${1:-}" == "--pause-image" ]]; then echo "$pause_image"; exit 0; fi

build_pause() { # a static C binary FROM scratch; buildah with vfs storage and chroot isolation
  local work c
  if ! command -v buildah >/dev/null || ! command -v gcc >/dev/null; then
    # The binaries are still useful; test/support/node.ts reports the missing pause.tar and what to install.
    echo "hack/node/build.sh: not building pause.tar: needs buildah and gcc (apt-get install -y --no-install-recommends buildah gcc libc6-dev)" >&2
    return 0
  fi
  work="$(mktemp -d)"
  gcc -Os -static -o "$work/pause" "$here/pause.c" && strip "$work/pause"
  local B=(buildah --root "$cache_root/buildah/storage" --runroot "$work/run" --storage-driver vfs)
  c="$("${B[@]}" from scratch)"
  "${B[@]}" copy "$c" "$work/pause" /pause >/dev/null
  "${B[@]}" config --entrypoint '["/pause"]' --user 65535:65535 "$c"
  "${B[@]}" commit --rm -q "$c" "$pause_image" >/dev/null
  rm -f "$out/pause.tar.partial"
  "${B[@]}" push -q "$pause_image" "docker-archive:$out/pause.tar.partial:$pause_image"
  mv "$out/pause.tar.partial" "$out/pause.tar"
  rm -rf "$work"
}

if [[ -x "$out/kubelet" && -x "$out/kube-scheduler" ]]; then
  [[ -s "$out/pause.tar" ]] || build_pause
  echo "node binaries cached in $out"
  exit 0
fi
mkdir -p "$out.partial"
start=$(date +%s)
export CGO_ENABLED=0
# Module builds otherwise report v0.0.0-master+$Format:%H$ (node VERSION column, /version).
minor="${K8S_VERSION#v1.}"; minor="${minor%%.*}"
ldflags="-X k8s.io/component-base/version.gitVersion=${K8S_VERSION} -X k8s.io/component-base/version.gitMajor=1 -X k8s.io/component-base/version.gitMinor=${minor}"
for cmd in kubelet kube-scheduler; do
  echo "building $cmd $K8S_VERSION (first run only) ..."
  (cd "$kube" && go build -trimpath -ldflags "$ldflags" -o "$out.partial/$cmd" "k8s.io/kubernetes/cmd/$cmd")
done
rm -rf "$out" && mv "$out.partial" "$out"
build_pause
echo "node binaries built in $(( $(date +%s) - start ))s into $out"
