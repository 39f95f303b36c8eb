#!/usr/bin/env bash
# Builds the operator image (the repo's Dockerfile) with buildah, on a machine where no container
# registry is reachable: the two base images the Dockerfile takes as build arguments are made here
# from Debian packages instead of being pulled.
#
#   runtime base  localhost/projector-runtime-base:KEY  distroless-style root: glibc, libgcc, libstdc++,
#                 CA certificates, netbase, /etc/passwd with nonroot (65532); no shell
#   build base    localhost/projector-build-base:KEY    the runtime root + busybox (sh for RUN) + Node 24
#                 (the npm package `node`'s binary, stripped) + npm, in the official node image layout
#
# The operator image is cached by a hash of everything that goes into it (Dockerfile, package files,
# tsconfig*.json and scripts/build-dist.ts (the image compiles src/ to dist/), bin/, src/, deploy/crds,
# the prune script, the bases) and exported as a docker-archive under
# $CACHE/images/projector-HASH.tar, tagged localhost/projector:HASH and projector:dev. The archive's
# path is the last line printed. Buildah runs with vfs storage and chroot isolation (no daemon, no
# overlay mounts, works as root in a sandbox).
#
# With a registry, none of this is needed:  docker build -t projector:dev .  (or podman/buildah bud).
# Usage: hack/image/build.sh [--print-path]   (--print-path: the archive path, without building)
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
repo="$(cd "$here/../.." && pwd)"
cache_root="${PROJECTOR_CACHE_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/projector}"
images="$cache_root/images"
log() { echo "image: $*" >&2; }

missing=()
for c in buildah apt-get dpkg-deb strip sha256sum; do command -v "$c" >/dev/null || missing+=("$c"); done
if ((${#missing[@]})); then
  echo "hack/image/build.sh: missing ${missing[*]}; install with: apt-get install -y --no-install-recommends buildah binutils" >&2
  exit 1
fi
node_bin="$repo/node_modules/node/bin/node"
[[ -x "$node_bin" ]] || { echo "hack/image/build.sh: $node_bin missing; run npm ci first" >&2; exit 1; }
npm_dir="$(npm root -g 2>/dev/null)/npm"
[[ -f "$npm_dir/bin/npm-cli.js" ]] || { echo "hack/image/build.sh: npm not found (needed inside the build base)" >&2; exit 1; }

node_version="$("$node_bin" --version)"
npm_version="$("$node_bin" -p "require('$npm_dir/package.json').version")"
# The build base trusts what this machine trusts (npm inside it may go through a TLS-intercepting
# proxy); the runtime base has only Debian's CA bundle.
host_ca=/etc/ssl/certs/ca-certificates.crt
[[ -s "$host_ca" ]] || { echo "hack/image/build.sh: $host_ca missing (apt-get install ca-certificates)" >&2; exit 1; }
# Bump when the base recipes below change.
recipe=2
runtime_pkgs=(libc6 libgcc-s1 libstdc++6 ca-certificates netbase)
runtime_key="$(echo "$recipe ${runtime_pkgs[*]}" | sha256sum | cut -c1-16)"
build_key="$( { echo "$recipe ${runtime_pkgs[*]} busybox-static $node_version $npm_version"; sha256sum <"$host_ca"; } | sha256sum | cut -c1-16)"
base_key="$runtime_key-$build_key"
runtime_base="localhost/projector-runtime-base:$runtime_key"
build_base="localhost/projector-build-base:$build_key"

# Everything the Dockerfile copies (the .dockerignore allow list) plus the bases.
content_hash="$(
  cd "$repo"
  { echo "$base_key"
    find Dockerfile .dockerignore package.json package-lock.json tsconfig.json tsconfig.build.json scripts/build-dist.ts bin src deploy/crds hack/image/prune-node-modules.ts -type f -print0 \
      | sort -z | xargs -0 sha256sum; } | sha256sum | cut -c1-16
)"
archive="$images/projector-$content_hash.tar"
if [[ "${1:-}" == "--print-path" ]]; then echo "$archive"; exit 0; fi
if [[ -s "$archive" ]]; then log "cached: $archive"; echo "$archive"; exit 0; fi

mkdir -p "$images" "$cache_root/buildah"
# One build at a time on this machine (parallel test runs and worktrees share the buildah store and the
# archive directory); whoever waited finds its archive already built when the content matches.
exec 9>"$cache_root/image-build.lock"
flock 9
if [[ -s "$archive" ]]; then log "cached: $archive"; echo "$archive"; exit 0; fi
work="$(mktemp -d "${TMPDIR:-/tmp}/projector-image.XXXXXX")"
chmod 755 "$work" # apt's download sandbox user must reach $work/debs
trap 'rm -rf "$work"' EXIT
BUILDAH=(buildah --root "$cache_root/buildah/storage" --runroot "$work/run" --storage-driver vfs)
start=$(date +%s)

have_image() { "${BUILDAH[@]}" inspect --type image "$1" >/dev/null 2>&1; }

make_root() { # dir packages...: unpack Debian packages (no maintainer scripts) into a bare root
  local root=$1; shift
  mkdir -p "$work/debs" "$root"
  chmod 777 "$work/debs" # apt's download sandbox user must write here
  (cd "$work/debs" && apt-get download -q "$@" >/dev/null)
  for deb in "$work"/debs/*.deb; do dpkg-deb -x "$deb" "$root"; done
  rm -rf "$work/debs"
  rm -rf "$root"/usr/share/{doc,man,info,lintian,locale} "$root"/usr/share/gcc "$root"/usr/share/gdb
  mkdir -p "$root"/{etc/ssl/certs,tmp,home/nonroot,root,usr/local/bin}
  chmod 1777 "$root/tmp"
  # What update-ca-certificates would generate (maintainer scripts do not run here).
  cat "$root"/usr/share/ca-certificates/mozilla/*.crt >"$root/etc/ssl/certs/ca-certificates.crt"
  printf 'root:x:0:0:root:/root:/sbin/nologin\nnonroot:x:65532:65532:nonroot:/home/nonroot:/sbin/nologin\n' >"$root/etc/passwd"
  printf 'root:x:0:\nnonroot:x:65532:\n' >"$root/etc/group"
  printf 'passwd: files\ngroup: files\nhosts: files dns\n' >"$root/etc/nsswitch.conf"
}

commit_root() { # dir image user [env...]
  local c dir=$1 image=$2 user=$3 envs=()
  shift 3
  for e in "$@"; do envs+=(--env "$e"); done
  tar -C "$dir" --numeric-owner -cf "$work/root.tar" .
  c="$("${BUILDAH[@]}" from scratch)"
  "${BUILDAH[@]}" add "$c" "$work/root.tar" / >/dev/null
  "${BUILDAH[@]}" config --user "$user" --workingdir / \
    --env PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin --env SSL_CERT_FILE=/etc/ssl/certs/ca-certificates.crt "${envs[@]}" "$c"
  "${BUILDAH[@]}" commit --rm -q "$c" "$image" >/dev/null
  rm -f "$work/root.tar"
}

if ! have_image "$runtime_base"; then
  log "runtime base $runtime_base from Debian packages: ${runtime_pkgs[*]}"
  make_root "$work/runtime" "${runtime_pkgs[@]}"
  chown 65532:65532 "$work/runtime/home/nonroot"
  commit_root "$work/runtime" "$runtime_base" 65532:65532
  rm -rf "$work/runtime"
fi
if ! have_image "$build_base"; then
  log "build base $build_base: runtime root + busybox + node $node_version + npm $npm_version"
  make_root "$work/build" "${runtime_pkgs[@]}" busybox-static
  for t in sh env rm mkdir cp mv ls cat; do ln -s /bin/busybox "$work/build/bin/$t" 2>/dev/null || true; done
  mkdir -p "$work/build/usr/bin" && ln -sf /bin/busybox "$work/build/usr/bin/env"
  strip -o "$work/build/usr/local/bin/node" "$node_bin"
  mkdir -p "$work/build/usr/local/lib/node_modules" && cp -a "$npm_dir" "$work/build/usr/local/lib/node_modules/npm"
  ln -s ../lib/node_modules/npm/bin/npm-cli.js "$work/build/usr/local/bin/npm"
  ln -s ../lib/node_modules/npm/bin/npx-cli.js "$work/build/usr/local/bin/npx"
  cp "$host_ca" "$work/build/etc/ssl/certs/ca-certificates.crt"
  commit_root "$work/build" "$build_base" 0:0 NODE_EXTRA_CA_CERTS=/etc/ssl/certs/ca-certificates.crt
  rm -rf "$work/build"
fi

# Bases from older recipes are superseded (vfs storage keeps full copies: free the disk).
"${BUILDAH[@]}" images --format '{{.Name}}:{{.Tag}}' 2>/dev/null \
  | grep -E '^localhost/projector-(runtime|build)-base:' | grep -vx -e "$runtime_base" -e "$build_base" \
  | while read -r old; do "${BUILDAH[@]}" rmi "$old" >/dev/null 2>&1 || true; done || true

tag="localhost/projector:$content_hash"
log "operator image $tag (buildah bud, chroot isolation)"
"${BUILDAH[@]}" bud --isolation chroot --layers \
  --build-arg "BUILD_IMAGE=$build_base" --build-arg "RUNTIME_IMAGE=$runtime_base" \
  -f "$repo/Dockerfile" -t "$tag" -t projector:dev "$repo" 2>&1 | tee "$work/bud.log" >&2
rm -f "$archive.partial"
"${BUILDAH[@]}" push -q "$tag" "docker-archive:$archive.partial:$tag" >&2
mv "$archive.partial" "$archive"
# Older archives and tags of this image are superseded (their layers go with them; the npm ci layer
# stays cached while package*.json do not change).
# The three newest archives stay (another checkout's test may be importing one right now).
ls -t "$images"/projector-*.tar 2>/dev/null | tail -n +4 | xargs -r rm -f
"${BUILDAH[@]}" images --format '{{.Name}}:{{.Tag}}' 2>/dev/null | grep -E '^localhost/projector:[0-9a-f]{16}$' \
  | while read -r old; do [[ -s "$images/projector-${old##*:}.tar" ]] || "${BUILDAH[@]}" rmi "$old" >/dev/null 2>&1 || true; done || true
# With --layers every step leaves an untagged image, and in vfs storage each is a full copy of the
# root (~300 MB; ~20 per build): the steps of this build (made or reused: the npm ci layer stays
# cached while package*.json do not change) are kept, every other untagged image goes.
this_build="$(grep -oE '^--> (Using cache )?[0-9a-f]{11,}' "$work/bud.log" | grep -oE '[0-9a-f]{11,}$' | cut -c1-11 | sort -u || true)"
"${BUILDAH[@]}" images -a --noheading --format '{{.ID}} {{.Name}}' 2>/dev/null | awk '$2 == "<none>" || $2 == "" { print $1 }' \
  | while read -r id; do grep -qx "${id:0:11}" <<<"$this_build" || "${BUILDAH[@]}" rmi "$id" >/dev/null 2>&1 || true; done || true
size=$("${BUILDAH[@]}" images --format '{{.Size}}' "$tag" 2>/dev/null | head -1 || true)
log "built in $(( $(date +%s) - start ))s: $(du -m "$archive" | cut -f1) MB archive${size:+, image size $size}"
echo "$archive"
