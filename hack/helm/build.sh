#!/usr/bin/env bash
# Builds the Helm CLI from its Go module into a cache outside the repo, keyed by version, for the chart
# tests (test/unit/deploy/chart-*.test.ts render with `helm template`, test/integration/node/helm-install
# runs `helm install`). A second run finds the binary and does nothing. No prebuilt binary is downloaded:
# `go install` fetches the module's source and compiles it (~3 CPU-minutes from an empty Go cache).
# Usage: build.sh [--print-dir]
set -euo pipefail
HELM_VERSION="${HELM_VERSION:-v3.22.0}"
cache_root="${PROJECTOR_CACHE_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/projector}"
out="$cache_root/helm-${HELM_VERSION}"
if [[ "${1:-}" == "--print-dir" ]]; then echo "$out"; exit 0; fi
if [[ -x "$out/helm" ]]; then
  echo "helm cached in $out"
  exit 0
fi
rm -rf "$out.partial" && mkdir -p "$out.partial"
start=$(date +%s)
export CGO_ENABLED=0
echo "building helm $HELM_VERSION (first run only) ..."
# helm's own Makefile stamps the version the same way; without it `helm version` says v3 + "dirty".
GOBIN="$out.partial" go install -trimpath \
  -ldflags "-X helm.sh/helm/v3/internal/version.version=${HELM_VERSION}" \
  "helm.sh/helm/v3/cmd/helm@${HELM_VERSION}"
rm -rf "$out" && mv "$out.partial" "$out"
echo "helm built in $(( $(date +%s) - start ))s into $out"
