#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Guest side of 'make demo': the Rust providers at work, driven by the tools a
# user has (tc, bpftool, ping) where they can.
set -u
TOP=$1
ST=$TOP/kernel-tree/tools/testing/selftests/bpf
BPFTOOL=$ST/tools/sbin/bpftool
. "$TOP/scripts/guest-lib.sh"
guest_setup
export PATH=$ST/tools/sbin:$PATH

# Print a command, then run it.
show() {
	echo "# $*"
	eval "$@"
}

echo "--- booted $(uname -r) under $(grep -q hypervisor /proc/cpuinfo && echo a hypervisor)"
for ko in "$TOP"/rust/*/*.ko; do
	echo "--- insmod ${ko#$TOP/}"
	insmod "$ko" && dmesg | grep "$(basename "$ko" .ko)" | tail -n 1
done
echo "--- Rust provider counters before"
grep -r . /sys/kernel/debug/*_rust/ 2>/dev/null

echo
echo "=== sch_bpf: a qdisc whose policy is two BPF programs, set up with tc"
# IPv4 only: no IPv6 neighbour discovery in the queue.
sysctl -qw net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1
ip netns add demo_rx
ip link add veth0 type veth peer name veth1 netns demo_rx
ip addr add 10.9.0.1/24 dev veth0
ip -n demo_rx addr add 10.9.0.2/24 dev veth1
ip -n demo_rx link set veth1 up
ip neigh add 10.9.0.2 lladdr "$(ip -n demo_rx -br link show veth1 | awk '{print $3}')" dev veth0
cd "$ST"
show tc qdisc add dev veth0 root handle 1: bpf \
	enqueue obj sch_bpf_tc.bpf.o prog tc_enqueue dequeue obj sch_bpf_tc.bpf.o prog tc_dequeue
ip link set veth0 up
show tc qdisc show dev veth0
echo "--- hold dequeue back (the dequeue program reads the map 'hold'), then ping"
show bpftool map update name hold key 0 0 0 0 value 1 0 0 0
ping -c 3 -i 0.2 -W 10 10.9.0.2 >/tmp/demo-ping.txt 2>&1 &
sleep 2
echo "--- three echo requests wait in the qdisc's skb map"
show tc -s qdisc show dev veth0
show bpftool map dump name queue
echo "--- release them"
show bpftool map update name hold key 0 0 0 0 value 0 0 0 0
wait
cat /tmp/demo-ping.txt
show tc -s qdisc show dev veth0

echo
echo "=== sch_bpf classes: a u32 filter chooses the class, the programs pass packets to it"
show tc class add dev veth0 parent 1: classid 1:1 bpf
show tc class add dev veth0 parent 1: classid 1:2 bpf
show tc qdisc add dev veth0 parent 1:2 handle 12: pfifo limit 10
show tc filter add dev veth0 parent 1: protocol ip prio 1 u32 match ip protocol 1 0xff classid 1:2
show tc qdisc change dev veth0 root bpf \
	enqueue obj sch_bpf_tc.bpf.o prog tc_enqueue_classify \
	dequeue obj sch_bpf_tc.bpf.o prog tc_dequeue_classes
show bpftool map update name hold key 0 0 0 0 value 1 0 0 0
ping -c 3 -i 0.2 -W 10 10.9.0.2 >/tmp/demo-ping.txt 2>&1 &
sleep 2
echo "--- the echo requests (ICMP) wait in class 1:2's pfifo"
show tc -s class show dev veth0
show bpftool map update name hold key 0 0 0 0 value 0 0 0 0
wait
cat /tmp/demo-ping.txt
show tc -s class show dev veth0
show tc qdisc del dev veth0 root
ip link del veth0
ip netns del demo_rx
cd - >/dev/null

echo
echo "=== swap a TCP congestion control through one struct_ops link"
echo "(the Rust providers serve the link and tcp_update_congestion_control())"
python3 "$TOP/scripts/demo-ca-swap.py" "$ST/tcp_ca_update.bpf.o" /sys/fs/bpf/demo_ca_link
echo "--- Rust provider counters after"
grep -r . /sys/kernel/debug/*_rust/ 2>/dev/null
for ko in "$TOP"/rust/*/*.ko; do
	name=$(basename "$ko" .ko)
	for _ in $(seq 30); do rmmod "$name" 2>/dev/null && break; sleep 1; done
	grep -q "^$name " /proc/modules && echo "--- rmmod $name: still in use" ||
		echo "--- rmmod $name: ok"
done
