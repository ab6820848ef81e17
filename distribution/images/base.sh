#!/bin/bash
# Stage 1 of the gateway image (build.sh runs it; its content is part of the cache key of the base tree):
# a Debian 12 minbase tree with kernel, systemd, udev, and everything the .deb's Depends pull plus its
# Recommends (not their own recommends), as a tarball. The .deb itself is installed by apt inside the tree
# (so its relationship fields do the pulling) and purged again: the tree fits any .deb with the same fields.
#   base.sh ARCH DEB OUT.tar
set -euo pipefail
ARCH=$1 DEB=$2 OUT=$3
case "$ARCH" in
    amd64) KERNEL_PKG=linux-image-amd64 ;;
    arm64) KERNEL_PKG=linux-image-arm64 ;;
    *) echo "base.sh: unknown architecture '$ARCH'" >&2; exit 2 ;;
esac
SUITE=bookworm
RECOMMENDS=$(dpkg-deb -f "$DEB" Recommends || true)
# the gateway's recommendations (radios), not theirs: apt runs with Install-Recommends off
recs=""
for r in $(echo "$RECOMMENDS" | tr ',' ' '); do
    case "$r" in *'|'*|'('*|*')') ;; *) recs="$recs $r" ;; esac
done
# The .deb is installed by apt inside the tree (so its Depends pull everything), then purged: the tree is
# cached for any .deb with the same Depends/Recommends, and stage 2 installs the real one with dpkg.
# no documentation, manuals, info pages or translations (copyright files stay); man1 must exist as a
# folder: openjdk's postinst registers its man pages with update-alternatives
mmdebstrap --variant=minbase --arch="$ARCH" \
    --include="systemd-sysv,udev,kmod,$KERNEL_PKG" \
    --dpkgopt='path-exclude=/usr/share/man/*' \
    --dpkgopt='path-exclude=/usr/share/info/*' \
    --dpkgopt='path-exclude=/usr/share/doc/*' \
    --dpkgopt='path-include=/usr/share/doc/*/copyright' \
    --dpkgopt='path-exclude=/usr/share/locale/*' \
    --dpkgopt='path-include=/usr/share/locale/locale.alias' \
    --dpkgopt='path-exclude=/usr/share/lintian/*' \
    --aptopt='APT::Install-Recommends "false"' \
    --aptopt='APT::Install-Suggests "false"' \
    --customize-hook="copy-in $DEB /tmp" \
    --customize-hook='mkdir -p "$1/usr/share/man/man1"' \
    --customize-hook="chroot \"\$1\" env DEBIAN_FRONTEND=noninteractive apt-get install -y -q /tmp/$(basename "$DEB") $recs" \
    --customize-hook="chroot \"\$1\" dpkg --purge isthmus" \
    --customize-hook="rm -f \"\$1/tmp/$(basename "$DEB")\"; chroot \"\$1\" apt-get clean" \
    "$SUITE" "$OUT" ${ISTHMUS_IMAGE_MIRROR:+"$ISTHMUS_IMAGE_MIRROR"}
