# The mecha sidecar image: `docker build -t mecha .`
# Build stage: bundle (better-sqlite3 compiles its native module here).
FROM node:20-bookworm-slim AS build
WORKDIR /src
RUN apt-get update && apt-get install -y --no-install-recommends python3 make g++ && rm -rf /var/lib/apt/lists/*
COPY package.json package-lock.json ./
RUN npm ci
# esbuild reads tsconfig.json (class-field semantics).
COPY tsconfig.json ./
COPY scripts ./scripts
COPY src ./src
COPY proto ./proto
RUN npm run build && npm prune --omit=dev

# Runtime stage: the bundle, production dependencies, protos and ready-made components; no compilers.
FROM node:20-bookworm-slim
ENV NODE_ENV=production
WORKDIR /opt/mecha
COPY --from=build /src/package.json ./
COPY --from=build /src/node_modules ./node_modules
COPY --from=build /src/dist/bundle ./dist/bundle
COPY --from=build /src/proto ./proto
COPY components ./components
RUN ln -s /opt/mecha/dist/bundle/main.js /usr/local/bin/mecha && mkdir -p /data && chown node:node /data
# Runs as the image's unprivileged `node` user; the embedded state store lives in /data.
USER node
WORKDIR /data
EXPOSE 3500 50001 50002 9090
HEALTHCHECK --interval=10s --timeout=3s --start-period=10s \
  CMD ["node", "-e", "fetch('http://127.0.0.1:'+(process.env.DAPR_HTTP_PORT||3500)+'/v1.0/healthz').then(r=>process.exit(r.status===204?0:1),()=>process.exit(1))"]
ENTRYPOINT ["mecha"]
# daprd's fixed ports: without them `mecha run` would pick free ones.
CMD ["run", "--dapr-http-port", "3500", "--dapr-grpc-port", "50001", "--dapr-listen-addresses", "0.0.0.0"]
