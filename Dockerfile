# syntax=docker/dockerfile:1

# ---- build ------------------------------------------------------------------
FROM rust:1-bookworm AS builder
WORKDIR /build

# Only what the release binary needs (tests/, bench/ and schema.graphql are not).
COPY Cargo.toml Cargo.lock ./
COPY src/ src/
COPY api/ api/
COPY entity/ entity/
COPY migration/ migration/

# The registry and target/ live in BuildKit cache mounts so rebuilds reuse compiled
# dependencies; a cache mount is gone after its RUN, hence the copy out in the same step.
RUN --mount=type=cache,target=/usr/local/cargo/registry \
    --mount=type=cache,target=/usr/local/cargo/git \
    --mount=type=cache,target=/build/target \
    cargo build --release --locked --bin northstar \
 && cp target/release/northstar /usr/local/bin/northstar

# ---- runtime ----------------------------------------------------------------
FROM debian:bookworm-slim

# ca-certificates for outbound TLS (rustls, e.g. PostgreSQL with sslmode); curl only for
# the health check.
RUN apt-get update \
 && apt-get install -y --no-install-recommends ca-certificates curl \
 && rm -rf /var/lib/apt/lists/*

# Unprivileged user; its home is the working directory, where the default SQLite
# database (./northstar.db) is written.
RUN groupadd --system --gid 10001 northstar \
 && useradd --system --uid 10001 --gid northstar --no-create-home \
        --home-dir /var/lib/northstar --shell /usr/sbin/nologin northstar \
 && install -d -o northstar -g northstar -m 0750 /var/lib/northstar

COPY --from=builder /usr/local/bin/northstar /usr/local/bin/northstar

WORKDIR /var/lib/northstar
# Numeric, so orchestrators can verify runAsNonRoot without reading /etc/passwd.
USER 10001:10001

# The binary defaults to 127.0.0.1, which is unreachable from outside the container.
ENV NORTHSTAR_LISTEN=0.0.0.0:8080
EXPOSE 8080

# /readyz answers only when the database does.
HEALTHCHECK --interval=10s --timeout=3s --start-period=30s --retries=3 \
    CMD curl -fsS http://127.0.0.1:8080/readyz || exit 1

ENTRYPOINT ["northstar"]
CMD ["serve"]
