#!/usr/bin/env bash
# Two "hosts" on one machine: network namespaces a2m-h1 and a2m-h2 joined by a veth pair (10.77.0.1, 10.77.0.2),
# and `mpirun` launching one rank of `a2m train` in each (docs/training.md, "Several machines"). Needs root
# (ip netns), Open MPI and an a2m built with it.
#
# Open MPI starts the remote daemon through ssh by default; here its launch agent (plm_rsh_agent) is a small
# script that runs the command in the other namespace with `ip netns exec` instead. The ranks still talk over
# TCP between the two namespaces (btl tcp on the veth interfaces), as between two machines.
#
#   docs/scripts/two_host_netns.sh A2M_BINARY DATA_DIR CONFIG OUT_DIR [STEPS]
set -euo pipefail
A2M=$(realpath "$1"); DATA=$(realpath "$2"); CONFIG=$(realpath "$3"); OUT=$4; STEPS=${5:-20}
H1=a2m-h1 H2=a2m-h2
WORK=$(mktemp -d)
cleanup() {
    ip netns del $H1 2>/dev/null || true
    ip netns del $H2 2>/dev/null || true
    rm -rf /etc/netns/$H1 /etc/netns/$H2 "$WORK"
}
trap cleanup EXIT
cleanup; WORK=$(mktemp -d)

ip netns add $H1
ip netns add $H2
ip link add a2m-veth1 type veth peer name a2m-veth2
ip link set a2m-veth1 netns $H1
ip link set a2m-veth2 netns $H2
ip -n $H1 addr add 10.77.0.1/24 dev a2m-veth1
ip -n $H2 addr add 10.77.0.2/24 dev a2m-veth2
for h in $H1 $H2; do ip -n $h link set lo up; done
ip -n $H1 link set a2m-veth1 up
ip -n $H2 link set a2m-veth2 up
# Host names as each namespace sees them (ip netns exec bind-mounts /etc/netns/NAME/hosts over /etc/hosts).
for h in $H1 $H2; do
    mkdir -p /etc/netns/$h
    printf '127.0.0.1 localhost\n10.77.0.1 %s\n10.77.0.2 %s\n' $H1 $H2 > /etc/netns/$h/hosts
done
ip -n $H1 -br addr show a2m-veth1 && ip -n $H2 -br addr show a2m-veth2

# The launch agent: Open MPI calls it as `AGENT HOST COMMAND...` where it would call ssh.
cat > "$WORK/netns-agent" <<'EOF'
#!/bin/sh
host=$1; shift
exec ip netns exec "$host" /bin/sh -c "$*"
EOF
chmod +x "$WORK/netns-agent"
printf '%s slots=1\n%s slots=1\n' $H1 $H2 > "$WORK/hosts"

export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1
ip netns exec $H1 mpirun -n 2 --hostfile "$WORK/hosts" --map-by node \
    --mca plm_rsh_agent "$WORK/netns-agent" \
    --mca btl tcp,self --mca btl_tcp_if_include 10.77.0.0/24 --mca oob_tcp_if_include 10.77.0.0/24 \
    --mca pml ob1 \
    /bin/sh -c 'echo "rank $OMPI_COMM_WORLD_RANK: pid $$, network namespace $(readlink /proc/self/ns/net), address $(ip -4 -o addr show scope global | awk "{print \$4}")" >&2; exec "$0" "$@"' \
    "$A2M" train --data "$DATA" --config "$CONFIG" --out "$OUT" --steps "$STEPS" --threads 1 --quiet
