# Paperboy: a multi-stage image on node:20-slim.
# Build stage: install with npm ci, compile the native SQLite module and the sources, run the unit tests, then keep
# the production dependencies. Runtime stage: those dependencies, dist/ and seeds/ only (no compiler), as the
# non-root `node` user, the database in the /app/data volume.

FROM node:20-slim AS build
# better-sqlite3 is a native module: node-gyp compiles it against this node's own headers (npm_config_nodedir), with
# no download, when no prebuilt binary can be fetched.
RUN apt-get update && apt-get install -y --no-install-recommends python3 make g++ && rm -rf /var/lib/apt/lists/*
ENV npm_config_nodedir=/usr/local
WORKDIR /app
COPY package.json package-lock.json ./
# --ignore-scripts: `prepare` (tsc) needs the sources, which are copied next; the native module is built explicitly.
RUN npm ci --ignore-scripts --no-audit --no-fund && npm rebuild better-sqlite3 --no-audit --no-fund
COPY tsconfig.json vitest.config.ts ./
COPY src ./src
COPY seeds ./seeds
COPY test ./test
RUN npx tsc -p tsconfig.json
# The fast, self-contained suites: pure logic and the corpus reader (the end-to-end suites need ../shared and
# spawn processes; CI runs them with `npm test`).
RUN npx vitest run test/core test/app test/store test/adapters/fs-corpus.test.ts
# What the runtime gets: the production dependencies, with the compiled module only (not its sources, objects and
# the SQLite amalgamation it was built from: about 25 MB).
RUN npm prune --omit=dev --no-audit --no-fund \
    && cd node_modules/better-sqlite3 \
    && rm -rf deps src build/deps build/Release/obj build/Release/obj.target build/Release/.deps build/Release/sqlite3.a build/Release/test_extension.node

FROM node:20-slim AS runtime
# HEALTH_HOST: inside a container, 127.0.0.1 is the container's own loopback, which `docker run -p` and
# Kubernetes probes cannot reach; the endpoint stays off until HEALTH_PORT is set.
ENV NODE_ENV=production \
    DATA_DIR=/app/data \
    CORPUS_DIR=/app/seeds \
    HEALTH_HOST=0.0.0.0
WORKDIR /app
COPY package.json package-lock.json ./
COPY --from=build /app/node_modules ./node_modules
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
