#!/bin/bash
# Self-test of the network lab (itests/lab/lab.sh). As root. Brings labs up, configures the gateway
# namespace BY HAND (what the gateway under test will do later), checks the topology with real pings,
# a real DHCP client and real DNS queries, injects failures, and checks that down/gc leave nothing.
# Prints one line per check and "N passed, M failed" last; exits non-zero on any failure.
# Usage: itests/lab/selftest.sh [-v]      (-v: show the output of every check)
set -u

# The whole run is bounded: re-exec under a watchdog (TERM -> our trap tears the labs down).
[ -n "${BASH_VERSION:-}" ] || exec bash "$0" "$@"
if [ -z "${LAB_SELFTEST_WATCHDOG:-}" ]; then
    LAB_SELFTEST_WATCHDOG=1 exec timeout -k 10 240 bash "$0" "$@"
fi

HERE=$(cd "$(dirname "$0")" && pwd)
LAB="$HERE/lab.sh"
VERBOSE=0
[ "${1:-}" = -v ] && VERBOSE=1
PY=/usr/bin/python3
[ -x "$PY" ] || PY=python3

PASS=0
FAIL=0
LABS=""                   # every lab this test created, torn down on exit
TMP=$(mktemp -d /tmp/isthmus-lab-selftest.XXXXXX)
OUT="$TMP/out"

cleanup() {
    local id
    trap - EXIT INT TERM
    for id in $LABS; do
        "$LAB" down "$id" >/dev/null 2>&1 || true
    done
    rm -rf "$TMP"
}
trap cleanup EXIT
trap 'echo "selftest: interrupted" >&2; exit 130' INT
trap 'echo "selftest: terminated (watchdog?)" >&2; exit 143' TERM

ok()  { PASS=$((PASS + 1)); echo "ok   - $*"; }
bad() {
    FAIL=$((FAIL + 1)); echo "FAIL - $*"
    [ -s "$OUT" ] && sed 's/^/       | /' "$OUT" | tail -n 15
    return 0
}
show() { [ "$VERBOSE" = 1 ] && [ -s "$OUT" ] && sed 's/^/       | /' "$OUT"; return 0; }

# bounded SECS CMD... — CMD (a program or an exported function) killed after SECS
bounded() { local s=$1; shift; timeout -k 2 "$s" bash -c '"$@"' bash "$@"; }
# check DESC CMD... — CMD must succeed (one try, at most 10 s)
check() {
    local desc=$1; shift
    if bounded 10 "$@" >"$OUT" 2>&1; then ok "$desc"; show; else bad "$desc"; fi
}
# check_not DESC CMD... — CMD must fail
check_not() {
    local desc=$1; shift
    if bounded 10 "$@" >"$OUT" 2>&1; then bad "$desc (unexpectedly succeeded)"; else ok "$desc"; show; fi
}
# eventually SECONDS DESC CMD... — CMD must succeed within SECONDS (retried every 0.2 s)
eventually() {
    local secs=$1 desc=$2; shift 2
    local end=$((SECONDS + secs))
    while :; do
        if bounded 5 "$@" >"$OUT" 2>&1; then ok "$desc"; show; return 0; fi
        [ "$SECONDS" -lt "$end" ] || { bad "$desc (not within ${secs} s)"; return 0; }
        sleep 0.2
    done
}
# expect DESC ACTUAL EXPECTED
expect() {
    if [ "$2" = "$3" ]; then ok "$1"; else echo "expected: [$3]  actual: [$2]" >"$OUT"; bad "$1"; fi
}

in_ns()  { local n=$1; shift; ip netns exec "isl-$ID-$n" "$@"; }
ping1()  { in_ns "$1" ping -c1 -W1 -n "$2"; }
carrier() { ip -n "isl-$ID-$1" -o link show "$2" | grep -q 'LOWER_UP'; }
no_carrier() { ! carrier "$@"; }
gw() { ip -n "isl-$ID-gw" "$@"; }
alive() { # PID... — any of them alive (zombies do not count)
    local p st
    for p in "$@"; do
        st=$(awk '{print $3}' "/proc/$p/stat" 2>/dev/null) || continue
        [ "$st" = Z ] || return 0
    done
    return 1
}

# A DHCP client script that only prints what it was given.
cat >"$TMP/udhcpc.script" <<'EOF'
#!/bin/sh
[ "$1" = bound ] && echo "lease ip=$ip router=$router dns=$dns subnet=$subnet"
exit 0
EOF
chmod +x "$TMP/udhcpc.script"
dhcp_lease() { # NODE IF — one real DHCP exchange (at most ~6 s); prints the lease line
    ip -n "isl-$ID-$1" link set "$2" up
    timeout 15 ip netns exec "isl-$ID-$1" udhcpc -q -n -f -i "$2" -t 5 -T 1 -s "$TMP/udhcpc.script" \
        2>/dev/null | grep '^lease '
}

# A raw DNS query (no dig/host here; python3 is). Prints "RCODE addr...".
cat >"$TMP/dnsq.py" <<'EOF'
import random, socket, struct, sys
name, server = sys.argv[1], sys.argv[2]
qid = random.randrange(65536)
q = struct.pack('>HHHHHH', qid, 0x0100, 1, 0, 0, 0)
q += b''.join(bytes([len(p)]) + p.encode() for p in name.split('.')) + b'\0' + struct.pack('>HH', 1, 1)
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.settimeout(1.5)
for attempt in range(2):
    s.sendto(q, (server, 53))
    try:
        r, _ = s.recvfrom(2048)
        break
    except socket.timeout:
        r = None
if r is None:
    print('TIMEOUT'); sys.exit(1)
rid, flags, qd, an, ns, ar = struct.unpack('>HHHHHH', r[:12])
if rid != qid:
    print('BADID'); sys.exit(1)
i = 12
for _ in range(qd):
    while r[i]:
        i += r[i] + 1
    i += 5
addrs = []
for _ in range(an):
    if r[i] & 0xC0 == 0xC0:
        i += 2
    else:
        while r[i]:
            i += r[i] + 1
        i += 1
    t, c, ttl, l = struct.unpack('>HHIH', r[i:i + 10])
    i += 10
    if t == 1 and l == 4:
        addrs.append(socket.inet_ntoa(r[i:i + 4]))
    i += l
rc = flags & 0xF
names = ['NOERROR', 'FORMERR', 'SERVFAIL', 'NXDOMAIN', 'NOTIMP', 'REFUSED']
print(' '.join([names[rc] if rc < len(names) else str(rc)] + addrs))
EOF
dns() { in_ns "$1" timeout 10 "$PY" "$TMP/dnsq.py" "$2" "$3"; }

export ID TMP PY
export -f in_ns ping1 carrier no_carrier gw alive

echo "# lab self-test ($(date -u +%H:%M:%SZ))"
[ "$(id -u)" -eq 0 ] || { echo "selftest: must run as root"; echo "0 passed, 1 failed"; exit 1; }
for t in udhcpc ping timeout; do
    command -v "$t" >/dev/null 2>&1 || { echo "selftest: '$t' missing (tools/install-deps.sh)"; echo "0 passed, 1 failed"; exit 1; }
done

# ---------------------------------------------------------------------------------------------------
echo "# up"
# no --owner: the lab belongs to this shell (lab.sh's parent)
if ! ID=$("$LAB" up 2>"$OUT"); then
    bad "lab.sh up"
    echo "$PASS passed, $FAIL failed"; exit 1
fi
LABS="$LABS $ID"
ok "lab.sh up -> $ID"
[[ $ID =~ ^[a-z0-9]{6}$ ]] && ok "random ID is 6 lower-case alnum chars" || bad "random ID '$ID'"
check "lab.sh list shows $ID" sh -c "'$LAB' list | grep -qx '$ID'"
expect "lab.sh ns" "$("$LAB" ns "$ID" gw)" "isl-$ID-gw"
expect "created-by names the creating shell" "$(sed -n 's/^pid=//p' "/run/isthmus-lab/$ID/created-by")" "$$"
eval "$("$LAB" env "$ID")"
expect "env: namespaces" "$NS_GW $NS_ISPW $NS_ISPC $NS_INET $NS_DMZ $NS_OT" \
    "isl-$ID-gw isl-$ID-ispw isl-$ID-ispc isl-$ID-inet isl-$ID-dmz isl-$ID-ot"
expect "env: addresses" "$GW_WIRED_ADDR $GW_CELL_ADDR $GW_DMZ_ADDR $GW_OT_ADDR $INET_PROBE_ADDR $INET_DNS_ADDR" \
    "100.64.1.10 100.65.1.10 192.168.50.1 10.20.0.1 203.0.113.10 203.0.113.53"
check_not "up with an existing ID fails" "$LAB" up --id "$ID"
check "... and leaves that lab intact" sh -c "[ \$(ip netns list | grep -c '^isl-$ID-') -eq 6 ] && [ -d /run/isthmus-lab/$ID ]"
DNSMASQ_PIDS=$(cat "/run/isthmus-lab/$ID"/*.pid)
check "dnsmasq processes running (pid files)" sh -c "for p in $(echo $DNSMASQ_PIDS); do kill -0 \$p || exit 1; done"

echo "# gw is left to the gateway"
expect "gw interfaces and MACs" \
    "$(ip -n "$NS_GW" -o link show | awk '{sub(/@.*/, "", $2); sub(/:$/, "", $2); for (i = 1; i < NF; i++) if ($i == "link/ether") m = $(i+1); if ($2 != "lo") print $2, m}' | sort | tr '\n' ' ')" \
    "eth0 02:15:00:00:00:10 eth1 02:15:00:00:00:30 eth2 02:15:00:00:00:40 wwan0 02:15:00:00:00:20 "
check_not "gw links are down" sh -c "ip -n $NS_GW -o link show | grep -v ': lo:' | grep -q '[<,]UP[,>]'"
check_not "gw has no IPv4 address besides lo" sh -c "ip -n $NS_GW -o -4 addr show | grep -v ' lo '"
check_not "gw has no route in main table" sh -c "ip -n $NS_GW -4 route show | grep ."
expect "gw ip_forward untouched" "$(in_ns gw cat /proc/sys/net/ipv4/ip_forward)" "0"

# ---------------------------------------------------------------------------------------------------
echo "# gw configured by hand"
LEASE=$(dhcp_lease gw eth0 || true)
echo "$LEASE" >"$OUT"
expect "DHCP on ispw: reserved address, router and DNS for gw eth0's MAC" "$LEASE" \
    "lease ip=100.64.1.10 router=100.64.1.1 dns=203.0.113.53 subnet=255.255.255.0"
check "ispw lease file records gw eth0" grep -q "02:15:00:00:00:10 100.64.1.10" "/run/isthmus-lab/$ID/ispw-dnsmasq.leases"
configure_gw() {
    gw addr add 100.64.1.10/24 dev eth0 &&
    gw addr add 100.65.1.10/24 dev wwan0 &&
    gw addr add 192.168.50.1/24 dev eth1 &&
    gw addr add 10.20.0.1/24 dev eth2 &&
    for i in eth0 wwan0 eth1 eth2; do gw link set "$i" up || return 1; done &&
    gw route add default via 100.64.1.1 dev eth0 &&
    in_ns gw sysctl -q -w net.ipv4.ip_forward=1
}
export -f configure_gw
check "configure gw (addresses, links, default via wired, ip_forward)" configure_gw

eventually 5 "gw -> ispw (100.64.1.1)" ping1 gw 100.64.1.1
eventually 5 "gw -> ispc (100.65.1.1)" ping1 gw 100.65.1.1
eventually 5 "dmz -> internet 203.0.113.10" ping1 dmz 203.0.113.10
eventually 5 "inet -> dmz host 192.168.50.10" ping1 inet 192.168.50.10
eventually 5 "gw -> ot host 10.20.0.10" ping1 gw 10.20.0.10
check_not "ot -> internet fails (the internet has no route to the OT net)" ping1 ot 203.0.113.10
eventually 5 "DNS from dmz: broker.isthmus.test -> 203.0.113.10" \
    sh -c "[ \"\$(ip netns exec $NS_DMZ $PY $TMP/dnsq.py broker.isthmus.test 203.0.113.53)\" = 'NOERROR 203.0.113.10' ]"
expect "DNS from dmz: example.test -> 203.0.113.10" "$(dns dmz example.test 203.0.113.53)" "NOERROR 203.0.113.10"
expect "DNS from dmz: nothere.test -> NXDOMAIN" "$(dns dmz nothere.test 203.0.113.53)" "NXDOMAIN"
check "inet DNS query log" grep -q "query\[A\] broker.isthmus.test from 192.168.50.10" "/run/isthmus-lab/$ID/inet-dnsmasq.log"

# ---------------------------------------------------------------------------------------------------
echo "# failures: silent upstream cut, cable pull"
check "lab.sh cut $ID wired" "$LAB" cut "$ID" wired
check "gw eth0 keeps carrier" carrier gw eth0
check_not "dmz -> internet fails while gw still uses the wired uplink" ping1 dmz 203.0.113.10
check "gw switches its default to the cellular uplink (by hand)" gw route replace default via 100.65.1.1 dev wwan0
eventually 5 "dmz -> internet via cellular" ping1 dmz 203.0.113.10
eventually 5 "inet -> dmz via cellular (metric 20 route)" ping1 inet 192.168.50.10
check "lab.sh restore $ID wired" "$LAB" restore "$ID" wired
check "gw back to the wired uplink" gw route replace default via 100.64.1.1 dev eth0
eventually 5 "dmz -> internet via wired again" ping1 dmz 203.0.113.10
check "inet -> dmz prefers wired again" sh -c "ip -n $NS_INET route get 192.168.50.10 | grep -q 'via 172.31.1.2'"

check "lab.sh pull $ID wired" "$LAB" pull "$ID" wired
eventually 3 "gw eth0 lost carrier" no_carrier gw eth0
check "gw switches to cellular (by hand)" gw route replace default via 100.65.1.1 dev wwan0
eventually 5 "dmz -> internet via cellular after cable pull" ping1 dmz 203.0.113.10
eventually 5 "inet -> dmz via cellular after cable pull" ping1 inet 192.168.50.10
check "lab.sh restore $ID wired" "$LAB" restore "$ID" wired
eventually 3 "gw eth0 carrier back" carrier gw eth0
check "gw back to the wired uplink" gw route replace default via 100.64.1.1 dev eth0
eventually 5 "dmz -> internet via wired after restore" ping1 dmz 203.0.113.10
eventually 5 "inet -> dmz via wired after restore" ping1 inet 192.168.50.10
check "lab.sh cut $ID cell + restore" sh -c "'$LAB' cut $ID cell && '$LAB' restore $ID cell"
eventually 5 "gw -> ispc after cell restore" ping1 gw 100.65.1.1

# ---------------------------------------------------------------------------------------------------
echo "# a second lab in parallel, with a misbehaving OT DHCP server"
if ID2=$("$LAB" up --owner $$ --ot-dhcp 2>"$OUT"); then
    LABS="$LABS $ID2"
    ok "second lab up --ot-dhcp -> $ID2"
    expect "env of second lab: LAB_OT_DHCP" "$("$LAB" env "$ID2" | sed -n 's/^LAB_OT_DHCP=//p')" "1"
    L2=$(ID=$ID2 dhcp_lease gw eth2 || true)
    echo "$L2" >"$OUT"
    case "$L2" in
        "lease ip=10.20.0.1"[0-4][0-9]" router=10.20.0.254 dns=10.20.0.53 subnet=255.255.255.0"|\
        "lease ip=10.20.0.150 router=10.20.0.254 dns=10.20.0.53 subnet=255.255.255.0")
            ok "OT DHCP offers a pool address with router 10.20.0.254 and DNS 10.20.0.53" ;;
        *) bad "OT DHCP offer" ;;
    esac
    check "lab.sh down $ID2" "$LAB" down "$ID2"
    check_not "no namespace of $ID2 left" sh -c "ip netns list | grep -q '^isl-$ID2-'"
    check "first lab untouched: 6 namespaces" sh -c "[ \$(ip netns list | grep -c '^isl-$ID-') -eq 6 ]"
    check "first lab untouched: dnsmasq still running" sh -c "for p in $(echo $DNSMASQ_PIDS); do kill -0 \$p || exit 1; done"
    eventually 5 "first lab untouched: dmz -> internet" ping1 dmz 203.0.113.10
else
    bad "second lab up --ot-dhcp"
fi

# ---------------------------------------------------------------------------------------------------
echo "# gc"
sleep 60 &
OWNER=$!
ID3=$("$LAB" up --owner "$OWNER" 2>"$OUT") || ID3=""
kill "$OWNER"; wait "$OWNER" 2>/dev/null
if [ -n "$ID3" ]; then
    LABS="$LABS $ID3"
    ok "third lab up, owned by a short-lived process -> $ID3"
    # a half-built leftover: namespace, no run dir
    ORPHAN=$(printf 'o%05d' $((RANDOM % 100000)))
    ip netns add "isl-$ORPHAN-gw" && LABS="$LABS $ORPHAN"
    # a lab whose 'up' was SIGKILLed half-way (its owner, this shell, is alive)
    CRASH=$(printf 'c%05d' $((RANDOM % 100000)))
    LABS="$LABS $CRASH"
    "$LAB" up --id "$CRASH" --owner $$ >/dev/null 2>&1 &
    UPPID=$!
    end=$((SECONDS + 5))
    while [ ! -f "/run/isthmus-lab/$CRASH/created-by" ] && [ "$SECONDS" -lt "$end" ]; do sleep 0.01; done
    kill -KILL "$UPPID" 2>/dev/null; wait "$UPPID" 2>/dev/null
    check "lab.sh up killed half-way left a partial lab" test ! -f "/run/isthmus-lab/$CRASH/ready" -a -f "/run/isthmus-lab/$CRASH/created-by"
    check "lab.sh gc" "$LAB" gc
    check "gc removed the lab whose creator died" sh -c "! ip netns list | grep -q '^isl-$ID3-' && [ ! -d /run/isthmus-lab/$ID3 ]"
    check_not "gc removed the leftover namespace without run dir" sh -c "ip netns list | grep -q '^isl-$ORPHAN-'"
    check "gc removed the lab whose 'up' was killed" sh -c "! ip netns list | grep -q '^isl-$CRASH-' && [ ! -d /run/isthmus-lab/$CRASH ]"
    check "gc kept the live lab" sh -c "[ \$(ip netns list | grep -c '^isl-$ID-') -eq 6 ]"
    check "gc kept the live lab's dnsmasq" sh -c "for p in $(echo $DNSMASQ_PIDS); do kill -0 \$p || exit 1; done"
else
    bad "third lab up"
fi

# ---------------------------------------------------------------------------------------------------
echo "# down"
# a process the test started inside the lab (like a gateway under test) is stopped too
ip netns exec "$NS_GW" sleep 300 </dev/null >/dev/null 2>&1 &
GWPROC=$!
check "lab.sh down $ID" "$LAB" down "$ID"
check_not "no isl-$ID- namespace left" sh -c "ip netns list | grep -q '^isl-$ID-'"
check_not "run dir removed" test -e "/run/isthmus-lab/$ID"
# shellcheck disable=SC2086
check_not "no lab process left (dnsmasq, process in gw)" alive $DNSMASQ_PIDS $GWPROC
kill -KILL "$GWPROC" 2>/dev/null; wait "$GWPROC" 2>/dev/null
check "down of a lab that is gone succeeds" "$LAB" down "$ID"
check_not "lab.sh list has none of this test's labs" sh -c "'$LAB' list | grep -qxE '$(echo $LABS | tr ' ' '|')'"

echo "$PASS passed, $FAIL failed"
[ "$FAIL" -eq 0 ]
