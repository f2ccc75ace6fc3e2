#!/usr/bin/env bash
# Open MPI's launcher calls this instead of ssh, as `rsh_agent.sh [ssh options] HOST COMMAND...`: run COMMAND on HOST,
# one of the network namespaces that two_hosts.sh created (HOST-$ATTEND_NETNS_ID), with that host's name (its own UTS
# namespace).
set -euo pipefail
while [[ $1 == -* ]]; do shift; done
host=$1
shift
exec ip netns exec "$host-$ATTEND_NETNS_ID" unshare --uts bash -c 'hostname "$0"; exec bash -c "$1"' "$host" "$*"
