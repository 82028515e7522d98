#!/usr/bin/env bash
# image-test.sh: builds kvet's container image from the repository's
# Dockerfile with buildah (no Docker daemon needed: vfs storage, chroot
# isolation) and checks it: entrypoint, default command and working
# directory as the Dockerfile says, the static binary at
# /usr/local/bin/kvet, and `kvet lint` run inside the image's root
# filesystem on the examples, with the verdict the host binary gives.
#
# The Dockerfile's base image (gcr.io/distroless/static) cannot be pulled
# on a machine without that registry, so the image is built FROM scratch
# instead: distroless static adds only CA certificates, tzdata and the
# nonroot user, none of which kvet reads. Everything else is the
# Dockerfile as shipped.
#
#   scripts/image-test.sh        (needs buildah; exits 0 with a note without it)
set -euo pipefail
cd "$(dirname "$0")/.."
if ! command -v buildah >/dev/null; then
  echo "image-test: buildah is not installed; skipping (apt-get install buildah)"
  exit 0
fi
b=(buildah --storage-driver vfs)
tmp=$(mktemp -d)
ctr=""
cleanup() {
  [ -n "$ctr" ] && { "${b[@]}" umount "$ctr" >/dev/null 2>&1 || true; "${b[@]}" rm "$ctr" >/dev/null 2>&1 || true; }
  "${b[@]}" rmi -f kvet-image-test >/dev/null 2>&1 || true
  rm -rf "$tmp"
}
trap cleanup EXIT

# GoReleaser's build: static, trimmed (the ldflags stamp a version).
mkdir -p "$tmp/ctx/linux/amd64"
CGO_ENABLED=0 go build -trimpath -ldflags "-s -w -X main.version=v0.0.0-image-test" -o "$tmp/ctx/linux/amd64/kvet" ./cmd/kvet
sed 's|^FROM gcr.io/distroless/static.*|FROM scratch|' Dockerfile > "$tmp/ctx/Dockerfile"
grep -q '^FROM scratch' "$tmp/ctx/Dockerfile" || { echo "image-test: the Dockerfile's FROM line is not distroless static any more; update this script"; exit 1; }
"${b[@]}" build -q --isolation chroot --platform linux/amd64 -t kvet-image-test -f "$tmp/ctx/Dockerfile" "$tmp/ctx" >/dev/null

fail() { echo "image-test: $*"; exit 1; }
got=$("${b[@]}" inspect --format '{{.OCIv1.Config.Entrypoint}} {{.OCIv1.Config.Cmd}} {{.OCIv1.Config.WorkingDir}}' kvet-image-test)
[ "$got" = '[/usr/local/bin/kvet] [lint .] /work' ] || fail "config is $got"

# Run kvet as the image's entrypoint would: in its root filesystem, with
# the examples where `docker run -v "$PWD:/work"` puts them.
ctr=$("${b[@]}" from kvet-image-test)
root=$("${b[@]}" mount "$ctr")
[ -x "$root/usr/local/bin/kvet" ] || fail "no /usr/local/bin/kvet in the image"
mkdir -p "$root/work"
cp -r examples "$root/work/"
chroot "$root" /usr/local/bin/kvet version | grep -q '^kvet v0.0.0-image-test' || fail "kvet version in the image: $(chroot "$root" /usr/local/bin/kvet version 2>&1)"
set +e
# (chroot starts in /: the examples are named by their path in the image.)
chroot "$root" /usr/local/bin/kvet lint --no-color -o json /work/examples | sed 's|"/work/examples/|"examples/|g' > "$tmp/in-image.json"
code=${PIPESTATUS[0]}
"$tmp/ctx/linux/amd64/kvet" lint --no-color -o json examples > "$tmp/host.json"
want=$?
set -e
[ "$code" -eq 1 ] && [ "$want" -eq 1 ] || fail "kvet lint in the image exited $code, on the host $want (1 expected: the examples have mistakes)"
# The same findings (paths taken relative to /work).
cmp -s "$tmp/in-image.json" "$tmp/host.json" || fail "kvet lint in the image differs from the host's: $(diff "$tmp/host.json" "$tmp/in-image.json" | head -5)"
echo "image-test: image built (FROM scratch for distroless), entrypoint/cmd/workdir as the Dockerfile, kvet lint inside it gives the host's $(grep -c '"rule"' "$tmp/host.json") findings"
