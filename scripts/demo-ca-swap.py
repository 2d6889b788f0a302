#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Swap the TCP congestion control behind one struct_ops link (make demo).

bpftool registers struct_ops maps and shows links, but cannot update a link
to another map (BPF_LINK_UPDATE): this loader does, through libbpf (Debian's
libbpf.so.1, by ctypes), and leaves the showing to bpftool.

Usage: demo-ca-swap.py OBJ LINK_PIN
  OBJ: tcp_ca_update.bpf.o of the BPF selftests (two maps, ca_update_1 and
  ca_update_2, of one congestion control, "tcp_ca_update")
"""

import ctypes
import os
import socket
import subprocess
import sys

TCP_CONGESTION = 13
CC = b"tcp_ca_update"

libbpf = ctypes.CDLL("libbpf.so.1", use_errno=True)
for name, res, args in (
    ("bpf_object__open_file", ctypes.c_void_p, [ctypes.c_char_p, ctypes.c_void_p]),
    ("bpf_object__load", ctypes.c_int, [ctypes.c_void_p]),
    ("bpf_object__close", None, [ctypes.c_void_p]),
    ("bpf_object__find_map_by_name", ctypes.c_void_p, [ctypes.c_void_p, ctypes.c_char_p]),
    ("bpf_map__attach_struct_ops", ctypes.c_void_p, [ctypes.c_void_p]),
    ("bpf_link__update_map", ctypes.c_int, [ctypes.c_void_p, ctypes.c_void_p]),
    ("bpf_link__pin", ctypes.c_int, [ctypes.c_void_p, ctypes.c_char_p]),
    ("bpf_link__destroy", ctypes.c_int, [ctypes.c_void_p]),
):
    fn = getattr(libbpf, name)
    fn.restype, fn.argtypes = res, args


def check(ok, what):
    if not ok:
        err = ctypes.get_errno()
        sys.exit(f"demo-ca-swap: {what}: {os.strerror(err) if err else 'failed'}")


def show(*cmd):
    print("# " + " ".join(cmd), flush=True)
    subprocess.run(cmd, check=False)


def connect_with_cc():
    """One loopback TCP connection with CC: its init runs the map's program."""
    srv = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    srv.bind(("127.0.0.1", 0))
    srv.listen(1)
    cli = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    cli.setsockopt(socket.IPPROTO_TCP, TCP_CONGESTION, CC)
    cli.connect(srv.getsockname())
    acc, _ = srv.accept()
    cc = cli.getsockopt(socket.IPPROTO_TCP, TCP_CONGESTION, 16).rstrip(b"\0")
    print(f"connection from port {cli.getsockname()[1]} uses {cc.decode()}", flush=True)
    for s in (acc, cli, srv):
        s.close()


def main():
    if len(sys.argv) != 3:
        sys.exit(__doc__)
    path, pin = sys.argv[1].encode(), sys.argv[2].encode()
    obj = libbpf.bpf_object__open_file(path, None)
    check(obj, f"open {sys.argv[1]}")
    check(libbpf.bpf_object__load(obj) == 0, "load")
    maps = [libbpf.bpf_object__find_map_by_name(obj, n) for n in (b"ca_update_1", b"ca_update_2")]
    check(all(maps), "ca_update_1 and ca_update_2")

    print("--- attach ca_update_1 as tcp_ca_update through a struct_ops link", flush=True)
    link = libbpf.bpf_map__attach_struct_ops(maps[0])
    check(link, "attach ca_update_1")
    check(libbpf.bpf_link__pin(link, pin) == 0, f"pin the link at {sys.argv[2]}")
    show("bpftool", "link", "show", "pinned", sys.argv[2])
    connect_with_cc()

    print("--- update the link to ca_update_2 (BPF_LINK_UPDATE): one name, "
          "new connections get the new implementation", flush=True)
    check(libbpf.bpf_link__update_map(link, maps[1]) == 0, "update the link")
    show("bpftool", "link", "show", "pinned", sys.argv[2])
    connect_with_cc()
    print("--- each implementation's init ran once: ca1_cnt and ca2_cnt", flush=True)
    show("bpftool", "map", "dump", "name", "tcp_ca_u.bss")

    os.unlink(pin)
    libbpf.bpf_link__destroy(link)
    libbpf.bpf_object__close(obj)


if __name__ == "__main__":
    main()
