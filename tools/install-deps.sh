#!/bin/sh
# Installs the Debian packages Isthmus needs to build, run and test. Idempotent: installs only what is
# missing and runs 'apt-get update' at most once per run (skipped when nothing is missing).
# Usage: tools/install-deps.sh            (as root, or with sudo)
#        tools/install-deps.sh --arm64    also what the arm64 image needs (foreign chroot, emulated boot)
set -eu

# build: JDK 17 and Maven; packaging: dpkg-deb
# data plane and lab: iproute2, nftables, conntrack, smcroute, dnsmasq, dhcp clients, avahi, socat, iperf3
# management lab: mosquitto; radios and modems (real control path, no hardware): wpa_supplicant, hostapd,
# ModemManager's mmcli and python3-dbusmock; openssl makes the lab's 802.1X certificates; tinyproxy is the
# plant's HTTP proxy (ProxyIT); chrony: the gateway's NTP client and the lab's NTP server (TimeSystemIT; always
# with -x or -Q there, never setting this machine's clock); faketime: libfaketime, a gateway whose clock is years
# back (ClockTlsIT) without touching this machine's clock
PACKAGES="openjdk-17-jdk-headless maven dpkg procps psmisc iproute2 iputils-ping nftables conntrack smcroute
dnsmasq-base dhcpcd-base udhcpc avahi-daemon socat iperf3 mosquitto mosquitto-clients wpasupplicant hostapd chrony
modemmanager python3-dbusmock dbus openssl tinyproxy faketime
mmdebstrap e2fsprogs fdisk qemu-system-x86 qemu-utils"
# gateway images (tools/build-images.sh, ImageIT): mmdebstrap, mkfs.ext4 -d, sfdisk, QEMU with KVM for amd64;
# arm64 only when asked: qemu-user-static (binfmt for the chroot steps), arch-test (mmdebstrap checks the
# foreign architecture with it), qemu-system-arm and its EFI firmware
if [ "${1:-}" = --arm64 ]; then
    PACKAGES="qemu-user-static qemu-system-arm qemu-efi-aarch64 arch-test"
fi

missing=""
for p in $PACKAGES; do
    if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
        missing="$missing $p"
    fi
done

if [ -z "$missing" ]; then
    echo "install-deps: all packages present"
    exit 0
fi

if [ "$(id -u)" -ne 0 ]; then
    echo "install-deps: missing:$missing — run as root" >&2
    exit 1
fi

echo "install-deps: installing$missing"
export DEBIAN_FRONTEND=noninteractive
apt-get update -q
# --no-install-recommends: services like mosquitto and dnsmasq are started by the tests, not by the system
# chrony's postinst starts chronyd, which would take over this machine's clock (shared, not namespaced): no
# service starts during the install (policy-rc.d 101, removed again unless it was there before), and none is left
policy=/usr/sbin/policy-rc.d
own_policy=false
if [ ! -e "$policy" ]; then
    printf '#!/bin/sh\nexit 101\n' > "$policy"
    chmod 755 "$policy"
    own_policy=true
fi
# shellcheck disable=SC2086
apt-get install -y -q --no-install-recommends $missing || { if $own_policy; then rm -f "$policy"; fi; exit 1; }
if $own_policy; then rm -f "$policy"; fi
# daemons that Debian starts on install would collide with the lab's own instances
for svc in mosquitto avahi-daemon ModemManager tinyproxy chrony; do
    if command -v systemctl >/dev/null 2>&1 && [ -d /run/systemd/system ]; then
        systemctl disable --now "$svc" >/dev/null 2>&1 || true
    fi
done
if pgrep -x chronyd >/dev/null 2>&1; then
    echo "install-deps: a chronyd runs on this machine; the lab's tests do not need it (they never set the clock)" >&2
fi
echo "install-deps: done"
