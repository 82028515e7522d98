# kvet's container image, built by GoReleaser (dockers_v2 in .goreleaser.yaml)
# from the static binary it compiled for each platform:
#   docker run --rm -v "$PWD:/work" ghcr.io/kvetdev/kvet lint .
# distroless/static: no shell and no libc (kvet is built with CGO_ENABLED=0),
# CA certificates and tzdata only; runs as the nonroot user (65532).
FROM gcr.io/distroless/static-debian12:nonroot
ARG TARGETPLATFORM
COPY $TARGETPLATFORM/kvet /usr/local/bin/kvet
WORKDIR /work
ENTRYPOINT ["/usr/local/bin/kvet"]
CMD ["lint", "."]
