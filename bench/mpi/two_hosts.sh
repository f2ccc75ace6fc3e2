#!/usr/bin/env bash
# Two "machines" on this one, for running Open MPI across hosts over TCP: two network namespaces with hostnames
# attend-a and attend-b (each its own UTS namespace and /etc/hosts), joined by a veth pair (interface attend0 on both
# sides, 10.77.0.1 and 10.77.0.2). mpirun runs on attend-a and starts its daemon on attend-b through rsh_agent.sh
# instead of ssh. Needs root (ip netns, unshare). Only ever uses the addresses of the namespaces it creates; the
# namespaces are named after this script's process id (attend-a-PID, attend-b-PID), so runs side by side do not meet.
#
#   bench/mpi/two_hosts.sh run [mpirun options --] PROGRAM ARGS...   # set up, run one rank on each host, tear down
#   bench/mpi/two_hosts.sh up | down                                 # set up or tear down by hand
#
# Example: bench/mpi/two_hosts.sh run src/Attend.Cli/bin/Release/net10.0/Attend.Cli bench train --threads 1
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
export ATTEND_NETNS_ID=${ATTEND_NETNS_ID:-$$}
A=attend-a B=attend-b                      # the hostnames; the namespaces are $A-$ATTEND_NETNS_ID and $B-$ATTEND_NETNS_ID
IP_A=10.77.0.1 IP_B=10.77.0.2
VA=atva$ATTEND_NETNS_ID VB=atvb$ATTEND_NETNS_ID

up() {
  down 2>/dev/null || true
  for host in $A $B; do
    ip netns add $host-$ATTEND_NETNS_ID
    mkdir -p /etc/netns/$host-$ATTEND_NETNS_ID
    printf '127.0.0.1 localhost\n%s %s\n%s %s\n' $IP_A $A $IP_B $B > /etc/netns/$host-$ATTEND_NETNS_ID/hosts
  done
  ip link add $VA type veth peer name $VB
  ip link set $VA netns $A-$ATTEND_NETNS_ID
  ip link set $VB netns $B-$ATTEND_NETNS_ID
  ip -n $A-$ATTEND_NETNS_ID link set $VA name attend0
  ip -n $B-$ATTEND_NETNS_ID link set $VB name attend0
  ip -n $A-$ATTEND_NETNS_ID addr add $IP_A/24 dev attend0
  ip -n $B-$ATTEND_NETNS_ID addr add $IP_B/24 dev attend0
  for host in $A $B; do
    ip -n $host-$ATTEND_NETNS_ID link set lo up
    ip -n $host-$ATTEND_NETNS_ID link set attend0 up
  done
}

down() {
  local failed=0 ns
  for host in $A $B; do
    ns=$host-$ATTEND_NETNS_ID
    if [[ -e /run/netns/$ns ]]; then ip netns del $ns || failed=1; fi   # deleting a namespace deletes its veth end
    rm -rf /etc/netns/$ns
  done
  rmdir --ignore-fail-on-non-empty /etc/netns 2>/dev/null || true
  return $failed
}

run() {
  local launcher=()
  if [[ " $* " == *" -- "* ]]; then
    while [[ $1 != -- ]]; do launcher+=("$1"); shift; done
    shift
  fi
  trap down EXIT
  up
  local root=() ; [[ $(id -u) == 0 ]] && root=(--allow-run-as-root)
  ip netns exec $A-$ATTEND_NETNS_ID unshare --uts bash -c 'hostname "$0"; exec "$@"' $A \
    mpirun "${root[@]}" -x TERM=dumb --host $A,$B -np 2 \
      --mca plm_rsh_agent "$here/rsh_agent.sh" \
      --mca pml ob1 --mca btl tcp,self --mca btl_tcp_if_include attend0 --mca oob_tcp_if_include attend0 \
      --mca odls_base_sigkill_timeout 0 \
      "${launcher[@]}" "$@"
}

case "${1:-}" in
  up) up; echo "namespaces $A-$ATTEND_NETNS_ID and $B-$ATTEND_NETNS_ID; tear down with ATTEND_NETNS_ID=$ATTEND_NETNS_ID $0 down" ;;
  down) down ;;
  run) shift; run "$@" ;;
  *) sed -n '2,12p' "$0"; exit 2 ;;
esac
