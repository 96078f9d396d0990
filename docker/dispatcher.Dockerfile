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
# Node runs the TypeScript sources directly (type stripping): no build step, nothing to compile.

FROM node:24-bookworm-slim AS deps
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --ignore-scripts --no-audit --no-fund \
 && npm uninstall --omit=dev --ignore-scripts --no-audit --no-fund @kubernetes/client-node

FROM gcr.io/distroless/nodejs24-debian12:nonroot
WORKDIR /app
ENV NODE_ENV=production
COPY --from=deps /app/node_modules ./node_modules
COPY package.json ./
COPY bin ./bin
COPY cli/main.ts cli/args.ts cli/command.ts ./cli/
COPY cli/commands/dispatcher.ts ./cli/commands/
COPY lib ./lib
COPY functions ./functions
COPY docker/healthcheck.mjs ./docker/
# distroless :nonroot is uid/gid 65532; the injector's securityContext uses the same uid.
USER 65532:65532
EXPOSE 9464
HEALTHCHECK --interval=15s --timeout=5s --start-period=10s --retries=3 \
  CMD ["/nodejs/bin/node", "/app/docker/healthcheck.mjs", "http://127.0.0.1:9464/healthz"]
ENTRYPOINT ["/nodejs/bin/node", "/app/bin/deucalion.js"]
CMD ["dispatcher", "--config", "/etc/deucalion/config.yaml"]
