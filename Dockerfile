# One image for the web, worker and migrate services of docker-compose.yml.
FROM node:20-bookworm-slim

WORKDIR /app
ENV NEXT_TELEMETRY_DISABLED=1 \
    CHECKPOINT_DISABLE=1

# Dependencies first, so source edits don't invalidate this layer. npm's postinstall
# (scripts/postinstall.mjs) runs `prisma generate`, which needs the schema and config.
COPY package.json package-lock.json prisma.config.ts ./
COPY prisma ./prisma
COPY scripts/postinstall.mjs ./scripts/postinstall.mjs
RUN npm ci --no-audit --no-fund

COPY . .
# The web (Next's build, and the server that serves it, dist/serve-web.mjs) and the worker
# (dist/worker/main.mjs): plain JavaScript, so no TypeScript compiler runs in production. Next
# writes its cache under .next at run time, as the node user.
RUN npm run build && npm run build:web-server && npm run build:worker && chown -R node:node .next

ENV NODE_ENV=production
USER node
# The web server `npm start` serves (scripts/lib/web-server.ts: Next's request handler, with the
# REST trigger answered ahead of it), on every interface of the container.
ENV HOST=0.0.0.0 \
    PORT=3000
EXPOSE 3000
# The web's node flags and environment as docker-compose.yml gives them (scripts/lib/lean-node.ts).
ENV MALLOC_ARENA_MAX=2
CMD ["node", "--wasm-tiering-budget=1000000000", "--max-old-space-size=512", "dist/serve-web.mjs"]
