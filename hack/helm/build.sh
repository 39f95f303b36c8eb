#!/usr/bin/env bash
# Builds the Helm CLI from its Go module into a cache outside the repo, keyed by version, for the chart
# tests (test/integration/deploy/helm-chart.test.ts renders with `helm template`, test/integration/node/howto-app
# runs `helm install`). A second run finds the binary and does nothing. No prebuilt binary is downloaded:
# `go install` fetches the module's source and compiles it (~3 CPU-minutes from an empty Go cache).
# Usage: build.sh [--print-dir]
set -euo pipefail
HELM_VERSION="${HELM_VERSION:-v3.22.0}"
cache_root="${PROJECTOR_CACHE_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/projector}"
# Bump when the build recipe below changes (the cache directory is keyed by it).
recipe=2
out="$cache_root/helm-${HELM_VERSION}-r${recipe}"
if [[ "${1:-}" == "--print-dir" ]]; then echo "$out"; exit 0; fi
if [[ -x "$out/helm" ]]; then
  echo "helm cached in $out"
  exit 0
fi
rm -rf "$out.partial" && mkdir -p "$out.partial"
start=$(date +%s)
export CGO_ENABLED=0
echo "building helm $HELM_VERSION (first run only) ..."
# helm's own Makefile stamps these: its version, and the Kubernetes version `helm template` assumes
# (.Capabilities.KubeVersion) from its client-go module, which otherwise stays at v1.20.
mod_dir="$(go mod download -json "helm.sh/helm/v3@${HELM_VERSION}" | sed -n 's/^[[:space:]]*"Dir": "\(.*\)",$/\1/p')"
k8s_minor="$(sed -n 's/^[[:space:]]*k8s.io\/client-go v0\.\([0-9]*\)\..*/\1/p' "$mod_dir/go.mod" | head -1)"
[[ -n "$k8s_minor" ]] || { echo "hack/helm/build.sh: no k8s.io/client-go version in $mod_dir/go.mod" >&2; exit 1; }
ldflags="-X helm.sh/helm/v3/internal/version.version=${HELM_VERSION}"
for pkg in helm.sh/helm/v3/pkg/lint/rules helm.sh/helm/v3/pkg/chartutil; do
  ldflags+=" -X ${pkg}.k8sVersionMajor=1 -X ${pkg}.k8sVersionMinor=${k8s_minor}"
done
GOBIN="$out.partial" go install -trimpath -ldflags "$ldflags" "helm.sh/helm/v3/cmd/helm@${HELM_VERSION}"
rm -rf "$out" && mv "$out.partial" "$out"
echo "helm built in $(( $(date +%s) - start ))s into $out"
