#!/usr/bin/env bash
# Two "machines" on this one, for running Open MPI across hosts over TCP: network namespaces attend-a and attend-b,
# each with its own hostname (a UTS namespace) and /etc/hosts, joined by a veth pair (interface attend0 on both sides,
# 10.77.0.1 and 10.77.0.2). mpirun runs in attend-a and starts its daemon in attend-b through rsh_agent.sh instead of
# ssh. Needs root (ip netns, unshare). Only ever uses the addresses of the namespaces it creates.
#
#   bench/mpi/two_hosts.sh run [mpirun options --] PROGRAM ARGS...   # set up, run one rank on each host, tear down
#   bench/mpi/two_hosts.sh up | down                                 # set up or tear down by hand
#
# Example: bench/mpi/two_hosts.sh run src/Attend.Cli/bin/Release/net10.0/Attend.Cli bench train --threads 1
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
A=attend-a B=attend-b
IP_A=10.77.0.1 IP_B=10.77.0.2

up() {
  down 2>/dev/null || true
  for ns in $A $B; do
    ip netns add $ns
    mkdir -p /etc/netns/$ns
    printf '127.0.0.1 localhost\n%s %s\n%s %s\n' $IP_A $A $IP_B $B > /etc/netns/$ns/hosts
  done
  ip link add attend-va type veth peer name attend-vb
  ip link set attend-va netns $A
  ip link set attend-vb netns $B
  ip -n $A link set attend-va name attend0
  ip -n $B link set attend-vb name attend0
  ip -n $A addr add $IP_A/24 dev attend0
  ip -n $B addr add $IP_B/24 dev attend0
  for ns in $A $B; do
    ip -n $ns link set lo up
    ip -n $ns link set attend0 up
  done
}

down() {
  local failed=0
  for ns in $A $B; do
    if ip netns list | grep -qw $ns; then ip netns del $ns || failed=1; fi   # deleting a namespace deletes its veth end
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
  up
  trap down EXIT
  local root=() ; [[ $(id -u) == 0 ]] && root=(--allow-run-as-root)
  ip netns exec $A unshare --uts bash -c 'hostname "$0"; exec "$@"' $A \
    mpirun "${root[@]}" -x TERM=dumb --host $A,$B -np 2 \
      --mca plm_rsh_agent "$here/rsh_agent.sh" \
      --mca pml ob1 --mca btl tcp,self --mca btl_tcp_if_include attend0 --mca oob_tcp_if_include attend0 \
      --mca odls_base_sigkill_timeout 0 \
      "${launcher[@]}" "$@"
}

case "${1:-}" in
  up) up ;;
  down) down ;;
  run) shift; run "$@" ;;
  *) sed -n '2,11p' "$0"; exit 2 ;;
esac
