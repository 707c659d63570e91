# Veeam Backup for AWS GraphQL gateway: multi-stage build, production dependencies only, non-root.

# --- build: compile TypeScript -------------------------------------------------------------
FROM node:20-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
# `npm ci` applies these (postinstall: patch-package): fixes to dependencies not yet released upstream.
COPY patches ./patches
RUN npm ci --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json ./
COPY schema ./schema
COPY src ./src
RUN npm run build

# --- production dependencies only ------------------------------------------------------------
FROM node:20-bookworm-slim AS deps
WORKDIR /app
COPY package.json package-lock.json ./
COPY patches ./patches
RUN npm ci --omit=dev --no-audit --no-fund

# --- runtime -----------------------------------------------------------------------------------
FROM node:20-bookworm-slim
# Production never falls back to demo mode: without VEEAM_BASE_URL (and its credentials and
# AUTH_MODE) the container exits 2 and logs what to set. Tracing: set OTEL_EXPORTER_OTLP_ENDPOINT.
ENV NODE_ENV=production \
    PORT=4000
WORKDIR /app
COPY --from=deps --chown=root:root /app/node_modules ./node_modules
COPY --from=build --chown=root:root /app/dist ./dist
COPY --chown=root:root package.json ./
COPY --chown=root:root schema ./schema
# The image's own unprivileged user; the app files stay root-owned and read-only to it.
USER node
EXPOSE 4000
HEALTHCHECK --interval=30s --timeout=5s --start-period=10s --retries=3 \
  CMD ["node", "-e", "require('http').get('http://127.0.0.1:'+(process.env.PORT||4000)+'/healthz',r=>process.exit(r.statusCode===200?0:1)).on('error',()=>process.exit(1))"]
# V8 sizes its heap for the host's memory and grows it lazily; the gateway's live set is small, and a
# cap keeps RSS flat under load (see the benchmark's soak). Raise it for very large pages/exports.
CMD ["node", "--max-old-space-size=192", "dist/src/main.js"]
