#!/usr/bin/env bash
# The GitHub Action's download step (action.yml, when kvet-version is set):
# fetches a released kvet for this runner from the release's assets, checks
# it against the release's checksums.txt and installs it as $RUNNER_TEMP/kvet,
# where the run step (scripts/action.sh) looks for it. Nothing is built.
#
# Environment:
#   KVET_VERSION       the release's tag (v0.2.0; the leading v is optional)
#   KVET_RELEASES_URL  where releases are (default GitHub's releases of
#                      kvetdev/kvet; cmd/kvet/action_test.go serves its own)
#   RUNNER_TEMP        from the runner
set -euo pipefail

version=${KVET_VERSION#v}
case "$version" in
'' | *[!0-9A-Za-z.+-]*)
  echo "::error title=kvet::kvet-version must be a release tag such as v0.2.0, not '${KVET_VERSION}'"
  exit 2
  ;;
esac
case "$(uname -s)" in
Linux) os=linux ;;
Darwin) os=darwin ;;
*) echo "::error title=kvet::kvet-version: no released kvet for $(uname -s) runners; leave kvet-version empty to build kvet"; exit 2 ;;
esac
case "$(uname -m)" in
x86_64 | amd64) arch=amd64 ;;
aarch64 | arm64) arch=arm64 ;;
*) echo "::error title=kvet::kvet-version: no released kvet for $(uname -m); leave kvet-version empty to build kvet"; exit 2 ;;
esac

base=${KVET_RELEASES_URL:-https://github.com/kvetdev/kvet/releases/download}/v$version
archive=kvet_${version}_${os}_${arch}.tar.gz
tmp=$(mktemp -d "${RUNNER_TEMP:-/tmp}/kvet-download.XXXXXX")
trap 'rm -rf "$tmp"' EXIT

for f in "$archive" checksums.txt; do
  if ! curl -fsSL --retry 3 -o "$tmp/$f" "$base/$f"; then
    echo "::error title=kvet::could not download $base/$f: is v$version a kvet release?"
    exit 2
  fi
done
want=$(awk -v f="$archive" '$2 == f { print $1 }' "$tmp/checksums.txt")
if command -v sha256sum >/dev/null; then
  got=$(sha256sum "$tmp/$archive" | awk '{ print $1 }')
else
  got=$(shasum -a 256 "$tmp/$archive" | awk '{ print $1 }')
fi
if [ -z "$want" ] || [ "$got" != "$want" ]; then
  echo "::error title=kvet::$archive does not match the release's checksums.txt (want '${want}', got $got)"
  exit 2
fi
tar -xzf "$tmp/$archive" -C "$tmp" kvet
install -m 0755 "$tmp/kvet" "${RUNNER_TEMP:-/tmp}/kvet"
"${RUNNER_TEMP:-/tmp}/kvet" version
