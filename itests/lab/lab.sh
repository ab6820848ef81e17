#!/bin/bash
# Isthmus network lab: network namespaces joined by veth pairs around a gateway namespace that the
# lab leaves unconfigured, so the gateway under test has to do everything itself.
#
#                 +--------------------------- inet -----------------------------+
#                 | lo: 203.0.113.10 (probe / broker), 203.0.113.53 (DNS)        |
#                 | w0 172.31.1.1/30                         c0 172.31.2.1/30    |
#                 +-----|------------------------------------------|-------------+
#                       | up0 172.31.1.2/30                        | up0 172.31.2.2/30
#        ispw (wired ISP, DHCP server)               ispc (cellular ISP, static)
#                       | down0 100.64.1.1/24                      | down0 100.65.1.1/24
#                       |                                          |
#                  eth0 (DHCP, reserved 100.64.1.10)         wwan0 (static 100.65.1.10)
#                 +-----------------------------  gw  ----------------------------+
#                  eth1 (DMZ, 192.168.50.1)                  eth2 (offline OT, 10.20.0.1)
#                       |                                          |
#             dmz eth0 192.168.50.10/24                   ot eth0 10.20.0.10/24
#
# With --wifi also a WiFi access point and its ISP (the "radio" is a veth: there is no WiFi stack here):
#   inet f0 172.31.3.1/30 -- up0 172.31.3.2/30  wap  down0 100.66.1.1/24 (DHCP server; hostapd driver=wired
#   when a test starts one) -- gw wlan0 (DHCP, reserved 100.66.1.10)
#
# Usage (as root; see docs/lab.md):
#   lab.sh up [--id ID] [--ot-dhcp] [--wifi] [--owner PID]
#                                                   create a lab; prints its ID as the last stdout line
#   lab.sh down ID                                  kill its processes, delete its namespaces and run dir
#   lab.sh exec ID NODE CMD...                      run CMD inside NODE's namespace
#   lab.sh ns ID NODE                               print NODE's namespace name
#   lab.sh env ID                                   print KEY=value lines: every name and address
#   lab.sh list                                     IDs of the labs that exist
#   lab.sh gc                                       down every lab whose creator is gone
#   lab.sh pull|cut|restore ID wired|cell|wifi      cable pull (radio off) / silent upstream failure / repair
# Nodes: gw ispw ispc inet dmz ot, and wap with --wifi. Everything except the output asked for goes to stderr.
[ -n "${BASH_VERSION:-}" ] || exec bash "$0" "$@"
set -eu
set -E -o pipefail

# ---------------------------------------------------------------------------------------------------
# Names and addresses: the one place they are written down. `lab.sh env ID` prints them all.
# ---------------------------------------------------------------------------------------------------
LAB_RUN_ROOT=/run/isthmus-lab
LAB_NS_PREFIX=isl
LAB_NODES="gw ispw ispc inet dmz ot"
LAB_WIFI_NODES="wap"              # only with --wifi

# gw: the gateway. The lab gives its interfaces fixed names and MACs and nothing else: no addresses,
# no routes, no sysctls, links left DOWN.
GW_WIRED_IF=eth0;  GW_WIRED_MAC=02:15:00:00:00:10;  GW_WIRED_ADDR=100.64.1.10   # DHCP reservation
GW_CELL_IF=wwan0;  GW_CELL_MAC=02:15:00:00:00:20;   GW_CELL_ADDR=100.65.1.10    # static, by the gateway
GW_DMZ_IF=eth1;    GW_DMZ_MAC=02:15:00:00:00:30;    GW_DMZ_ADDR=192.168.50.1    # static, by the gateway
GW_OT_IF=eth2;     GW_OT_MAC=02:15:00:00:00:40;     GW_OT_ADDR=10.20.0.1        # static, by the gateway
GW_WIFI_IF=wlan0;  GW_WIFI_MAC=02:15:00:00:00:50;   GW_WIFI_ADDR=100.66.1.10    # DHCP reservation (--wifi)

# ispw: wired ISP, DHCP server on its down link.
WIRED_NET=100.64.1.0/24
ISPW_DOWN_IF=down0; ISPW_DOWN_ADDR=100.64.1.1
ISPW_UP_IF=up0;     ISPW_UP_ADDR=172.31.1.2
ISPW_DHCP_FIRST=100.64.1.100; ISPW_DHCP_LAST=100.64.1.150; ISPW_DHCP_LEASE=1h
ISPW_DHCP_ROUTER=100.64.1.1;  ISPW_DHCP_DNS=203.0.113.53
ISPW_DHCP_NTP=203.0.113.123       # option 42: nothing answers there unless a test starts an NTP server (TimeSystemIT)

# ispc: cellular ISP, no DHCP (the gateway uses GW_CELL_ADDR statically).
CELL_NET=100.65.1.0/24
ISPC_DOWN_IF=down0; ISPC_DOWN_ADDR=100.65.1.1
ISPC_UP_IF=up0;     ISPC_UP_ADDR=172.31.2.2

# wap (--wifi): WiFi access point and its ISP, DHCP server on its down link (the gateway's "radio").
WIFI_NET=100.66.1.0/24
WAP_DOWN_IF=down0; WAP_DOWN_ADDR=100.66.1.1
WAP_UP_IF=up0;     WAP_UP_ADDR=172.31.3.2
WAP_DHCP_FIRST=100.66.1.100; WAP_DHCP_LAST=100.66.1.150; WAP_DHCP_LEASE=1h
WAP_DHCP_ROUTER=100.66.1.1;  WAP_DHCP_DNS=203.0.113.53

# inet: the internet. Its "hosts" are addresses on its lo.
TRANSIT_PREFIX=30
INET_WIRED_IF=w0;   INET_WIRED_ADDR=172.31.1.1
INET_CELL_IF=c0;    INET_CELL_ADDR=172.31.2.1
INET_WIFI_IF=f0;    INET_WIFI_ADDR=172.31.3.1   # --wifi
INET_PROBE_ADDR=203.0.113.10      # uplink probe target
INET_BROKER_ADDR=203.0.113.10     # later: the MQTT broker
INET_DNS_ADDR=203.0.113.53        # dnsmasq, DNS only
INET_BROKER_NAME=broker.isthmus.test
INET_EXAMPLE_NAME=example.test
INET_DMZ_METRIC_WIRED=10          # inet's route back to the DMZ via ispw
INET_DMZ_METRIC_CELL=20           # ... and via ispc
INET_DMZ_METRIC_WIFI=15           # ... and via wap (--wifi): wired, then WiFi, then cellular

# dmz: one host behind gw:eth1.
DMZ_NET=192.168.50.0/24
DMZ_IF=eth0; DMZ_HOST_ADDR=192.168.50.10

# ot: one host behind gw:eth2; with --ot-dhcp also a misbehaving DHCP server (offers a router).
OT_NET=10.20.0.0/24
OT_IF=eth0; OT_HOST_ADDR=10.20.0.10
OT_DHCP_FIRST=10.20.0.100; OT_DHCP_LAST=10.20.0.150; OT_DHCP_LEASE=1h
OT_DHCP_ROUTER=10.20.0.254; OT_DHCP_DNS=10.20.0.53

# What `env` prints (besides the per-lab names).
LAB_ENV_VARS="GW_WIRED_IF GW_WIRED_MAC GW_WIRED_ADDR GW_CELL_IF GW_CELL_MAC GW_CELL_ADDR
GW_DMZ_IF GW_DMZ_MAC GW_DMZ_ADDR GW_OT_IF GW_OT_MAC GW_OT_ADDR
WIRED_NET ISPW_DOWN_IF ISPW_DOWN_ADDR ISPW_UP_IF ISPW_UP_ADDR ISPW_DHCP_FIRST ISPW_DHCP_LAST
ISPW_DHCP_LEASE ISPW_DHCP_ROUTER ISPW_DHCP_DNS ISPW_DHCP_NTP
CELL_NET ISPC_DOWN_IF ISPC_DOWN_ADDR ISPC_UP_IF ISPC_UP_ADDR
TRANSIT_PREFIX INET_WIRED_IF INET_WIRED_ADDR INET_CELL_IF INET_CELL_ADDR INET_PROBE_ADDR
INET_BROKER_ADDR INET_DNS_ADDR INET_BROKER_NAME INET_EXAMPLE_NAME INET_DMZ_METRIC_WIRED
INET_DMZ_METRIC_CELL
DMZ_NET DMZ_IF DMZ_HOST_ADDR
OT_NET OT_IF OT_HOST_ADDR OT_DHCP_FIRST OT_DHCP_LAST OT_DHCP_LEASE OT_DHCP_ROUTER OT_DHCP_DNS
GW_WIFI_IF GW_WIFI_MAC GW_WIFI_ADDR WIFI_NET WAP_DOWN_IF WAP_DOWN_ADDR WAP_UP_IF WAP_UP_ADDR
WAP_DHCP_FIRST WAP_DHCP_LAST WAP_DHCP_LEASE WAP_DHCP_ROUTER WAP_DHCP_DNS INET_WIFI_IF INET_WIFI_ADDR
INET_DMZ_METRIC_WIFI"

ID_RE='^[a-z0-9]{1,16}$'
KILL_GRACE_MS=2000       # between TERM and KILL (polled every 50 ms)
READY_MS=5000            # for a daemon to open its socket

# ---------------------------------------------------------------------------------------------------
PROG=lab.sh
log()  { printf '%s: %s\n' "$PROG" "$*" >&2; }
die()  { log "error: $*"; exit 1; }
usage() { sed -n '/^# Usage/,/^# Nodes/p' "$0" | sed 's/^# \{0,1\}//' >&2; exit 2; }

now_ms() { local t=${EPOCHREALTIME//[!0-9]/}; echo $((t / 1000)); }
prefix_of() { echo "${1#*/}"; }              # 100.64.1.0/24 -> 24
ns_name()   { echo "$LAB_NS_PREFIX-$1-$2"; }  # ID NODE -> isl-ID-NODE
run_dir()   { echo "$LAB_RUN_ROOT/$1"; }

check_id() {
    [[ $1 =~ $ID_RE ]] || die "bad lab ID '$1' (1-16 of a-z 0-9)"
}
check_node() {
    case " $LAB_NODES $LAB_WIFI_NODES " in *" $1 "*) ;; *) die "unknown node '$1' (nodes: $LAB_NODES $LAB_WIFI_NODES)" ;; esac
}
need_root() {
    [ "$(id -u)" -eq 0 ] || die "must run as root"
}

# Namespace names of lab ID that exist now (any node name, also ones this version does not create).
lab_namespaces() {
    ip netns list 2>/dev/null | awk '{print $1}' | grep -E "^$LAB_NS_PREFIX-$1-[a-z0-9]+\$" || true
}
# IDs that have at least one namespace.
ns_ids() {
    ip netns list 2>/dev/null | awk '{print $1}' \
        | sed -n -E "s/^$LAB_NS_PREFIX-([a-z0-9]{1,16})-[a-z0-9]+\$/\1/p" | sort -u || true
}

# /proc/PID/stat fields after the command name (field 3 onwards): state ppid ... starttime is $20.
proc_field() { # PID N (N = stat field number, >= 3)
    local s a
    s=$(cat "/proc/$1/stat" 2>/dev/null) || return 1
    s=${s##*) }
    read -r -a a <<<"$s"
    echo "${a[$(($2 - 3))]}"
}
same_process() { # PID STARTTIME — PID is alive and started at STARTTIME (not a recycled PID)
    [[ ${1:-} =~ ^[0-9]+$ ]] && proc_alive "$1" || return 1
    [ -z "${2:-}" ] || [ "$2" = 0 ] || [ "$(proc_field "$1" 22)" = "$2" ]
}
proc_alive() { # PID — exists and is not a zombie
    local st
    st=$(proc_field "$1" 3) || return 1
    [ "$st" != Z ] && [ "$st" != X ]
}

# ---------------------------------------------------------------------------------------------------
# Processes of a lab: pid files (verified: the process must still reference the run dir or live in one
# of the lab's namespaces, so a recycled PID is never killed) plus everything inside the namespaces.
# ---------------------------------------------------------------------------------------------------
lab_pids() { # ID
    local id=$1 dir f pid ns keys=""
    dir=$(run_dir "$id")
    for ns in $(lab_namespaces "$id"); do
        keys="$keys $(stat -L -c '%d:%i' "/run/netns/$ns" 2>/dev/null || true)"
        ip netns pids "$ns" 2>/dev/null || true
    done
    [ -d "$dir" ] || return 0
    for f in "$dir"/*.pid; do
        [ -f "$f" ] || continue
        pid=$(head -n1 "$f" 2>/dev/null || true)
        [[ $pid =~ ^[0-9]+$ ]] || continue
        proc_alive "$pid" || continue
        if tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null | grep -qF "$dir/"; then
            echo "$pid"
        elif [ -n "$keys" ] && case " $keys " in
                *" $(stat -L -c '%d:%i' "/proc/$pid/ns/net" 2>/dev/null || echo none) "*) true ;;
                *) false ;; esac; then
            echo "$pid"
        fi
    done
}
live_lab_pids() { # ID — sorted, unique, without zombies
    local p
    for p in $(lab_pids "$1" | sort -un); do
        proc_alive "$p" && echo "$p"
    done
    return 0
}

wait_lab_processes_gone() { # ID MS — 0 when none is left within MS
    local deadline=$(($(now_ms) + $2))
    while :; do
        pids=$(live_lab_pids "$1")
        [ -n "$pids" ] || return 0
        [ "$(now_ms)" -lt "$deadline" ] || return 1
        sleep 0.05
    done
}
kill_lab_processes() { # ID
    local id=$1 pids
    pids=$(live_lab_pids "$id")
    [ -n "$pids" ] || return 0
    log "[$id] stopping processes: $(echo $pids)"
    # shellcheck disable=SC2086
    kill -TERM $pids 2>/dev/null || true
    wait_lab_processes_gone "$id" "$KILL_GRACE_MS" && return 0
    log "[$id] still running after $((KILL_GRACE_MS / 1000)) s, killing: $(echo $pids)"
    # shellcheck disable=SC2086
    kill -KILL $pids 2>/dev/null || true
    wait_lab_processes_gone "$id" "$KILL_GRACE_MS" && return 0
    log "[$id] warning: processes survived SIGKILL: $(echo $pids)"
}

do_down() { # ID — never fails
    local id=$1 ns dir rc=0
    dir=$(run_dir "$id")
    kill_lab_processes "$id" || true
    for ns in $(lab_namespaces "$id"); do
        ip netns del "$ns" 2>/dev/null || { log "[$id] warning: could not delete namespace $ns"; rc=1; }
    done
    if [ -d "$dir" ]; then
        rm -rf -- "$dir" || { log "[$id] warning: could not remove $dir"; rc=1; }
    fi
    return $rc
}

# ---------------------------------------------------------------------------------------------------
# up
# ---------------------------------------------------------------------------------------------------
random_id() {
    local s=""
    while [ ${#s} -lt 6 ]; do
        s="$s$(head -c 32 /dev/urandom | tr -dc 'a-z0-9' || true)"
    done
    echo "${s:0:6}"
}

# The process that owns the lab (gc removes the lab once it is gone): the caller, skipping processes
# that end together with lab.sh — sudo/su/doas/timeout wrappers, and forked subshells such as the one
# `ID=$(lab.sh up 2>log)` runs in (a subshell has the same command line as the shell it forked from).
find_owner() {
    local pid=$PPID parent comm n=0
    while [ "$n" -lt 16 ] && [ "$pid" -gt 1 ]; do
        parent=$(proc_field "$pid" 4) || break
        [ "$parent" -gt 1 ] || break
        comm=$(cat "/proc/$pid/comm" 2>/dev/null || echo "")
        case "$comm" in
            sudo|su|doas|run0|timeout) pid=$parent ;;
            *)
                if cmp -s "/proc/$pid/cmdline" "/proc/$parent/cmdline" \
                    && [ "$(readlink "/proc/$pid/exe" 2>/dev/null)" = "$(readlink "/proc/$parent/exe" 2>/dev/null)" ]; then
                    pid=$parent
                else
                    break
                fi ;;
        esac
        n=$((n + 1))
    done
    echo "$pid"
}

STEP=""
step() { STEP=$*; }

nsx() { # NODE CMD... — run in NODE's namespace
    local node=$1; shift
    ip netns exec "$(ns_name "$LAB_ID" "$node")" "$@"
}
ipn() { # NODE ip-args...
    local node=$1; shift
    ip -n "$(ns_name "$LAB_ID" "$node")" "$@"
}

# veth pair between two namespaces, created directly inside them (never in the host namespace, so
# names never collide with the host or another lab).
veth() { # NODE_A IF_A NODE_B IF_B [MAC_A]
    local mac=()
    [ -n "${5:-}" ] && mac=(address "$5")
    ipn "$1" link add name "$2" "${mac[@]}" type veth peer name "$4" netns "$(ns_name "$LAB_ID" "$3")"
}

# Start a daemon in NODE's namespace in the background, record its pid file, wait for its socket.
# start_daemon NODE NAME SS_FILTER CMD...
start_daemon() {
    local node=$1 name=$2 filter=$3 pid
    shift 3
    local pidf="$LAB_DIR/$node-$name.pid" out="$LAB_DIR/$node-$name.out"
    # setsid: its own session, so signals meant for the caller's process group (Ctrl-C, timeout)
    # do not reach it; the lab lives until `down` (or `gc`). setsid does not fork here (a background
    # child is no group leader), so $! is the daemon's PID; the loop below checks that.
    ip netns exec "$(ns_name "$LAB_ID" "$node")" setsid "$@" </dev/null >"$out" 2>&1 &
    pid=$!
    echo "$pid" >"$pidf"
    local deadline=$(($(now_ms) + READY_MS))
    while :; do
        if ! proc_alive "$pid"; then
            log "[$LAB_ID] $node $name exited at start; its output:"
            sed 's/^/    /' "$out" >&2 || true
            return 1
        fi
        # shellcheck disable=SC2086
        if [ "$(cat "/proc/$pid/comm" 2>/dev/null)" = "$1" ] \
            && [ -n "$(nsx "$node" ss -Hlun $filter 2>/dev/null)" ]; then
            return 0
        fi
        if [ "$(now_ms)" -ge "$deadline" ]; then
            log "[$LAB_ID] $node $name did not open its socket within $((READY_MS / 1000)) s"
            return 1
        fi
        sleep 0.05
    done
}

UP_DONE=0
up_exit() {
    local rc=$?
    trap - EXIT INT TERM HUP ERR
    if [ "$UP_DONE" != 1 ]; then
        [ "$rc" -ne 0 ] || rc=1
        log "[$LAB_ID] up failed${STEP:+ while $STEP} (exit $rc); tearing the partial lab down"
        do_down "$LAB_ID" || true
    fi
    exit "$rc"
}

do_up() {
    local id="" ot_dhcp=0 wifi=0 owner=""
    while [ $# -gt 0 ]; do
        case "$1" in
            --id) [ $# -ge 2 ] || die "--id needs a value"; id=$2; shift 2 ;;
            --id=*) id=${1#--id=}; shift ;;
            --ot-dhcp) ot_dhcp=1; shift ;;
            --wifi) wifi=1; shift ;;
            --owner) [ $# -ge 2 ] || die "--owner needs a PID"; owner=$2; shift 2 ;;
            --owner=*) owner=${1#--owner=}; shift ;;
            *) die "up: unknown option '$1'" ;;
        esac
    done
    need_root
    local t
    for t in ip dnsmasq ss sysctl; do
        command -v "$t" >/dev/null 2>&1 || die "'$t' not found; run tools/install-deps.sh"
    done
    if [ -n "$owner" ]; then
        [[ $owner =~ ^[0-9]+$ ]] && proc_alive "$owner" || die "--owner $owner: no such process"
    else
        owner=$(find_owner)
    fi
    mkdir -p "$LAB_RUN_ROOT"

    # Claim the ID: mkdir is atomic, so two concurrent `up --id X` cannot both win.
    local tries=0
    while :; do
        if [ -z "$id" ] || [ "$tries" -gt 0 ]; then
            [ "$tries" -lt 20 ] || die "could not find a free lab ID"
            id=$(random_id); tries=$((tries + 1)); local random=1
        fi
        check_id "$id"
        if [ -n "$(lab_namespaces "$id")" ] || ! mkdir "$(run_dir "$id")" 2>/dev/null; then
            [ "${random:-0}" = 1 ] && continue
            die "lab '$id' already exists (namespaces: $(echo $(lab_namespaces "$id")); run dir: $(run_dir "$id")). Use 'lab.sh down $id' first."
        fi
        break
    done
    LAB_ID=$id
    LAB_DIR=$(run_dir "$id")
    trap up_exit EXIT
    trap 'exit 130' INT
    trap 'exit 143' TERM
    trap 'exit 129' HUP
    trap 'case "$BASH_COMMAND" in return*) ;; *) log "[$LAB_ID] command failed: $BASH_COMMAND" ;; esac' ERR

    step "writing $LAB_DIR/created-by"
    {
        echo "pid=$owner"
        echo "starttime=$(proc_field "$owner" 22 || echo 0)"
        echo "comm=$(cat "/proc/$owner/comm" 2>/dev/null || echo '?')"
        echo "created=$(date -u +%Y-%m-%dT%H:%M:%SZ)"
        echo "up_pid=$$"
        echo "up_starttime=$(proc_field $$ 22 || echo 0)"
    } >"$LAB_DIR/created-by.tmp"
    mv "$LAB_DIR/created-by.tmp" "$LAB_DIR/created-by"
    echo "ot_dhcp=$ot_dhcp" >"$LAB_DIR/options"
    echo "wifi=$wifi" >>"$LAB_DIR/options"
    [ "$wifi" = 0 ] || LAB_NODES="$LAB_NODES $LAB_WIFI_NODES"

    log "[$id] creating lab (owner pid $owner)"
    local node ns
    step "creating namespaces"
    for node in $LAB_NODES; do
        ns=$(ns_name "$id" "$node")
        ip netns add "$ns"
        ip -n "$ns" link set lo up
        if [ "$node" != gw ]; then
            # Routes over a link without carrier are ignored, so a pulled cable or a dead upstream
            # reroutes at once inside the lab (inet falls back to its metric-20 DMZ route).
            nsx "$node" sysctl -q -w net.ipv4.conf.default.ignore_routes_with_linkdown=1 \
                net.ipv4.conf.all.ignore_routes_with_linkdown=1 >/dev/null
        fi
    done

    step "creating veth pairs"
    veth gw "$GW_WIRED_IF" ispw "$ISPW_DOWN_IF" "$GW_WIRED_MAC"
    veth gw "$GW_CELL_IF"  ispc "$ISPC_DOWN_IF" "$GW_CELL_MAC"
    veth gw "$GW_DMZ_IF"   dmz  "$DMZ_IF"       "$GW_DMZ_MAC"
    veth gw "$GW_OT_IF"    ot   "$OT_IF"        "$GW_OT_MAC"
    veth ispw "$ISPW_UP_IF" inet "$INET_WIRED_IF"
    veth ispc "$ISPC_UP_IF" inet "$INET_CELL_IF"

    step "configuring inet"
    ipn inet addr add "$INET_WIRED_ADDR/$TRANSIT_PREFIX" dev "$INET_WIRED_IF"
    ipn inet addr add "$INET_CELL_ADDR/$TRANSIT_PREFIX" dev "$INET_CELL_IF"
    ipn inet addr add "$INET_PROBE_ADDR/32" dev lo
    [ "$INET_BROKER_ADDR" = "$INET_PROBE_ADDR" ] || ipn inet addr add "$INET_BROKER_ADDR/32" dev lo
    ipn inet addr add "$INET_DNS_ADDR/32" dev lo
    ipn inet link set "$INET_WIRED_IF" up
    ipn inet link set "$INET_CELL_IF" up
    nsx inet sysctl -q -w net.ipv4.ip_forward=1 >/dev/null

    step "configuring ispw"
    ipn ispw addr add "$ISPW_DOWN_ADDR/$(prefix_of "$WIRED_NET")" dev "$ISPW_DOWN_IF"
    ipn ispw addr add "$ISPW_UP_ADDR/$TRANSIT_PREFIX" dev "$ISPW_UP_IF"
    ipn ispw link set "$ISPW_DOWN_IF" up
    ipn ispw link set "$ISPW_UP_IF" up
    nsx ispw sysctl -q -w net.ipv4.ip_forward=1 >/dev/null

    step "configuring ispc"
    ipn ispc addr add "$ISPC_DOWN_ADDR/$(prefix_of "$CELL_NET")" dev "$ISPC_DOWN_IF"
    ipn ispc addr add "$ISPC_UP_ADDR/$TRANSIT_PREFIX" dev "$ISPC_UP_IF"
    ipn ispc link set "$ISPC_DOWN_IF" up
    ipn ispc link set "$ISPC_UP_IF" up
    nsx ispc sysctl -q -w net.ipv4.ip_forward=1 >/dev/null

    step "configuring dmz and ot"
    ipn dmz addr add "$DMZ_HOST_ADDR/$(prefix_of "$DMZ_NET")" dev "$DMZ_IF"
    ipn dmz link set "$DMZ_IF" up
    ipn ot addr add "$OT_HOST_ADDR/$(prefix_of "$OT_NET")" dev "$OT_IF"
    ipn ot link set "$OT_IF" up

    step "adding routes"
    routes_wired
    routes_cell
    ipn dmz route add default via "$GW_DMZ_ADDR" dev "$DMZ_IF"
    ipn ot route add default via "$GW_OT_ADDR" dev "$OT_IF"

    step "starting dnsmasq (DNS) in inet"
    start_daemon inet dnsmasq "src $INET_DNS_ADDR:53" \
        dnsmasq --no-daemon --conf-file=/dev/null --user=root --no-resolv --no-hosts \
        --listen-address="$INET_DNS_ADDR" --bind-interfaces --port=53 \
        --local=/test/ \
        --address="/$INET_BROKER_NAME/$INET_BROKER_ADDR" \
        --address="/$INET_EXAMPLE_NAME/$INET_PROBE_ADDR" \
        --log-queries --log-facility="$LAB_DIR/inet-dnsmasq.log"

    step "starting dnsmasq (DHCP) in ispw"
    start_daemon ispw dnsmasq "sport = :67" \
        dnsmasq --no-daemon --conf-file=/dev/null --user=root --no-resolv --no-hosts --port=0 \
        --bind-interfaces --interface="$ISPW_DOWN_IF" \
        --dhcp-authoritative \
        --dhcp-range="$ISPW_DHCP_FIRST,$ISPW_DHCP_LAST,255.255.255.0,$ISPW_DHCP_LEASE" \
        --dhcp-host="$GW_WIRED_MAC,$GW_WIRED_ADDR" \
        --dhcp-option=option:router,"$ISPW_DHCP_ROUTER" \
        --dhcp-option=option:dns-server,"$ISPW_DHCP_DNS" \
        --dhcp-option=option:ntp-server,"$ISPW_DHCP_NTP" \
        --dhcp-leasefile="$LAB_DIR/ispw-dnsmasq.leases" \
        --log-dhcp --log-facility="$LAB_DIR/ispw-dnsmasq.log"

    if [ "$ot_dhcp" = 1 ]; then
        step "starting dnsmasq (misbehaving DHCP) in ot"
        start_daemon ot dnsmasq "sport = :67" \
            dnsmasq --no-daemon --conf-file=/dev/null --user=root --no-resolv --no-hosts --port=0 \
            --bind-interfaces --interface="$OT_IF" \
            --dhcp-authoritative \
            --dhcp-range="$OT_DHCP_FIRST,$OT_DHCP_LAST,255.255.255.0,$OT_DHCP_LEASE" \
            --dhcp-option=option:router,"$OT_DHCP_ROUTER" \
            --dhcp-option=option:dns-server,"$OT_DHCP_DNS" \
            --dhcp-leasefile="$LAB_DIR/ot-dnsmasq.leases" \
            --log-dhcp --log-facility="$LAB_DIR/ot-dnsmasq.log"
    fi

    if [ "$wifi" = 1 ]; then
        step "creating the WiFi access point (wap)"
        veth gw "$GW_WIFI_IF" wap "$WAP_DOWN_IF" "$GW_WIFI_MAC"
        veth wap "$WAP_UP_IF" inet "$INET_WIFI_IF"
        ipn inet addr add "$INET_WIFI_ADDR/$TRANSIT_PREFIX" dev "$INET_WIFI_IF"
        ipn inet link set "$INET_WIFI_IF" up
        ipn wap addr add "$WAP_DOWN_ADDR/$(prefix_of "$WIFI_NET")" dev "$WAP_DOWN_IF"
        ipn wap addr add "$WAP_UP_ADDR/$TRANSIT_PREFIX" dev "$WAP_UP_IF"
        ipn wap link set "$WAP_DOWN_IF" up
        ipn wap link set "$WAP_UP_IF" up
        nsx wap sysctl -q -w net.ipv4.ip_forward=1 >/dev/null
        routes_wifi
        start_daemon wap dnsmasq "sport = :67" \
            dnsmasq --no-daemon --conf-file=/dev/null --user=root --no-resolv --no-hosts --port=0 \
            --bind-interfaces --interface="$WAP_DOWN_IF" \
            --dhcp-authoritative \
            --dhcp-range="$WAP_DHCP_FIRST,$WAP_DHCP_LAST,255.255.255.0,$WAP_DHCP_LEASE" \
            --dhcp-host="$GW_WIFI_MAC,$GW_WIFI_ADDR" \
            --dhcp-option=option:router,"$WAP_DHCP_ROUTER" \
            --dhcp-option=option:dns-server,"$WAP_DHCP_DNS" \
            --dhcp-leasefile="$LAB_DIR/wap-dnsmasq.leases" \
            --log-dhcp --log-facility="$LAB_DIR/wap-dnsmasq.log"
    fi

    date -u +%Y-%m-%dT%H:%M:%SZ >"$LAB_DIR/ready"
    UP_DONE=1
    trap - EXIT INT TERM HUP ERR
    log "[$id] lab is up: namespaces $LAB_NS_PREFIX-$id-{$(echo $LAB_NODES | tr ' ' ,)}, run dir $LAB_DIR"
    log "[$id] gw is unconfigured (links down); addresses: lab.sh env $id"
    echo "$id"
}

# The ISP-side routes of one uplink path (also used by `restore`: `route replace` is idempotent).
routes_wired() {
    ipn ispw route replace default via "$INET_WIRED_ADDR" dev "$ISPW_UP_IF"
    ipn ispw route replace "$DMZ_NET" via "$GW_WIRED_ADDR" dev "$ISPW_DOWN_IF"
    ipn inet route replace "$WIRED_NET" via "$ISPW_UP_ADDR" dev "$INET_WIRED_IF"
    ipn inet route replace "$DMZ_NET" via "$ISPW_UP_ADDR" dev "$INET_WIRED_IF" metric "$INET_DMZ_METRIC_WIRED"
}
routes_wifi() {
    ipn wap route replace default via "$INET_WIFI_ADDR" dev "$WAP_UP_IF"
    ipn wap route replace "$DMZ_NET" via "$GW_WIFI_ADDR" dev "$WAP_DOWN_IF"
    ipn inet route replace "$WIFI_NET" via "$WAP_UP_ADDR" dev "$INET_WIFI_IF"
    ipn inet route replace "$DMZ_NET" via "$WAP_UP_ADDR" dev "$INET_WIFI_IF" metric "$INET_DMZ_METRIC_WIFI"
}
routes_cell() {
    ipn ispc route replace default via "$INET_CELL_ADDR" dev "$ISPC_UP_IF"
    ipn ispc route replace "$DMZ_NET" via "$GW_CELL_ADDR" dev "$ISPC_DOWN_IF"
    ipn inet route replace "$CELL_NET" via "$ISPC_UP_ADDR" dev "$INET_CELL_IF"
    ipn inet route replace "$DMZ_NET" via "$ISPC_UP_ADDR" dev "$INET_CELL_IF" metric "$INET_DMZ_METRIC_CELL"
}

# ---------------------------------------------------------------------------------------------------
# failure injection
# ---------------------------------------------------------------------------------------------------
do_fault() { # pull|cut|restore ID wired|cell
    local what=$1 path=${3:-}
    LAB_ID=$2
    check_id "$LAB_ID"; need_root
    [ -n "$(lab_namespaces "$LAB_ID")" ] || die "no lab '$LAB_ID'"
    local isp metric via
    case "$path" in
        wired) isp=ispw; metric=$INET_DMZ_METRIC_WIRED; via=$ISPW_UP_ADDR ;;
        cell)  isp=ispc; metric=$INET_DMZ_METRIC_CELL;  via=$ISPC_UP_ADDR ;;
        wifi)  isp=wap;  metric=$INET_DMZ_METRIC_WIFI;  via=$WAP_UP_ADDR
               [ -e "/run/netns/$(ns_name "$LAB_ID" wap)" ] || die "$what: lab '$LAB_ID' has no WiFi (up --wifi)" ;;
        *) die "$what: path must be 'wired', 'cell' or 'wifi'" ;;
    esac
    case "$what" in
        pull)    # the gateway's uplink port loses carrier (WiFi: radio off); the internet stops routing the DMZ that way
            ipn "$isp" link set down0 down
            ipn inet route del "$DMZ_NET" via "$via" metric "$metric" 2>/dev/null || true
            log "[$LAB_ID] $path: cable pulled ($isp down0 down, inet DMZ route metric $metric removed)" ;;
        cut)     # the link to the gateway stays up, everything beyond the ISP is gone
            ipn "$isp" link set up0 down
            log "[$LAB_ID] $path: upstream cut ($isp up0 down; gw keeps carrier)" ;;
        restore)
            ipn "$isp" link set down0 up
            ipn "$isp" link set up0 up
            case "$path" in wired) routes_wired ;; cell) routes_cell ;; wifi) routes_wifi ;; esac
            log "[$LAB_ID] $path: restored" ;;
    esac
}

# ---------------------------------------------------------------------------------------------------
# gc
# ---------------------------------------------------------------------------------------------------
do_gc() {
    need_root
    local id dir pid start reason ids now mtime n=0
    ids=$( { ns_ids; ls -1 "$LAB_RUN_ROOT" 2>/dev/null || true; } | grep -E "$ID_RE" | sort -u || true)
    now=$(date +%s)
    for id in $ids; do
        dir=$(run_dir "$id")
        reason=""
        if [ ! -d "$dir" ]; then
            reason="run dir missing"
        elif [ ! -f "$dir/created-by" ]; then
            mtime=$(stat -c %Y "$dir" 2>/dev/null || echo 0)
            # `up` writes created-by right after claiming the dir; allow it a moment
            [ $((now - mtime)) -lt 30 ] || reason="no created-by file"
        else
            pid=$(sed -n 's/^pid=//p' "$dir/created-by")
            start=$(sed -n 's/^starttime=//p' "$dir/created-by")
            if ! same_process "$pid" "$start"; then
                reason="creator pid ${pid:-?} is gone"
            elif [ ! -f "$dir/ready" ] \
                && ! same_process "$(sed -n 's/^up_pid=//p' "$dir/created-by")" \
                                  "$(sed -n 's/^up_starttime=//p' "$dir/created-by")"; then
                reason="'lab.sh up' died before the lab was ready"
            fi
        fi
        if [ -n "$reason" ]; then
            log "gc: removing lab $id ($reason)"
            do_down "$id" || true
            n=$((n + 1))
        fi
    done
    log "gc: $n lab(s) removed"
}

# ---------------------------------------------------------------------------------------------------
do_env() {
    local id=$1 v node
    echo "LAB_ID=$id"
    echo "LAB_RUN_DIR=$(run_dir "$id")"
    for node in $LAB_NODES; do
        echo "NS_$(echo "$node" | tr a-z A-Z)=$(ns_name "$id" "$node")"
    done
    echo "LAB_OT_DHCP=$(sed -n 's/^ot_dhcp=//p' "$(run_dir "$id")/options" 2>/dev/null || echo 0)"
    local wifi
    wifi=$(sed -n 's/^wifi=//p' "$(run_dir "$id")/options" 2>/dev/null || true)
    echo "LAB_WIFI=${wifi:-0}"
    [ "${wifi:-0}" = 0 ] || echo "NS_WAP=$(ns_name "$id" wap)"
    for v in $LAB_ENV_VARS; do
        echo "$v=${!v}"
    done
}

main() {
    [ $# -ge 1 ] || usage
    local cmd=$1; shift
    case "$cmd" in
        up)
            do_up "$@" ;;
        down)
            [ $# -eq 1 ] || die "usage: lab.sh down ID"
            check_id "$1"; need_root
            LAB_ID=$1
            if [ -z "$(lab_namespaces "$1")" ] && [ ! -d "$(run_dir "$1")" ]; then
                log "[$1] no such lab (nothing to do)"
                exit 0
            fi
            do_down "$1" && log "[$1] down" || log "[$1] down, with warnings"
            exit 0 ;;
        exec)
            [ $# -ge 3 ] || die "usage: lab.sh exec ID NODE CMD..."
            check_id "$1"; check_node "$2"
            local ns; ns=$(ns_name "$1" "$2"); shift 2
            exec ip netns exec "$ns" "$@" ;;
        ns)
            [ $# -eq 2 ] || die "usage: lab.sh ns ID NODE"
            check_id "$1"; check_node "$2"
            ns_name "$1" "$2" ;;
        env)
            [ $# -eq 1 ] || die "usage: lab.sh env ID"
            check_id "$1"
            do_env "$1" ;;
        list)
            ns_ids ;;
        gc)
            do_gc ;;
        pull|cut|restore)
            [ $# -eq 2 ] || die "usage: lab.sh $cmd ID wired|cell|wifi"
            do_fault "$cmd" "$@" ;;
        -h|--help|help)
            usage ;;
        *)
            die "unknown command '$cmd' (up, down, exec, ns, env, list, gc, pull, cut, restore)" ;;
    esac
}

main "$@"
