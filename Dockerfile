# The Projector operator image.
#
#   docker build -t projector:dev .                 # or: podman build -t projector:dev .
#   npm run image                                   # on a machine without a registry: bases made from
#                                                   # Debian packages, built with buildah (hack/image/build.sh)
#
# Three stages: `compile` installs every dependency (dev ones too) and compiles src/ to JavaScript in
# dist/ (`node scripts/build-dist.ts`, tsconfig.build.json); `deps` runs `npm ci --omit=dev` with
# Node 24 LTS and npm; the runtime stage holds only glibc/libstdc++, CA certificates, the node binary,
# production node_modules and the compiled JavaScript (no TypeScript sources: bin/projector.mjs runs
# dist/, so no type stripping at start, ~30 MB less RSS; docs/benchmarks.md, "Idle memory and
# start-up"). No shell, no package manager, no npm at run time; it runs as uid 65532 and writes
# nothing to its root filesystem (the Deployment sets readOnlyRootFilesystem).
#
# BUILD_IMAGE must provide node 24 and npm at /usr/local/bin (the official node image layout) and a
# /bin/sh; RUNTIME_IMAGE must provide glibc and libstdc++ (a "cc" distroless image).
ARG BUILD_IMAGE=docker.io/library/node:24-bookworm-slim
ARG RUNTIME_IMAGE=gcr.io/distroless/cc-debian12:nonroot

FROM ${BUILD_IMAGE} AS compile
WORKDIR /app
COPY package.json package-lock.json ./
# Every dependency: tsc (a devDependency) compiles, and type-checks against the others' types.
RUN --mount=type=cache,target=/root/.npm \
    npm ci --ignore-scripts --no-audit --no-fund --loglevel=error
COPY tsconfig.json tsconfig.build.json ./
COPY scripts/build-dist.ts ./scripts/build-dist.ts
COPY src ./src
RUN node scripts/build-dist.ts

FROM ${BUILD_IMAGE} AS deps
WORKDIR /app
COPY package.json package-lock.json ./
# --ignore-scripts: no dependency needs an install script; the only one with a script is the npm
# package `node` (it downloads a Node binary for local development), which the image does not use:
# the runtime takes this stage's own /usr/local/bin/node.
RUN --mount=type=cache,target=/root/.npm \
    npm ci --omit=dev --ignore-scripts --no-audit --no-fund --loglevel=error
COPY hack/image/prune-node-modules.ts /tmp/prune-node-modules.ts
RUN node /tmp/prune-node-modules.ts /app/node_modules
# The code last: a code change reuses the npm ci layer above.
COPY bin ./bin
COPY --from=compile /app/dist ./dist
# The CRD files, for installing them from the image (`dev --install-crds` builds its own from code:
# src/cli/dev/dev-cluster.ts).
COPY deploy/crds ./deploy/crds

FROM ${RUNTIME_IMAGE}
COPY --from=deps /usr/local/bin/node /usr/local/bin/node
COPY --from=deps /app /app
# Exec form: no shell needed. Fails the build when the runtime base cannot load this node binary.
RUN ["/usr/local/bin/node", "-e", "if (+process.versions.node.split('.')[0] < 24) { console.error('need Node 24, got', process.version); process.exit(1) }"]
WORKDIR /app
ENV NODE_ENV=production
USER 65532:65532
# --max-opt=2: V8's optimising tiers stop at Maglev; TurboFan's code, compile zones and code pages
# cost the operator ~4 MB idle and ~7 MB at its peak during a sync, and it saves no CPU an operator
# notices (docs/benchmarks.md, "Fifth pass").
# --no-concurrent-recompilation: Maglev compiles hot functions on the main thread instead of a
# background one; the peak RSS of a sync of 1,000 falls by ~7 MB (anonymous memory ~59 -> ~51 MB)
# at the same CPU per sync (docs/benchmarks.md, "Fourteenth pass").
# Neither flag is allowed in NODE_OPTIONS, hence here.
ENTRYPOINT ["/usr/local/bin/node", "--max-opt=2", "--no-concurrent-recompilation", "/app/bin/projector.mjs"]
CMD ["operator"]
