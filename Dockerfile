# taskrun: the web process and a colocated runner (`npm start`), or a runner alone (`npm run runner`).
# Build: docker build -t taskrun .    Run a fleet: docker compose up --scale runner=3

FROM node:20-slim AS deps
WORKDIR /app
COPY package.json package-lock.json ./
# Production dependencies only (esbuild among them: the image builds dist/ below).
RUN npm ci --omit=dev --no-audit --no-fund

FROM node:20-slim
# Python 3 for .py tasks, bash for .sh tasks, tini to reap orphaned grandchildren of tasks.
RUN apt-get update \
 && apt-get install -y --no-install-recommends python3 bash tini ca-certificates \
 && rm -rf /var/lib/apt/lists/*
WORKDIR /app
COPY --from=deps /app/node_modules ./node_modules
COPY package.json package-lock.json tsconfig.json ./
COPY src ./src
COPY drizzle ./drizzle
COPY tasks ./tasks
COPY scripts ./scripts
# The processes run the plain-JavaScript bundle (no TypeScript loader: less memory, faster start).
RUN node scripts/build.mjs
RUN groupadd --system taskrun && useradd --system --gid taskrun --home-dir /app taskrun \
 && mkdir -p /app/logs /app/data && chown -R taskrun:taskrun /app/tasks /app/logs /app/data
USER taskrun
ENV NODE_ENV=production HOST=0.0.0.0 PORT=5000 TASKS_DIR=/app/tasks LOGS_DIR=/app/logs DATA_DIR=/app/data PYTHON=/usr/bin/python3
EXPOSE 5000
VOLUME ["/app/tasks", "/app/logs"]
HEALTHCHECK --interval=10s --timeout=3s --start-period=20s \
  CMD node -e "fetch('http://127.0.0.1:'+(process.env.PORT||5000)+'/readyz').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"
ENTRYPOINT ["/usr/bin/tini", "--"]
CMD ["node", "dist/main.js"]
