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
# Exclusivity is checked at run time in debug builds, where the whole test suite runs; the
# shipped build leaves the checks out of every module, NIO's included: they were 14% of the
# instructions of a proxied request (bench/README.md).
RUN swift build -c release --product portico --static-swift-stdlib -Xswiftc -enforce-exclusivity=unchecked \
    && install -D -m 0755 "$(swift build -c release --show-bin-path)/portico" /out/portico

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
