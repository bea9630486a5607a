# syntax=docker/dockerfile:1
#
# screener: build the release binary, then ship it alone on a slim Debian.
#   docker build -t screener .
#   docker run -p 8080:8080 -v screener-data:/data screener
# Lists are fetched with `docker run … screener fetch` (or imported from a
# mounted directory with `screener import`); they persist in the /data volume.

# The builder is pinned to the same Debian release as the runtime image so the
# binary's glibc requirement matches the glibc it runs on.
FROM rust:1-slim-bookworm AS build
WORKDIR /src
# The dependencies are built in a layer of their own, from the manifest and
# the lock file alone, with stand-in sources for the project's targets: a
# change to the code rebuilds only the project, not the ~370 crates below it.
COPY Cargo.toml Cargo.lock ./
RUN --mount=type=cache,target=/usr/local/cargo/registry \
    mkdir -p src benches \
 && echo 'fn main() {}' > src/main.rs \
 && touch src/lib.rs \
 && for bench in $(sed -n '/^\[\[bench\]\]/{n;s/^name = "\(.*\)"/\1/p}' Cargo.toml); do \
      echo 'fn main() {}' > "benches/$bench.rs"; \
    done \
 && cargo build --release --locked --bin screener \
 && rm -rf src benches
COPY . .
# COPY keeps the files' own times, which can be older than the stand-ins':
# touching the crate roots makes cargo rebuild the project itself.
RUN --mount=type=cache,target=/usr/local/cargo/registry \
    touch src/main.rs src/lib.rs \
 && cargo build --release --locked --bin screener \
 && install -m 0755 target/release/screener /usr/local/bin/screener

FROM debian:bookworm-slim
# ca-certificates: the publishers' sites are fetched over HTTPS.
RUN apt-get update \
 && apt-get install -y --no-install-recommends ca-certificates \
 && rm -rf /var/lib/apt/lists/* \
 && groupadd --system --gid 10001 screener \
 && useradd --system --uid 10001 --gid screener --home-dir /data --shell /usr/sbin/nologin screener \
 && mkdir -p /data \
 && chown screener:screener /data
COPY --from=build /usr/local/bin/screener /usr/local/bin/screener
ENV SCREENER_DATA_DIR=/data
VOLUME /data
USER screener
WORKDIR /data
EXPOSE 8080
CMD ["screener", "serve", "--listen", "0.0.0.0:8080"]
