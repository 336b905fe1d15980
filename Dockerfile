# The bumpflow worker: Node 20, git, and the project's TypeScript run through tsx.
FROM node:20-bookworm-slim
RUN apt-get update \
 && apt-get install -y --no-install-recommends git ca-certificates \
 && rm -rf /var/lib/apt/lists/*
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm install --omit=dev --no-audit --no-fund
COPY tsconfig.json ./
COPY src ./src
COPY bin ./bin
ENV NODE_ENV=production BUMPFLOW_WORK_DIR=/var/cache/bumpflow
# the work directory is a volume: create it owned by the user the worker runs as
RUN mkdir -p /var/cache/bumpflow && chown node:node /var/cache/bumpflow
EXPOSE 9464
USER node
CMD ["node", "--import", "tsx", "src/worker.ts"]
