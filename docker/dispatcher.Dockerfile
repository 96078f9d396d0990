# syntax=docker/dockerfile:1
# The sidecar dispatcher the injector adds to pods: `deucalion dispatcher --config /etc/deucalion/config.yaml`.
#   docker build -f docker/dispatcher.Dockerfile -t ghcr.io/deucalion/dispatcher:0.1.0 .
# It runs next to every monitored pod, so it is as small as it can be:
# - runtime: distroless Node 24 (the node binary, glibc and CA certificates; no shell, no npm);
# - production dependencies only, without @kubernetes/client-node and its tree (~60 MB), which only
#   the injector uses;
# - only the code it loads (bin, cli, lib, functions; .dockerignore drops tests, benchmarks, docs and
#   the eval/demo/up libraries); test/deploy/dockerfiles.test.ts checks that the import closure of
#   `deucalion dispatcher` is inside what is copied.
# Node runs the TypeScript sources directly (type stripping): no build step. What it would otherwise
# redo in every pod is done once here: `dispatcher --check` loads every module of the dispatcher and
# fills NODE_COMPILE_CACHE with the stripped sources and V8's code cache. Without it, each sidecar
# loads Node's WebAssembly TypeScript stripper at start (14-31 MB more RSS, measured; docs/dispatcher.md,
# "Memory"). Node keys the cache by its version, V8 flags and uid, so the cache is filled by the
# runtime node, as USER 65532, with the ENTRYPOINT's flags; at run time it is only read (read-only root
# file system is fine). A pod that runs the sidecar as another uid or adds V8 flags misses the cache
# and pays the stripper's memory, nothing else.

FROM node:24-bookworm-slim AS deps
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --ignore-scripts --no-audit --no-fund \
 && npm uninstall --omit=dev --ignore-scripts --no-audit --no-fund @kubernetes/client-node \
 && mkdir /compile-cache

FROM gcr.io/distroless/nodejs24-debian12:nonroot
WORKDIR /app
ENV NODE_ENV=production NODE_COMPILE_CACHE=/app/compile-cache
COPY --from=deps /app/node_modules ./node_modules
COPY --from=deps --chown=65532:65532 /compile-cache ./compile-cache
COPY package.json ./
COPY bin ./bin
COPY cli/main.ts cli/args.ts cli/command.ts ./cli/
COPY cli/commands/dispatcher.ts ./cli/commands/
COPY lib ./lib
COPY functions ./functions
COPY docker/healthcheck.mjs docker/dispatcher-check.yaml ./docker/
# distroless :nonroot is uid/gid 65532; the injector's securityContext uses the same uid.
USER 65532:65532
RUN ["/nodejs/bin/node", "--max-semi-space-size=1", "--single-threaded", "/app/bin/deucalion.js", "dispatcher", "--check", "--config", "/app/docker/dispatcher-check.yaml"]
EXPOSE 9464
HEALTHCHECK --interval=15s --timeout=5s --start-period=10s --retries=3 \
  CMD ["/nodejs/bin/node", "/app/docker/healthcheck.mjs", "http://127.0.0.1:9464/healthz"]
# Node flags: lib/dispatcher/node-flags.ts (less memory, no measurable CPU cost at one scrape a second).
ENTRYPOINT ["/nodejs/bin/node", "--max-semi-space-size=1", "--single-threaded", "/app/bin/deucalion.js"]
CMD ["dispatcher", "--config", "/etc/deucalion/config.yaml"]
