#!/bin/sh
# Builds the gateway disk images: amd64 (x86-industrial) and/or arm64 (arm-compact), Debian 12.
# Usage: sudo tools/build-images.sh [amd64|arm64|all] [--force]      (default: amd64)
# Outputs in distribution/target/images/ (see docs/images.md). Builds the .deb first when it is missing.
# The slow part (mmdebstrap, minutes) is cached under /var/cache/isthmus/images (ISTHMUS_IMAGE_CACHE) and
# redone only when the recipe or the .deb's Depends/Recommends change; a new .deb alone takes seconds.
set -eu
cd "$(dirname "$0")/.."
which=${1:-amd64}
force=${2:-}
case "$which" in
    amd64|arm64) arches=$which ;;
    all) arches="amd64 arm64" ;;
    *) echo "usage: tools/build-images.sh [amd64|arm64|all] [--force]" >&2; exit 2 ;;
esac
tools/install-deps.sh >&2
case "$arches" in *arm64*) tools/install-deps.sh --arm64 >&2 ;; esac
deb=$(ls distribution/target/isthmus_*_all.deb 2>/dev/null | head -n1 || true)
if [ -z "$deb" ]; then
    echo "build-images: no .deb yet, building it" >&2
    mvn -B -q package -pl distribution -am -DskipTests >&2
    deb=$(ls distribution/target/isthmus_*_all.deb | head -n1)
fi
for arch in $arches; do
    distribution/images/build.sh "$arch" "$deb" distribution/target/images $force
done
ls -l distribution/target/images/
