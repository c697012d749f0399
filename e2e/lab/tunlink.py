#!/usr/bin/env python3
"""An impaired point-to-point link between two lab hosts (the kernel here has no netem).

Owns two TUN devices, moves one into each host's network namespace, and forwards IP packets
between them with a chosen one-way delay, jitter, random loss and rate. Prints one JSON line
when ready; runs until SIGTERM. Only packets between the two TUN addresses ever pass.

  tunlink.py --ns-a NS --ns-b NS --addr-a 10.88.0.1 --addr-b 10.88.0.2
             [--delay-ms 20] [--jitter-ms 0] [--loss 0.01] [--rate-mbit 0] [--seed 1]
"""
import argparse, fcntl, heapq, json, os, random, select, signal, struct, subprocess, sys, time

TUNSETIFF = 0x400454CA
IFF_TUN = 0x0001
IFF_NO_PI = 0x1000


def ip(*args):
    subprocess.run(["ip", *args], check=True)


def open_tun(name):
    fd = os.open("/dev/net/tun", os.O_RDWR | os.O_NONBLOCK)
    fcntl.ioctl(fd, TUNSETIFF, struct.pack("16sH", name.encode(), IFF_TUN | IFF_NO_PI))
    return fd


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--ns-a", required=True)
    parser.add_argument("--ns-b", required=True)
    parser.add_argument("--addr-a", required=True)
    parser.add_argument("--addr-b", required=True)
    parser.add_argument("--dev-a", default="ftuna")
    parser.add_argument("--dev-b", default="ftunb")
    parser.add_argument("--delay-ms", type=float, default=0.0)
    parser.add_argument("--jitter-ms", type=float, default=0.0)
    parser.add_argument("--loss", type=float, default=0.0)
    parser.add_argument("--rate-mbit", type=float, default=0.0)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    rng = random.Random(args.seed)

    # Unique names in the root namespace while created; the namespaces see them as named.
    tag = str(os.getpid())[-6:]
    names = {"a": f"ft{tag}a", "b": f"ft{tag}b"}
    fds = {"a": open_tun(names["a"]), "b": open_tun(names["b"])}
    for side, ns, addr, peer, dev in (
        ("a", args.ns_a, args.addr_a, args.addr_b, args.dev_a),
        ("b", args.ns_b, args.addr_b, args.addr_a, args.dev_b),
    ):
        ip("link", "set", names[side], "netns", ns)
        ip("-n", ns, "link", "set", names[side], "name", dev)
        ip("-n", ns, "addr", "add", addr, "peer", peer, "dev", dev)
        ip("-n", ns, "link", "set", dev, "up")

    stats = {"forwarded": 0, "dropped": 0}
    queue = []  # (due time, sequence, destination side, packet)
    sequence = 0
    # Per direction: when the "wire" is free again (rate limit), and the last due time (no reordering).
    busy_until = {"a": 0.0, "b": 0.0}
    last_due = {"a": 0.0, "b": 0.0}
    running = True

    def stop(*_):
        nonlocal running
        running = False

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    print(json.dumps({"event": "ready", "devA": args.dev_a, "devB": args.dev_b}), flush=True)

    while running:
        now = time.monotonic()
        timeout = max(0.0, queue[0][0] - now) if queue else 0.5
        try:
            readable, _, _ = select.select([fds["a"], fds["b"]], [], [], timeout)
        except InterruptedError:
            continue
        now = time.monotonic()
        for side in ("a", "b"):
            if fds[side] not in readable:
                continue
            other = "b" if side == "a" else "a"
            for _ in range(256):
                try:
                    packet = os.read(fds[side], 65535)
                except BlockingIOError:
                    break
                if args.loss and rng.random() < args.loss:
                    stats["dropped"] += 1
                    continue
                start = now
                if args.rate_mbit:
                    start = max(now, busy_until[other])
                    busy_until[other] = start + len(packet) * 8 / (args.rate_mbit * 1e6)
                jitter = rng.uniform(-args.jitter_ms, args.jitter_ms) if args.jitter_ms else 0.0
                due = max(start + max(0.0, args.delay_ms + jitter) / 1000, last_due[other])
                last_due[other] = due
                sequence += 1
                heapq.heappush(queue, (due, sequence, other, packet))
        while queue and queue[0][0] <= time.monotonic():
            _, _, side, packet = heapq.heappop(queue)
            try:
                os.write(fds[side], packet)
                stats["forwarded"] += 1
            except (BlockingIOError, OSError):
                stats["dropped"] += 1
    print(json.dumps({"event": "stopped", **stats}), flush=True)


if __name__ == "__main__":
    sys.exit(main())
