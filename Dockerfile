# syntax=docker/dockerfile:1.7
# One image for every role: `docker run <image> api|worker|queues|migrate|all`.
# Debian (glibc), not Alpine: the Temporal SDK's native core has no musl build.
ARG NODE_VERSION=20.19

FROM node:${NODE_VERSION}-bookworm-slim AS deps
WORKDIR /app
COPY package.json package-lock.json ./
RUN --mount=type=cache,target=/root/.npm npm ci --no-audit --no-fund

FROM deps AS build
COPY . .
RUN npm run build && npm prune --omit=dev --no-audit --no-fund

FROM node:${NODE_VERSION}-bookworm-slim AS runtime
# tini reaps children (the `all` role has some) and passes SIGTERM on, so shutdowns drain.
RUN apt-get update \
  && apt-get install -y --no-install-recommends tini ca-certificates \
  && rm -rf /var/lib/apt/lists/*
ENV NODE_ENV=production \
    PORT=8000 \
    WORKER_METRICS_PORT=9464 \
    QUEUE_METRICS_PORT=9465
WORKDIR /app
COPY --from=build --chown=node:node /app/package.json /app/package-lock.json ./
COPY --from=build --chown=node:node /app/node_modules ./node_modules
COPY --from=build --chown=node:node /app/dist ./dist
USER node
EXPOSE 8000 9464 9465
STOPSIGNAL SIGTERM
# The same command as `npm run start:prod`, without npm in the signal path.
ENTRYPOINT ["/usr/bin/tini", "--", "node", "dist/scripts/start-prod.js"]
CMD ["api"]
