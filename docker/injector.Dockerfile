# syntax=docker/dockerfile:1
# The admission webhook and federation reconciler: `deucalion injector --tls-cert F --tls-key F`.
#   docker build -f docker/injector.Dockerfile -t ghcr.io/deucalion/injector:0.1.0 .
# Needs @kubernetes/client-node (owner lookups, the reconciler); writes nothing at run time.

FROM node:24-bookworm-slim AS deps
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --ignore-scripts --no-audit --no-fund

FROM gcr.io/distroless/nodejs24-debian12:nonroot
WORKDIR /app
ENV NODE_ENV=production PORT=8443
COPY --from=deps /app/node_modules ./node_modules
COPY package.json ./
COPY bin ./bin
COPY cli/main.ts cli/args.ts cli/command.ts ./cli/
COPY cli/commands/injector.ts ./cli/commands/
COPY lib ./lib
COPY injector ./injector
COPY docker/healthcheck.mjs ./docker/
USER 65532:65532
EXPOSE 8443
HEALTHCHECK --interval=10s --timeout=5s --start-period=10s --retries=3 \
  CMD ["/nodejs/bin/node", "/app/docker/healthcheck.mjs", "https://127.0.0.1:{port}/healthz"]
ENTRYPOINT ["/nodejs/bin/node", "/app/bin/deucalion.js"]
CMD ["injector", "--tls-cert", "/etc/deucalion/tls/tls.crt", "--tls-key", "/etc/deucalion/tls/tls.key"]
