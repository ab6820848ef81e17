#!/bin/sh
# Re-captures route-multipath-*.json: a multipath default route (two nexthops, weights 1 and 2) beside a
# single-path one, as the routing bundle writes them. Run as root; writes into the current directory.
set -eu
N=isl-capture-mp-$$
E="ip netns exec $N"
ip netns add "$N"
trap 'ip netns del "$N"' EXIT
$E ip link set lo up
$E ip link add name va type veth peer name vb
$E ip link add name vc type veth peer name vd
for d in va vb vc vd; do $E ip link set "$d" up; done
$E ip addr add 100.64.1.10/24 dev va
$E ip addr add 100.65.1.10/24 dev vc
$E ip route replace default table main proto 73 nexthop via 100.64.1.1 dev va weight 1 nexthop via 100.65.1.1 dev vc weight 2
$E ip route replace default via 100.65.1.1 dev vc table 1003 proto 73
$E ip -j -4 route show table all > route-multipath-named.json
$E ip -d -N -j -4 route show table all > route-multipath-numeric.json
