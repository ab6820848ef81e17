#!/bin/sh
# Runs the gateway in the foreground for a first look: the x86-industrial distribution with a fresh
# state dir under /tmp. Builds it first when it is not there. Ctrl-C stops it.
# Usage: tools/demo.sh [--shell]      (--shell adds the Gogo console: try 'lb' and 'scr:list')
set -eu
cd "$(dirname "$0")/.."
tools/install-deps.sh
dist=distribution/target/isthmus-x86-industrial
if [ ! -x "$dist/bin/isthmus" ]; then
    mvn -B -q install -DskipTests
fi
state=$(mktemp -d /tmp/isthmus-demo.XXXXXX)
echo "demo: state dir $state (generations in $state/config, bundle cache in $state/cache)"
echo "demo: default network document: $dist/etc/network.json"
exec "$dist/bin/isthmus" run --state "$state" "$@"
