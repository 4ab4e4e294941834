# Paperboy: a multi-stage image on node:20-slim.
# Build stage: install with npm ci, compile, run the unit tests. Runtime stage: production dependencies,
# dist/ and seeds/ only, as the non-root `node` user, state in the /app/data volume.

FROM node:20-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
# --ignore-scripts: `prepare` (tsc) needs the sources, which are copied next.
RUN npm ci --ignore-scripts --no-audit --no-fund
COPY tsconfig.json vitest.config.ts ./
COPY src ./src
COPY seeds ./seeds
COPY test ./test
RUN npx tsc -p tsconfig.json
# The fast, self-contained suites: pure logic and the corpus reader (the end-to-end suites need ../shared and
# spawn processes; CI runs them with `npm test`).
RUN npx vitest run test/core test/app test/adapters/fs-corpus.test.ts

FROM node:20-slim AS runtime
# HEALTH_HOST: inside a container, 127.0.0.1 is the container's own loopback, which `docker run -p` and
# Kubernetes probes cannot reach; the endpoint stays off until HEALTH_PORT is set.
ENV NODE_ENV=production \
    STATE_FILE=/app/data/state.json \
    CORPUS_DIR=/app/seeds \
    HEALTH_HOST=0.0.0.0
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --ignore-scripts --no-audit --no-fund && npm cache clean --force
COPY --from=build /app/dist ./dist
COPY seeds ./seeds
# /app/corpus: an empty folder node may write, so a named volume mounted there for SOURCES starts empty and writable.
RUN mkdir -p /app/data /app/corpus && chown node:node /app/data /app/corpus
USER node
VOLUME ["/app/data"]
HEALTHCHECK --interval=30s --timeout=10s --start-period=30s --retries=3 CMD ["node", "dist/cli.js", "health"]
# node is PID 1 and handles SIGTERM itself (graceful stop within 10 s); --init in `docker run` is not needed.
STOPSIGNAL SIGTERM
ENTRYPOINT ["node", "dist/cli.js"]
CMD ["start"]
