# taskrun: the web process and a colocated runner (`npm start`), or a runner alone (`npm run runner`).
# Build: docker build -t taskrun .    Run a fleet: docker compose up --scale runner=3

# The build: every dependency, dev ones too (esbuild, CodeMirror, htmx), makes dist/ once. No scripts at
# install: the sources are not here yet for the package's own `prepare` build, and dist/ needs no other.
FROM node:20-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --ignore-scripts --no-audit --no-fund
COPY tsconfig.json ./
COPY scripts ./scripts
COPY src ./src
RUN node scripts/build.mjs

# What the image ships of node_modules: the runtime dependencies only. No embedded PostgreSQL (an optional
# dependency): compose.yaml runs a postgres container and DATABASE_URL points at it.
FROM node:20-slim AS deps
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --omit=optional --ignore-scripts --no-audit --no-fund

FROM node:20-slim
# Python 3 for .py tasks, bash for .sh tasks, tini to reap orphaned grandchildren of tasks, bubblewrap for
# `isolation: strict` (it works where the container may make user namespaces; elsewhere strict runs are
# refused with bwrap's reason). What taskrun runs as root is already in the base image and named here to
# say so: useradd and groupadd (passwd) for the run users, ipcrm (util-linux) to clear what a run left in
# System V IPC; /bin/sh is dash, whose `kill` ends a run user's processes.
RUN apt-get update \
 && apt-get install -y --no-install-recommends python3 bash tini ca-certificates bubblewrap passwd util-linux dash \
 && rm -rf /var/lib/apt/lists/*
WORKDIR /app
COPY --from=deps /app/node_modules ./node_modules
COPY package.json ./
# The processes run the build (plain JavaScript: no TypeScript loader, no bundler); the web serves dist/assets.
COPY --from=build /app/dist ./dist
COPY drizzle ./drizzle
COPY tasks ./tasks
# No USER: the image starts as root, which taskrun needs to run each run as a uid of its own (created at
# the first start). The supervisor runs the web process, which parses what the network sends, as
# WEB_USER; the runner keeps root only to switch to run uids, chown their scratch folders and clean up.
#   tasks/  the web's (it writes the scripts); run users read them: folders 0755, scripts 0755 or 0644
#   logs/   the web's, setgid: run logs, created 0640 by the root runner, get the group taskrun, which
#           the web reads them through; closed to others (run users), 2750
#   data/   root's only (the web gets its secrets over IPC); src/main.ts sets 0711 or 0700 at start
RUN groupadd --system taskrun && useradd --system --gid taskrun --home-dir /app --shell /usr/sbin/nologin taskrun \
 && chown -R taskrun:taskrun /app/tasks && chmod -R go=rX /app/tasks \
 && install -d -o taskrun -g taskrun -m 2750 /app/logs \
 && install -d -o root -g root -m 0700 /app/data
ENV NODE_ENV=production HOST=0.0.0.0 PORT=5000 TASKS_DIR=/app/tasks LOGS_DIR=/app/logs DATA_DIR=/app/data PYTHON=/usr/bin/python3 WEB_USER=taskrun
EXPOSE 5000
VOLUME ["/app/tasks", "/app/logs"]
HEALTHCHECK --interval=10s --timeout=3s --start-period=20s \
  CMD node -e "fetch('http://127.0.0.1:'+(process.env.PORT||5000)+'/readyz').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"
ENTRYPOINT ["/usr/bin/tini", "--"]
CMD ["node", "dist/main.js"]
