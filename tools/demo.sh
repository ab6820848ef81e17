#!/bin/sh
# Runs the gateway in the foreground for a first look: the x86-industrial distribution with a fresh
# state dir under /tmp. Builds it first when it is not there. Ctrl-C stops it.
#
# As root (the default): inside the network lab (itests/lab/lab.sh, docs/lab.md) — a wired ISP with
# DHCP, a cellular ISP, an "internet" with a probe target and DNS, a DMZ host and an OT host — with a
# lab network document for the x86-industrial profile. The lab is torn down when the gateway exits.
# With --no-lab: in an empty network namespace of its own (unshare --net), with the profile's default
# document: the ports are reported missing; nothing on this machine's network is touched.
#
# Usage: tools/demo.sh [--no-lab] [--shell] [other 'isthmus run' options]
#        --shell adds the Gogo console: try 'lb' and 'scr:list'
set -eu
cd "$(dirname "$0")/.."

lab=1
for a in "$@"; do
    case "$a" in
        --no-lab) lab=0 ;;
        -h|--help) sed -n '2,12p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    esac
done
# drop --no-lab, pass everything else (e.g. --shell) to 'isthmus run'
n=$#
while [ "$n" -gt 0 ]; do
    a=$1; shift; n=$((n - 1))
    [ "$a" = --no-lab ] || set -- "$@" "$a"
done
if [ "$(id -u)" -ne 0 ]; then
    echo "demo: the gateway configures interfaces, routes and sysctls: run it as root (sudo $0)" >&2
    exit 2
fi

tools/install-deps.sh
dist=distribution/target/isthmus-x86-industrial
if [ ! -x "$dist/bin/isthmus" ] || [ ! -x tools/isthmusctl/target/isthmusctl/bin/isthmusctl ]; then
    mvn -B -q install -DskipTests
fi
state=$(mktemp -d /tmp/isthmus-demo.XXXXXX)
echo "demo: state dir $state (generations in $state/config, bundle cache in $state/cache)"

if [ "$lab" = 0 ]; then
    echo "demo: default network document: $dist/etc/network.json (in an empty network namespace)"
    exec unshare --net -- "$dist/bin/isthmus" run --state "$state" "$@"
fi

# ---- in the lab ------------------------------------------------------------------------------------
LAB=itests/lab/lab.sh
id=$("$LAB" up)
gwpid=""
gw_running() {
    [ -n "$gwpid" ] || return 1
    st=$(cut -d' ' -f3 "/proc/$gwpid/stat" 2>/dev/null) || return 1
    [ "$st" != Z ]
}
cleanup() {
    trap - EXIT INT TERM HUP
    if gw_running; then
        kill -TERM "$gwpid" 2>/dev/null || true
        i=0   # the gateway stops within 5 s on SIGTERM; lab.sh down kills whatever is left
        while gw_running && [ "$i" -lt 70 ]; do sleep 0.1; i=$((i + 1)); done
    fi
    echo "demo: tearing lab $id down"
    "$LAB" down "$id" || true
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM
trap 'exit 129' HUP

# every name and address of the lab, written down once in lab.sh
eval "$("$LAB" env "$id")"

doc="$state/lab-network.json"
cat >"$doc" <<EOF
{
  "ports": {
    "$GW_WIRED_IF":  {"kind": "ethernet", "role": "uplink", "cost": 0, "ipv4": {"method": "dhcp"}},
    "$GW_CELL_IF": {"kind": "ethernet", "role": "uplink", "cost": 100,
              "ipv4": {"method": "static", "address": "$GW_CELL_ADDR/${CELL_NET#*/}", "gateway": "$ISPC_DOWN_ADDR"}},
    "$GW_DMZ_IF":  {"kind": "ethernet", "role": "dmz",     "ipv4": {"method": "static", "address": "$GW_DMZ_ADDR/${DMZ_NET#*/}"}},
    "$GW_OT_IF":  {"kind": "ethernet", "role": "offline", "ipv4": {"method": "static", "address": "$GW_OT_ADDR/${OT_NET#*/}"}}
  },
  "uplink": {"probe": {"targets": ["$INET_PROBE_ADDR"], "intervalMs": 500, "timeoutMs": 400, "downAfter": 3, "upAfter": 5}},
  "management": {"brokers": ["tcp://$INET_BROKER_ADDR:1883"], "deviceId": "demo-gw"}
}
EOF

# The demo's MQTT broker: Mosquitto on the lab's internet (lab.sh down stops it with the lab). Real deployments
# use their own broker with TLS and per-device ACLs: docs/brokers.md.
cat >"$state/mosquitto.conf" <<EOF
listener 1883 $INET_BROKER_ADDR
allow_anonymous true
persistence false
set_tcp_nodelay true
EOF
ip netns exec "$NS_INET" mosquitto -c "$state/mosquitto.conf" >"$state/mosquitto.log" 2>&1 &
ctl="sudo ip netns exec $NS_INET tools/isthmusctl/target/isthmusctl/bin/isthmusctl --broker tcp://$INET_BROKER_ADDR:1883"

cat <<EOF
demo: lab $id is up; the gateway runs in namespace $NS_GW with $doc
demo: wired uplink $GW_WIRED_IF (DHCP from $ISPW_DOWN_ADDR, reserved $GW_WIRED_ADDR), cellular $GW_CELL_IF ($GW_CELL_ADDR),
      DMZ $GW_DMZ_IF ($DMZ_NET, host $DMZ_HOST_ADDR), offline OT $GW_OT_IF ($OT_NET, host $OT_HOST_ADDR),
      internet: probe/broker $INET_PROBE_ADDR, DNS $INET_DNS_ADDR ($INET_BROKER_NAME). Details: docs/lab.md
demo: in another terminal, try:
    sudo $LAB exec $id dmz ping -c3 $INET_PROBE_ADDR          # DMZ host -> internet: works
    sudo $LAB exec $id ot ping -c3 -W1 $INET_PROBE_ADDR       # OT host -> internet: must fail (offline port)
    sudo ip -n $NS_GW addr; sudo ip -n $NS_GW route show table all; sudo ip -n $NS_GW rule
    sudo ip -n $NS_ISPW link set $ISPW_DOWN_IF down      # pull the wired cable (or: sudo $LAB pull $id wired)
    sudo $LAB cut $id wired                         # silent upstream failure: link stays up, traffic dies
    sudo $LAB restore $id wired                     # plug it back
    $ctl devices                 # remote management (MQTT broker $INET_BROKER_ADDR:1883 on the lab's internet)
    $ctl status demo-gw          # also: config get|put|history demo-gw, bundles demo-gw, diag route demo-gw $INET_PROBE_ADDR
demo: starting the gateway (Ctrl-C stops it and removes the lab)
EOF

# In the background so that a signal to this script can stop it; stdin stays the terminal (--shell).
exec 3<&0
ip netns exec "$NS_GW" "$dist/bin/isthmus" run --config "$doc" --state "$state" "$@" <&3 3<&- &
gwpid=$!
exec 3<&-
rc=0
wait "$gwpid" || rc=$?
gwpid=""
echo "demo: gateway exited ($rc)"
exit "$rc"
