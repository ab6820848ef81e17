#!/bin/sh
# Re-captures the parser fixtures in this folder from a throwaway network namespace (run as root).
# Usage: sh capture.sh   (writes into the current directory)
set -eu
N=isl-capture-$$
E="ip netns exec $N"
ip netns add "$N"
trap 'kill "$MP" 2>/dev/null || true; ip netns del "$N"' EXIT
MP=
$E ip link set lo up
$E ip link add name va type veth peer name vb
$E ip link add name vc type veth peer name vd
$E ip link set va up; $E ip link set vb up; $E ip link set vc up
$E ip addr add 192.168.50.1/24 dev va
$E ip addr add 10.20.0.1/24 dev vb
$E ip addr add 10.20.0.2/32 dev vb
$E ip addr add 172.16.0.1/16 dev vc
$E ip route add default via 192.168.50.254 dev va metric 100
$E ip route add 192.168.20.0/24 via 192.168.50.254 dev va metric 50 proto 73
$E ip route add 192.168.21.5 via 192.168.50.254 dev va proto 73 src 192.168.50.1
$E ip route add unreachable default table 100 metric 4278198272 proto 73
$E ip route add default via 10.20.0.254 dev vb table 100 proto 73 metric 10
$E ip route add 10.30.0.0/16 dev vb table 200 proto static
$E ip route add blackhole 10.99.0.0/16 table 200
$E ip route add prohibit 10.98.0.0/16
$E ip route add 10.97.0.0/16 dev vb proto dhcp metric 1024
$E ip rule add pref 1000 from 10.20.0.0/24 table 100 protocol 73
$E ip rule add pref 1001 iif vb table 200 protocol 73
$E ip rule add pref 1002 from 192.168.50.1 iif va table 100
$E ip rule add pref 1003 from all to 10.0.0.0/8 lookup main
$E ip -j -s link show > link.json
$E ip -j -s link show dev vc > link-dev-vc.json
$E ip -j -4 addr show > addr.json
$E ip -j -4 route show table all > route-named.json
$E ip -d -N -j -4 route show table all > route-numeric.json
$E ip -j -4 rule show > rule-named.json
$E ip -d -N -j -4 rule show > rule-numeric.json
$E ip -o monitor link > monitor-link.txt &
MP=$!
sleep 1
$E ip link set vd up
$E ip link set vd down
$E ip link add name ve type veth peer name vf
$E ip link del ve
sleep 1
