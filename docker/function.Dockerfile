# syntax=docker/dockerfile:1
# Functions on Knative (or any container platform): `deucalion function NAME`, NAME as args.
#   docker build -f docker/function.Dockerfile -t ghcr.io/deucalion/function:0.1.0 .
#   docker run --read-only -p 8080:8080 ghcr.io/deucalion/function:0.1.0 function detector-zscore
# OpenFaaS builds its functions from template/deucalion-ts instead (of-watchdog in front).
# Writes nothing outside /tmp (the alert-forwarder's embedded sink file, if no Alertmanager is set).

FROM node:24-bookworm-slim AS deps
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --ignore-scripts --no-audit --no-fund \
 && npm uninstall --omit=dev --ignore-scripts --no-audit --no-fund @kubernetes/client-node

FROM gcr.io/distroless/nodejs24-debian12:nonroot
WORKDIR /app
ENV NODE_ENV=production PORT=8080 ALERT_LOG_FILE=/tmp/deucalion-alerts.jsonl
COPY --from=deps /app/node_modules ./node_modules
COPY package.json ./
COPY bin ./bin
COPY cli/main.ts cli/args.ts cli/command.ts ./cli/
COPY cli/commands/function.ts ./cli/commands/
COPY lib ./lib
COPY functions ./functions
COPY docker/healthcheck.mjs ./docker/
USER 65532:65532
EXPOSE 8080
HEALTHCHECK --interval=15s --timeout=5s --start-period=10s --retries=3 \
  CMD ["/nodejs/bin/node", "/app/docker/healthcheck.mjs", "http://127.0.0.1:{port}/health/liveness"]
ENTRYPOINT ["/nodejs/bin/node", "/app/bin/deucalion.js"]
CMD ["function", "--help"]
