#!/usr/bin/env bash
# npm run test:docker: builds the image with ../shared/tools/container.sh (podman, a local node:20-slim) and
# checks it for real: user, volume, healthcheck, `paperboy corpus`, the bot in console mode with a data volume
# (its database, compiled native module included, read back by `paperboy state export`), HEALTHCHECK on the running bot, /healthz from outside the container, and a graceful
# stop on SIGTERM.
set -euo pipefail
cd "$(dirname "$0")/../.."
CTR=../shared/tools/container.sh
TAG=localhost/paperboy:test
fail() { echo "test:docker FAILED: $*" >&2; exit 1; }
step() { printf '\n== test:docker: %s\n' "$*"; }

# Exit 77 means "this machine cannot run containers" (not root, no podman): .ci/run reports it as skipped.
cannot() { echo "test:docker cannot run here: $*" >&2; exit 77; }
[ "$(id -u)" = 0 ] || cannot "needs root (podman from Debian runs rootful here)"
[ -f "$CTR" ] || cannot "$CTR not found (../shared must sit beside the repository)"

step "setup (podman, local node:20-slim base)"
bash "$CTR" setup >/tmp/paperboy-ctr-setup.log 2>&1 || { tail -30 /tmp/paperboy-ctr-setup.log; cannot "container.sh setup failed (podman not installable?)"; }
eval "$(bash "$CTR" env)"

step "build"
bash "$CTR" build . "$TAG"

step "inspect: non-root user, /app/data volume, HEALTHCHECK"
inspect=$(bash "$CTR" inspect "$TAG")
echo "$inspect"
node -e '
  const c = JSON.parse(process.argv[1]);
  const problems = [];
  if (c.User !== "node") problems.push(`user is ${c.User}, expected node`);
  if (!c.Volumes.includes("/app/data")) problems.push(`volumes ${JSON.stringify(c.Volumes)} lack /app/data`);
  if (!c.Healthcheck || !JSON.stringify(c.Healthcheck.Test).includes("health")) problems.push("no HEALTHCHECK running paperboy health");
  if (!c.Env.some((e) => e === "DATA_DIR=/app/data")) problems.push("DATA_DIR does not point into the volume");
  if (!c.Env.some((e) => e === "HEALTH_HOST=0.0.0.0")) problems.push("HEALTH_HOST is not 0.0.0.0: /healthz would be unreachable from outside the container");
  if (problems.length) { console.error(problems.join("\n")); process.exit(1); }
  console.log(`image ok: ${c.SizeMB} MB`);
' "$inspect" || fail "image configuration"

step "paperboy corpus inside the image"
out=$(bash "$CTR" run "$TAG" -- corpus 2>/dev/null)
echo "$out"
grep -q "51 papers in 1 file" <<<"$out" || fail "corpus summary"

step "a named volume at /app/corpus starts empty and node can write it (SOURCES fetches into it)"
vol="paperboy-corpus-test-$$"
podman run --rm --pull=never --network none -v "$vol:/app/corpus" --entrypoint sh "$TAG" \
  -c '[ -z "$(ls -A /app/corpus)" ] && touch /app/corpus/probe.json' || { podman volume rm -f "$vol" >/dev/null 2>&1; fail "/app/corpus is not an empty folder node can write"; }
podman volume rm -f "$vol" >/dev/null

step "the bot in console mode with a data volume"
data=$(mktemp -d /tmp/paperboy-docker-data.XXXXXX)
chown 1000:1000 "$data"
name="paperboy-test-$$"
cleanup() { podman rm -f -t 0 "$name" >/dev/null 2>&1 || true; rm -rf "$data"; }
trap cleanup EXIT
podman run -d --name "$name" --pull=never --network none -v "$data:/app/data" "$TAG" >/dev/null
# `paperboy state export` reads the database the running bot commits to (WAL: readers never block it).
posted() { podman exec "$name" node dist/cli.js state export 2>/dev/null | grep -c '"seq": ' || true; }
for _ in $(seq 1 60); do
  [ "$(posted)" -ge 3 ] && break
  sleep 0.5
done
podman logs "$name" 2>&1 | tail -5
[ "$(posted)" -ge 3 ] || fail "no first digest recorded in the database on the volume"

step "HEALTHCHECK on the running bot"
sleep 1
podman healthcheck run "$name" || fail "healthcheck reported unhealthy"
echo "healthy"

step "/healthz from outside the container (HEALTH_PORT set, the image's HEALTH_HOST)"
# Host networking, and the host asks on 127.0.0.2: loopback, yet not the 127.0.0.1 a default listener would use,
# so only the image's 0.0.0.0 answers there. Console mode: the container must not reach out to Discord.
hname="paperboy-health-$$"
hport=$(node -e 'const s=require("net").createServer().listen(0,"0.0.0.0",()=>{console.log(s.address().port);s.close()})')
podman run -d --name "$hname" --pull=never --network host -e HEALTH_PORT="$hport" -e STATE_FILE=/tmp/state.json "$TAG" >/dev/null
healthz=""
for _ in $(seq 1 40); do
  healthz=$(node -e 'fetch(process.argv[1]).then(async (r) => console.log(r.status, await r.text())).catch(() => process.exit(1))' "http://127.0.0.2:$hport/healthz") && break
  sleep 0.5
done
podman rm -f -t 0 "$hname" >/dev/null 2>&1 || true
echo "$healthz"
grep -q '^200 ' <<<"$healthz" || fail "/healthz not reachable from outside the container on port $hport"
grep -q 'DISCORD_TOKEN\|HOME=\|PATH=' <<<"$healthz" && fail "/healthz reveals the environment"

step "SIGTERM: graceful stop within 10 s, exit 0"
start=$(date +%s)
podman stop -t 10 "$name" >/dev/null
code=$(podman inspect "$name" --format '{{.State.ExitCode}}')
took=$(( $(date +%s) - start ))
[ "$code" = 0 ] || fail "exit code $code after SIGTERM"
[ "$took" -lt 10 ] || fail "stop took ${took}s"
[ ! -e "$data/paperboy.sqlite.lock" ] || fail "lock left behind after a graceful stop"
[ ! -e "$data/paperboy.sqlite-wal" ] || fail "write-ahead log left behind after a graceful stop (the database was not closed)"

step "the database after the stop, exported by a new container on the same volume"
dump=$(bash "$CTR" run "$TAG" -v "$data:/app/data" -- state export 2>/dev/null)
node -e '
  const d = JSON.parse(process.argv[1]);
  const feed = d.feeds.find((f) => f.feed.id === "console");
  const posted = feed ? feed.posted.length : 0;
  if (d.format !== "paperboy-state" || posted !== 3) { console.error(`unexpected database: ${posted} posted`); process.exit(1); }
  console.log(`database ok: ${posted} papers posted by the console feed`);
' "$dump" || fail "database"
echo
echo "test:docker passed"
