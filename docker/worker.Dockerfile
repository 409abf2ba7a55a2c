# A worker (or shard, or coordinator) image for docs/scale.md: Node 20 slim, Debian's ffmpeg, the built CLI with its
# production dependencies and the shipped models. Build from the project root after `npm run build`:
#   docker build -f docker/worker.Dockerfile -t sds-worker .
#   docker run --rm -v /shared/project:/data -w /data sds-worker worker --queue redis://queue-host:6379/0
FROM node:20-bookworm-slim
RUN apt-get update \
 && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends ffmpeg ca-certificates \
 && rm -rf /var/lib/apt/lists/*
WORKDIR /opt/sds
COPY package.json package-lock.json .npmrc ./
# onnxruntime-node's CPU build (the .npmrc skips its CUDA download); for GPU workers, base the image on
# nvidia/cuda's runtime and let onnxruntime-node install its CUDA provider instead
RUN npm ci --omit=dev --no-audit --no-fund
COPY dist/ dist/
COPY models/ models/
ENV NODE_ENV=production
# one worker per container; Kubernetes stops it with SIGTERM: the jobs in hand finish first
ENTRYPOINT ["node", "/opt/sds/dist/cli.js"]
CMD ["--help"]
