# syntax=docker/dockerfile:1
# Build stage: compile TypeScript with the dev toolchain.
FROM node:24-bookworm-slim AS build
WORKDIR /src
COPY package.json package-lock.json tsconfig.json biome.json ./
COPY lib ./lib
COPY bin ./bin
COPY test ./test
COPY bench ./bench
RUN npm ci && npm run build

# Final stage: runtime dependencies and compiled output only.
FROM node:24-bookworm-slim
ENV NODE_ENV=production
WORKDIR /opt/skiff
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --ignore-scripts && npm cache clean --force
COPY --from=build /src/dist/lib ./dist/lib
COPY bin ./bin
COPY config-examples ./config-examples
COPY LICENSE README.md ./
RUN ln -s /opt/skiff/bin/skiff /usr/local/bin/skiff
# 1337 is the uid Istio's iptables rules exclude from capture, so the proxy's own traffic is not looped back.
RUN groupadd -g 1337 istio-proxy && useradd -u 1337 -g 1337 -M -s /usr/sbin/nologin istio-proxy
USER 1337:1337
# admin, outbound capture, inbound capture, readiness, Prometheus
EXPOSE 15000 15001 15006 15021 15090
ENTRYPOINT ["skiff"]
CMD ["--help"]
