# syntax=docker/dockerfile:1
# Wardline image: one image, three commands (see docker-compose.yml):
#   API        node dist/src/api/main.js           (default CMD)
#   worker     node dist/src/worker.js
#   migrations node dist/src/cli/wardline.js migrate

# ---- build: compile TypeScript (tsc -p tsconfig.build.json emits dist/src/... and dist/bench/...), then the web
# console (web/dist: its API types come from the OpenAPI document scripts/openapi-dump.ts writes) ----
FROM node:20-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
COPY web/package.json ./web/
# Install scripts stay off, as in package.json "allowScripts"; the compiler needs none of them.
RUN npm ci --ignore-scripts
COPY tsconfig.json tsconfig.build.json ./
COPY src ./src
COPY bench ./bench
COPY scripts ./scripts
COPY web ./web
RUN npm run build

# ---- runtime: production dependencies, compiled code, notification templates, scripts ----
FROM node:20-bookworm-slim AS runtime
ENV NODE_ENV=production \
    SCARF_ANALYTICS=false
WORKDIR /app
# Reports (S8, S16, S17) are PDFs printed by headless Chromium from HTML; zh-CN text needs a CJK font.
RUN apt-get update && apt-get install -y --no-install-recommends chromium fonts-wqy-zenhei \
    && rm -rf /var/lib/apt/lists/*
ENV WARDLINE_CHROMIUM_BIN=/usr/bin/chromium
COPY package.json package-lock.json ./
COPY web/package.json ./web/
# The embedded PostgreSQL of `npm start` is not used here (DATABASE_URL is always set), so its
# install script is not needed either.
RUN npm ci --omit=dev --ignore-scripts && npm cache clean --force
COPY --from=build /app/dist ./dist
# The console the API serves at / (issue 16).
COPY --from=build /app/web/dist ./web/dist
COPY templates ./templates
COPY scripts ./scripts
# Everything above belongs to root and is read-only to the process user.
USER node
EXPOSE 3000
CMD ["node", "dist/src/api/main.js"]
