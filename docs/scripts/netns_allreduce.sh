#!/usr/bin/env bash
# K "hosts" on one machine: network namespaces a2m-n1 ... a2m-nK, each with one veth link to a bridge (a switch),
# optionally held to RATE in both directions by a token-bucket filter (`tc qdisc ... tbf`), as a NIC of that speed
# would be; then `mpirun` starts one rank of `a2m bench allreduce` in each and times the allreduce of a training
# gradient over TCP between them (docs/benchmarks.md, "Data-parallel training"). Needs root (ip netns, tc), Open MPI
# and an a2m built with it. The launch agent is the one of two_host_netns.sh: `ip netns exec` in place of ssh.
#
#   docs/scripts/netns_allreduce.sh A2M_BINARY K RATE -- BENCH_ARGS...
#   docs/scripts/netns_allreduce.sh .build/release/a2m 4 1gbit -- --config Configs/base.json --pose 454
#
# With A2M_COMMAND set, the ranks run that subcommand instead of `bench allreduce`, e.g. a data-parallel training
# run across the hosts (docs/benchmarks.md, "Overlapping the allreduce with backward"):
#
#   A2M_COMMAND=train docs/scripts/netns_allreduce.sh .build/release/a2m 2 1gbit -- --data corpus --config c.json --out run
#
# RATE is tc's syntax (1gbit, 10gbit) or "none" for the veth's own speed (memory copies, several GB/s).
set -euo pipefail
A2M=$(realpath "$1"); K=$2; RATE=$3; shift 3
[ "${1:-}" = "--" ] && shift
[ "$K" -ge 2 ] || { echo "K must be at least 2" >&2; exit 64; }
BR=a2m-br0
WORK=$(mktemp -d)
cleanup() {
    for i in $(seq 1 "$K"); do
        ip netns del a2m-n$i 2>/dev/null || true
        ip link del a2m-b$i 2>/dev/null || true
        rm -rf /etc/netns/a2m-n$i
    done
    ip link del $BR 2>/dev/null || true
    rm -rf "$WORK"
}
trap cleanup EXIT
cleanup; WORK=$(mktemp -d)

ip link add $BR type bridge
ip link set $BR up
hosts=""
for i in $(seq 1 "$K"); do
    ip netns add a2m-n$i
    ip link add a2m-b$i type veth peer name a2m-e$i
    ip link set a2m-e$i netns a2m-n$i
    ip link set a2m-b$i master $BR
    ip link set a2m-b$i up
    ip -n a2m-n$i addr add 10.78.0.$i/24 dev a2m-e$i
    ip -n a2m-n$i link set lo up
    ip -n a2m-n$i link set a2m-e$i up
    hosts="${hosts}10.78.0.$i a2m-n$i\n"
    if [ "$RATE" != none ]; then
        # Egress of both ends: what the host sends, and what the switch port sends to it.
        ip netns exec a2m-n$i tc qdisc add dev a2m-e$i root tbf rate "$RATE" burst 1mb latency 50ms
        tc qdisc add dev a2m-b$i root tbf rate "$RATE" burst 1mb latency 50ms
    fi
done
for i in $(seq 1 "$K"); do
    mkdir -p /etc/netns/a2m-n$i
    printf "127.0.0.1 localhost\n$hosts" > /etc/netns/a2m-n$i/hosts
    echo "a2m-n$i slots=1" >> "$WORK/hosts"
done

cat > "$WORK/netns-agent" <<'EOF'
#!/bin/sh
host=$1; shift
exec ip netns exec "$host" /bin/sh -c "$*"
EOF
chmod +x "$WORK/netns-agent"

export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1
echo "$K hosts on a bridge, link rate $RATE"
ip netns exec a2m-n1 mpirun -n "$K" --hostfile "$WORK/hosts" --map-by node \
    --mca plm_rsh_agent "$WORK/netns-agent" \
    --mca btl tcp,self --mca btl_tcp_if_include 10.78.0.0/24 --mca oob_tcp_if_include 10.78.0.0/24 \
    --mca pml ob1 \
    "$A2M" ${A2M_COMMAND:-bench allreduce} "$@"
