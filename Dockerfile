# Portico's container image: build with the official Swift image, run on Debian slim.
#
#   docker build -t portico:0.1.0 .
#
# The executable links the Swift standard library and Foundation statically, so the runtime
# image needs only libcurl (the Kubernetes API client) and CA certificates.

ARG SWIFT_VERSION=6.3

FROM swift:${SWIFT_VERSION}-bookworm AS build
# The build links libcurl (CPorticoCurl); Debian's package names are not pinned: the base image
# tag pins the release, and pinned Debian versions break as soon as the archive moves on.
# hadolint ignore=DL3008
RUN apt-get update \
    && apt-get install -y --no-install-recommends libcurl4-openssl-dev \
    && rm -rf /var/lib/apt/lists/*
WORKDIR /src
# Dependencies first, so that a source change does not fetch them again.
COPY Package.swift ./
RUN swift package resolve
COPY Sources ./Sources
COPY Tests ./Tests
# The shipped build's flags are in scripts/build-release, which bench/ measures too: no runtime
# exclusivity checks, functions laid out by scripts/portico.order, no exported symbols, packed
# relocations (DT_RELR: the runtime image's glibc is 2.36).
COPY scripts/build-release scripts/portico.order scripts/unnamed-functions.ld ./scripts/
RUN install -D -m 0755 "$(scripts/build-release --scratch-path /src/.build)" /out/portico

FROM debian:bookworm-slim
# hadolint ignore=DL3008
RUN apt-get update \
    && apt-get install -y --no-install-recommends libcurl4 ca-certificates \
    && rm -rf /var/lib/apt/lists/*
COPY --from=build /out/portico /usr/local/bin/portico
# A numeric user, so that Kubernetes can check runAsNonRoot without a passwd entry.
USER 65532:65532
EXPOSE 8080 8443 10254
ENTRYPOINT ["portico"]
CMD ["run"]
