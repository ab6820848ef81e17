#!/bin/bash
# Builds a bootable Debian 12 (bookworm) disk image of an Isthmus gateway for one architecture.
#
#   distribution/images/build.sh ARCH DEB OUTDIR [--force]
#
# ARCH is amd64 (profile x86-industrial) or arm64 (profile arm-compact); DEB is the project's .deb.
# Two stages (docs/images.md):
#   1. base: mmdebstrap (minbase) + kernel + systemd + udev + the .deb with every package its Depends pulls
#      and its Recommends (not their own recommends). Needs the Debian mirror; slow (minutes); cached as a
#      tarball under $ISTHMUS_IMAGE_CACHE, keyed by this recipe, the architecture and the .deb's Depends/Recommends.
#   2. image: the cached tree, the given .deb installed over it with dpkg (offline: its dependencies are
#      there), image settings, then an ext4 root file system (mkfs.ext4 -d, no mount) in a GPT disk image.
#      Skipped when OUTDIR already holds an image of the same .deb and recipe.
# Outputs in OUTDIR: isthmus-ARCH.img (raw disk), isthmus-ARCH.vmlinuz, isthmus-ARCH.initrd,
# isthmus-ARCH.cmdline (the kernel command line), isthmus-ARCH.packages (dpkg -l), isthmus-ARCH.inputs (hash).
# Needs root (the tree keeps its owners), mmdebstrap, e2fsprogs, fdisk; for arm64 qemu-user-static + binfmt.
set -euo pipefail

HERE=$(cd "$(dirname "$0")" && pwd)
PROG=build-image
log() { printf '%s: %s\n' "$PROG" "$*" >&2; }
die() { log "error: $*"; exit 1; }

[ $# -ge 3 ] || die "usage: build.sh amd64|arm64 DEB OUTDIR [--force]"
ARCH=$1 DEB=$(realpath "$2") OUT=$3 FORCE=${4:-}
[ -f "$DEB" ] || die "no .deb at $2 (build it: mvn -B package -pl distribution -am -DskipTests)"
[ "$(id -u)" -eq 0 ] || die "must run as root (the root file system keeps its owners)"

case "$ARCH" in
    amd64) PROFILE=x86-industrial; CONSOLE=ttyS0 ;;
    arm64) PROFILE=arm-compact; CONSOLE=ttyAMA0 ;;
    *) die "unknown architecture '$ARCH' (amd64 or arm64)" ;;
esac
LABEL=isthmus-root
# eth0, eth1 … in PCI order, the names the device profiles use (docs/images.md: hardware with other names)
CMDLINE="root=LABEL=$LABEL rw console=$CONSOLE net.ifnames=0 quiet"
CACHE=${ISTHMUS_IMAGE_CACHE:-/var/cache/isthmus/images}

for tool in mmdebstrap mkfs.ext4 sfdisk tar sha256sum dpkg-deb; do
    command -v "$tool" >/dev/null || die "$tool is missing (tools/install-deps.sh installs it)"
done

recipe_hash() { # the content of the recipe files named, names included
    (cd "$HERE" && find "$@" -type f -print0 | sort -z | xargs -0 sha256sum) | sha256sum | cut -c1-16
}
DEPENDS=$(dpkg-deb -f "$DEB" Depends)
RECOMMENDS=$(dpkg-deb -f "$DEB" Recommends || true)
BASE_KEY=$(printf '%s\n%s\n%s\n%s\n' "$(recipe_hash base.sh)" "$ARCH" "$DEPENDS" "$RECOMMENDS" | sha256sum | cut -c1-16)
IMAGE_KEY=$(printf '%s\n%s\n%s\n' "$BASE_KEY" "$(recipe_hash build.sh rootfs)" "$(sha256sum <"$DEB" | cut -c1-64)" | sha256sum | cut -c1-16)
BASE_TAR="$CACHE/base-$ARCH-$BASE_KEY.tar"
NAME="$OUT/isthmus-$ARCH"

if [ "$FORCE" != --force ] && [ -f "$NAME.inputs" ] && [ "$(cat "$NAME.inputs")" = "$IMAGE_KEY" ] \
    && [ -f "$NAME.img" ]; then
    log "$ARCH: up to date ($NAME.img, inputs $IMAGE_KEY)"
    exit 0
fi

# --- foreign architecture: binfmt for the chroot steps (no systemd-binfmt on these machines) -------------
if [ "$ARCH" != "$(dpkg --print-architecture)" ]; then
    qemu=/usr/bin/qemu-aarch64-static
    [ -x "$qemu" ] || die "$qemu is missing (apt-get install qemu-user-static)"
    [ -e /proc/sys/fs/binfmt_misc/register ] || mount -t binfmt_misc binfmt_misc /proc/sys/fs/binfmt_misc
    if [ ! -e /proc/sys/fs/binfmt_misc/qemu-aarch64 ]; then
        conf=/usr/lib/binfmt.d/qemu-aarch64.conf
        [ -f "$conf" ] || die "$conf is missing (qemu-user-static)"
        grep -v '^#' "$conf" >/proc/sys/fs/binfmt_misc/register
    fi
fi

# file times in the image: the recipe's last commit (reproducible), unless given
if [ -z "${SOURCE_DATE_EPOCH:-}" ]; then
    SOURCE_DATE_EPOCH=$(git -C "$HERE" log -1 --format=%ct -- . 2>/dev/null || true)
    [ -n "$SOURCE_DATE_EPOCH" ] || SOURCE_DATE_EPOCH=$(date +%s)
fi
export SOURCE_DATE_EPOCH
WORK=$(mktemp -d "${TMPDIR:-/var/tmp}/isthmus-image-$ARCH.XXXXXX")
cleanup() { rm -rf --one-file-system "$WORK"; }
trap cleanup EXIT

# --- stage 1: base tree ---------------------------------------------------------------------------------
if [ ! -f "$BASE_TAR" ] || [ "$FORCE" = --force ]; then
    log "$ARCH: building the base tree with mmdebstrap (key $BASE_KEY; takes minutes)"
    mkdir -p "$CACHE"
    started=$(date +%s)
    "$HERE/base.sh" "$ARCH" "$DEB" "$WORK/base.tar"
    mv "$WORK/base.tar" "$BASE_TAR"
    log "$ARCH: base tree in $(($(date +%s) - started)) s: $BASE_TAR"
fi

# --- stage 2: the image ---------------------------------------------------------------------------------
started=$(date +%s)
ROOT="$WORK/root"
mkdir -p "$ROOT"
tar -C "$ROOT" -xpf "$BASE_TAR" --numeric-owner
cp "$DEB" "$ROOT/tmp/isthmus.deb"
# offline: every dependency is in the base tree (a change of Depends/Recommends rebuilds the base)
chroot "$ROOT" dpkg -i /tmp/isthmus.deb >&2
rm -f "$ROOT/tmp/isthmus.deb"
# postinst enables the unit only when systemd runs (not in a chroot): enable it like systemd would
systemctl --root="$ROOT" enable isthmus.service >&2
# image settings: profile, host name, fstab, daemons the gateway replaces (rootfs/ and below)
cp -a "$HERE/rootfs/." "$ROOT/"
sed -i "s/^ISTHMUS_PROFILE=.*/ISTHMUS_PROFILE=$PROFILE/" "$ROOT/etc/default/isthmus"
# the gateway owns the network: no other manager, its own avahi-daemon instance only, and its own smcrouted
# (isthmus-smcroute.service; postinst has disabled the smcroute package's, masked so nothing pulls it in)
for unit in systemd-networkd.service systemd-networkd.socket systemd-networkd-wait-online.service \
            avahi-daemon.service avahi-daemon.socket smcroute.service smcroute-helper.service chrony.service; do
    systemctl --root="$ROOT" mask "$unit" >&2
done
for forbidden in ifupdown network-manager dhcpcd dhcpcd-base isc-dhcp-client gcc cpp make; do
    if chroot "$ROOT" dpkg-query -W -f='${Status}' "$forbidden" 2>/dev/null | grep -q 'install ok installed'; then
        die "$forbidden is in the image; it must not be"
    fi
done
chroot "$ROOT" dpkg-query -W -f='${Package} ${Version} ${Architecture}\n' | sort >"$WORK/packages"
# machine-id: empty, so every gateway makes its own at first boot
: >"$ROOT/etc/machine-id"
rm -f "$ROOT/var/lib/dbus/machine-id"

kernel=$(ls "$ROOT"/boot/vmlinuz-* | sort -V | tail -n1)
initrd=$(ls "$ROOT"/boot/initrd.img-* | sort -V | tail -n1)
[ -f "$kernel" ] && [ -f "$initrd" ] || die "no kernel or initrd in /boot"

# ext4 root file system from the tree: used size + 25 % + 512 MiB for the state directory and updates
used_mb=$(du -sm --apparent-size "$ROOT" | cut -f1)
fs_mb=$((used_mb * 5 / 4 + 512))
uuid=$(printf '%s' "isthmus-$ARCH-$IMAGE_KEY" | sha256sum | sed -E 's/^(.{8})(.{4})(.{4})(.{4})(.{12}).*/\1-\2-\3-\4-\5/')
E2FSPROGS_FAKE_TIME=$SOURCE_DATE_EPOCH mkfs.ext4 -q -F -L "$LABEL" -U "$uuid" -E "hash_seed=$uuid" \
    -d "$ROOT" "$WORK/root.ext4" "${fs_mb}M"
# GPT disk: partition 1 at 1 MiB is the root file system
truncate -s $(((fs_mb + 2) * 1024 * 1024)) "$WORK/disk.img"
printf 'label: gpt\nlabel-id: %s\nstart=2048, size=%d, type=L, name=%s\n' \
    "$uuid" $((fs_mb * 2048)) "$LABEL" | sfdisk -q "$WORK/disk.img"
dd if="$WORK/root.ext4" of="$WORK/disk.img" bs=1M seek=1 conv=notrunc,sparse status=none

mkdir -p "$OUT"
cp "$kernel" "$NAME.vmlinuz"
cp "$initrd" "$NAME.initrd"
echo "$CMDLINE" >"$NAME.cmdline"
cp "$WORK/packages" "$NAME.packages"
mv "$WORK/disk.img" "$NAME.img"
echo "$IMAGE_KEY" >"$NAME.inputs"
log "$ARCH: $NAME.img in $(($(date +%s) - started)) s: $(du -h --apparent-size "$NAME.img" | cut -f1) disk," \
    "$used_mb MiB of files, $(wc -l <"$NAME.packages") packages"
