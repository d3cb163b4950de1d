#!/usr/bin/env python3
"""Hostile traffic against portal-server's HTTP gateway (docs/HTTP.md) over real sockets.

The HTTP twin of hostile_traffic.py: each attack runs while two well-behaved clients (separate
processes) call Health/Check every 20 ms, one over the binary protocol and one as a Connect
JSON call on its own kept-alive HTTP connection. For every attack the tool checks the
documented answer (status and close), how long the gateway took to end the connection, the
server's resident memory (before, peak, after) and both good clients' p99 and failures.

    python3 Tests/Reliability/hostile_http.py --server .build/debug/portal-server
    python3 Tests/Reliability/hostile_http.py --server ... --long   # default timeouts, 10x volumes

The quick run (the test command) shortens the gateway's timeouts to 2-3 s; --long keeps the
defaults (10 s head, 30 s body and write stall, 60 s idle) and multiplies the volumes.
"""
import argparse, http.client, os, resource, shutil, socket, subprocess, sys, tempfile, threading, time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
from portal_process import Server, rpc  # noqa: E402
from hostile_traffic import TLS_CLIENT_HELLO, Attack, GoodClient, run_attack  # noqa: E402

CHECK = "/grpc.health.v1.Health/Check"
# Our binary protocol's preface and an empty SETTINGS frame (docs/PROTOCOL.md).
PREFACE_SETTINGS = b"PRPC\r\n\x1a\x01" + bytes([0, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0])
REQUEST = b"POST " + CHECK.encode() + b" HTTP/1.1\r\nHost: portal\r\nContent-Type: application/json\r\nContent-Length: 2\r\n\r\n{}"


def http_good_client_main(host, port):
    """Child process: Health/Check as Connect JSON every 20 ms; prints 'time latency code'
    (code 0 for 200 SERVING, else the HTTP status, -1 for a broken connection)."""
    conn = None
    while True:
        t0 = time.time()
        try:
            conn = conn or http.client.HTTPConnection(host, int(port), timeout=10)
            conn.request("POST", CHECK, body=b"{}", headers={"Content-Type": "application/json"})
            r = conn.getresponse()
            body = r.read()
            code = 0 if r.status == 200 and b"SERVING" in body else r.status
        except (OSError, http.client.HTTPException):
            code, conn = -1, None
        t1 = time.time()
        sys.stdout.write("%.6f %.6f %d\n" % (t0, t1 - t0, code))
        sys.stdout.flush()
        time.sleep(max(0.0, 0.02 - (time.time() - t0)))


class HTTPGoodClient(GoodClient):
    def __init__(self, host, port):
        argv = [sys.executable, os.path.abspath(__file__), "--good-client", "%s:%d" % (host, port)]
        super().__init__(host, port, None, argv=argv)


class Conn:
    """A raw socket to the gateway: send bytes, read one response head, see when it closes."""
    def __init__(self, host, port, rcvbuf=None):
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        if rcvbuf:
            self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, rcvbuf)
        self.sock.settimeout(10)
        self.sock.connect((host, port))
        self.buf = b""

    def send(self, data):
        self.sock.sendall(data)

    def status(self, timeout=15.0):
        """The status code of the next response head (None if closed or timed out first)."""
        deadline = time.time() + timeout
        while b"\r\n\r\n" not in self.buf:
            self.sock.settimeout(max(0.01, deadline - time.time()))
            try:
                chunk = self.sock.recv(65536)
            except (socket.timeout, OSError):
                return None
            if not chunk:
                return None
            self.buf += chunk
        head, _, self.buf = self.buf.partition(b"\r\n\r\n")
        return int(head.split(b" ", 2)[1])

    def closed_within(self, timeout):
        """Seconds until the server closed (EOF or reset), reading and dropping data; None."""
        t0 = time.time()
        while time.time() - t0 < timeout:
            self.sock.settimeout(max(0.01, timeout - (time.time() - t0)))
            try:
                if not self.sock.recv(65536):
                    return time.time() - t0
            except socket.timeout:
                return None
            except OSError:
                return time.time() - t0
        return None

    def close(self):
        self.sock.close()


class Attacks:
    def __init__(self, args, host, port, timeouts, max_conns):
        self.host, self.port, self.t, self.max_conns = host, port, timeouts, max_conns
        self.scale = 10 if args.long else 1

    def conn(self, **kw):
        return Conn(self.host, self.port, **kw)

    def answered_and_closed(self, a, data, expected, within=5.0):
        c = self.conn()
        t0 = time.time()
        c.send(data)
        status = c.status()
        closed = c.closed_within(within)
        a.close_time = time.time() - t0 if closed is not None else None
        a.outcome = "answered %s, %s" % (status, "closed" if closed is not None else "STILL OPEN")
        a.ok = status == expected and closed is not None
        c.close()

    def many_dripping(self, a, prefix, drip, timeout, expected):
        """n connections send `prefix` whole, then `drip` one byte a second; all must be
        answered `expected` and closed once `timeout` has passed since their first byte."""
        n = 50 * self.scale
        conns = [self.conn() for _ in range(n)]
        t0 = time.time()
        for c in conns:
            c.send(prefix)
        answered, statuses = {}, set()
        i = 0
        while len(answered) < n and time.time() - t0 < timeout + 15:
            for k, c in enumerate(conns):
                if k in answered:
                    continue
                c.sock.setblocking(False)
                try:
                    if i < len(drip):
                        c.sock.send(drip[i:i + 1])
                    if c.sock.recv(1 << 16, socket.MSG_PEEK):
                        answered[k] = time.time() - t0
                except BlockingIOError:
                    pass
                except OSError:
                    answered[k] = time.time() - t0
                finally:
                    c.sock.setblocking(True)
            i += 1
            time.sleep(1.0 if len(answered) < n else 0)
        for k in answered:
            statuses.add(conns[k].status(2))
        a.close_time = max(answered.values()) if answered else None
        a.outcome = "%d conns dripping 1 B/s: %d answered %s" % (n, len(answered), sorted(statuses, key=str))
        a.ok = len(answered) == n and statuses == {expected} and a.close_time < timeout + 3
        for c in conns:
            c.close()

    def slow_head(self, a):
        self.many_dripping(a, b"POST " + CHECK.encode() + b" HTTP/1.1\r\n", b"Host: portal\r\n" * 100, self.t["head"], 408)

    def slow_body(self, a):
        head = b"POST " + CHECK.encode() + b" HTTP/1.1\r\nHost: portal\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n"
        self.many_dripping(a, head, b" " * 99, self.t["body"], 408)

    def silent(self, a):
        n = 100 * self.scale
        conns = [self.conn() for _ in range(n)]
        t0 = time.time()
        times = [c.closed_within(self.t["idle"] + 10 - (time.time() - t0)) for c in conns]
        done = [t for t in times if t is not None]
        a.close_time = time.time() - t0 if len(done) == n else None
        a.outcome = "%d silent conns: %d closed quietly" % (n, len(done))
        a.ok = len(done) == n and a.close_time < self.t["idle"] + 3
        for c in conns:
            c.close()

    def non_reader(self, a, requests=None):
        """Pipelines GETs of the dashboard stylesheet (12 KiB answers) and never reads one:
        up to 1 MiB of them (more than the gateway reads while an answer waits), or a fixed
        number it takes whole. Either way the write-stall timeout must reset the connection
        so the client sees the end; a plain close would queue its FIN behind answers the
        client never takes (and the kernel would hold them)."""
        c = self.conn(rcvbuf=4096)
        page = b"GET /static/portal.css HTTP/1.1\r\nHost: portal\r\n\r\n"
        limit = len(page) * requests if requests else (1 << 20) * self.scale
        c.sock.setblocking(False)
        sent, t0 = 0, time.time()
        stuck = None
        while time.time() - t0 < 10 * self.scale and sent < limit:
            try:
                sent += c.sock.send((page * 64)[:limit - sent])
                stuck = None
            except BlockingIOError:
                stuck = stuck or time.time()
                if time.time() - stuck > 0.5:
                    break
                time.sleep(0.005)
        t_stop = time.time()
        c.sock.setblocking(True)
        closed = None
        while time.time() - t_stop < self.t["stall"] + 15:
            # TCP_INFO's state, as reading would take bytes (and EOF or the reset only shows
            # once the answers queued before it are read).
            if c.sock.getsockopt(socket.IPPROTO_TCP, socket.TCP_INFO, 1)[0] != 1:  # ESTABLISHED
                closed = time.time() - t_stop
                break
            time.sleep(0.05)
        a.close_time = closed
        what = "%d pipelined GETs" % (sent // len(page)) if requests else "%d KiB of pipelined GETs" % (sent // 1024)
        a.outcome = "sent %s, read nothing; %s" % (what, "reset" if closed is not None else "STILL OPEN")
        # All answers may fit in the kernel's send buffer (300 do, on loopback): then nothing
        # waits in the gateway, and the idle timeout, then a stall of the kernel's queue, ends it.
        limit = self.t["stall"] + (self.t["idle"] + self.t["stall"] if requests else 0)
        a.ok = closed is not None and closed < limit + 5
        a.notes = "close time counted from the client's last byte"
        c.close()

    def flood(self, a):
        """Twice --http-max-connections at once: the excess is closed at accept."""
        n = 2 * self.max_conns
        conns, refused = [], 0
        t0 = time.time()
        for _ in range(n):
            conns.append(self.conn())
        for c in conns[self.max_conns:]:
            refused += c.closed_within(0.5) is not None
        ok_after = 0
        for c in conns[:10]:
            c.send(REQUEST)
            ok_after += c.status() == 200
        a.close_time = time.time() - t0
        a.outcome = "%d conns: %d closed at once; 10 of the first answered %d x 200" % (n, refused, ok_after)
        # The good HTTP client holds one of the slots, so one more than the excess is refused.
        a.ok = refused >= self.max_conns - 1 and ok_after == 10
        for c in conns:
            c.close()


def main():
    if len(sys.argv) == 3 and sys.argv[1] == "--good-client":
        host, _, port = sys.argv[2].rpartition(":")
        return http_good_client_main(host, port)
    ap = argparse.ArgumentParser()
    ap.add_argument("--server", required=True)
    ap.add_argument("--long", action="store_true", help="default timeouts and 10x volumes")
    ap.add_argument("--p99-limit-ms", type=float, default=500.0)
    args = ap.parse_args()

    # The flood opens twice --http-max-connections sockets (2048 with --long).
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (max(soft, min(hard, 8192)), hard))
    t = {"head": 10.0, "body": 30.0, "idle": 60.0, "stall": 30.0} if args.long else \
        {"head": 2.0, "body": 2.0, "idle": 3.0, "stall": 2.0}
    max_conns = 1024 if args.long else 200
    extra = ["--http-port", "0", "--http-max-connections", str(max_conns)]
    for k, v in t.items():
        extra += ["--http-%s-timeout" % ("write-stall" if k == "stall" else k), str(v)]
    pb_dir = tempfile.mkdtemp(prefix="portal_pb_hostile_http_")
    rpc.load_protos(pb_dir)
    data = tempfile.mkdtemp(prefix="portal-hostile-http-")
    server = Server(args.server, data, extra)
    goods, attacks, alive = [], [], False
    t_begin = time.time()
    try:
        pid = server.proc.pid
        goods = [GoodClient(server.host, server.port, pb_dir), HTTPGoodClient(server.host, server.http_port)]
        h = Attacks(args, server.host, server.http_port, t, max_conns)
        plan = [
            ("binary preface + SETTINGS to HTTP port", "400 at once, close", lambda a: h.answered_and_closed(a, PREFACE_SETTINGS, 400)),
            ("TLS ClientHello", "400, close", lambda a: h.answered_and_closed(a, TLS_CLIENT_HELLO, 400)),
            ("head over 16 KiB", "431, close", lambda a: h.answered_and_closed(
                a, b"GET / HTTP/1.1\r\nHost: p\r\nX-Pad: " + b"a" * 17000 + b"\r\n\r\n", 431)),
            ("101 header fields", "431, close", lambda a: h.answered_and_closed(
                a, b"GET / HTTP/1.1\r\nHost: p\r\n" + b"X-A: 1\r\n" * 101 + b"\r\n", 431)),
            ("Content-Length 4 MiB + 1", "413 before any body, close", lambda a: h.answered_and_closed(
                a, REQUEST.replace(b"Content-Length: 2", b"Content-Length: %d" % (4 * 1048576 + 1))[:-2], 413)),
            ("Content-Length 2^63", "400 (no length so long), close", lambda a: h.answered_and_closed(
                a, REQUEST.replace(b"Content-Length: 2", b"Content-Length: %d" % 2 ** 63)[:-2], 400)),
            ("Content-Length with Transfer-Encoding", "501, close", lambda a: h.answered_and_closed(
                a, REQUEST.replace(b"\r\n\r\n", b"\r\nTransfer-Encoding: chunked\r\n\r\n"), 501)),
            ("two Content-Lengths", "400, close", lambda a: h.answered_and_closed(
                a, REQUEST.replace(b"\r\n\r\n", b"\r\nContent-Length: 3\r\n\r\n"), 400)),
            ("slowloris head (1 byte/s)", "408 at head timeout, close", h.slow_head),
            ("slow body (1 byte/s)", "408 at body timeout, close", h.slow_body),
            ("silent connections", "closed at idle timeout", h.silent),
            ("pipelines 1 MiB, never reads", "reading paused, reset at write-stall timeout", h.non_reader),
            ("pipelines 300 GETs, never reads", "all read and answered; reset at idle + stall", lambda a: h.non_reader(a, 300)),
            ("connection flood (2x max)", "excess closed at accept, rest served", h.flood),
        ]
        for name, expected, run in plan:
            a = Attack(name, expected)
            run_attack(a, run, pid, goods)
            attacks.append(a)
            if server.proc.poll() is not None:
                a.ok, a.outcome = False, a.outcome + "; SERVER EXITED"
                break
        alive = server.proc.poll() is None
    finally:
        for g in goods:
            g.stop()
        server.stop()
        shutil.rmtree(data, ignore_errors=True)
        shutil.rmtree(pb_dir, ignore_errors=True)

    failed = 0
    print("%-38s %-6s %9s %9s %9s %9s %26s  %s" % ("attack", "result", "closed in", "RSS KiB", "peak +", "after +",
                                                 "good p99 binary/http", "outcome"))
    for a in attacks:
        latency_ok = all(f == 0 and n > 0 and p * 1000 <= args.p99_limit_ms for p, f, n in a.goods)
        ok = a.ok and latency_ok
        failed += not ok
        rss0, peak, rss1 = a.rss
        good = " / ".join("%.1f ms (%d)" % (p * 1000, f) for p, f, _ in a.goods)
        print("%-38s %-6s %9s %9d %9d %9d %26s  %s" % (
            a.name[:38], "ok" if ok else "FAIL", "%.2f s" % a.close_time if a.close_time is not None else "-",
            rss0, peak - rss0, rss1 - rss0, good, a.outcome))
    print("hostile HTTP traffic (%s): %d attacks, %d failed, %.0f s; server %s" % (
        "long" if args.long else "quick", len(attacks), failed, time.time() - t_begin, "stayed up" if alive else "DIED"))
    return 1 if failed or not alive else 0


if __name__ == "__main__":
    sys.exit(main())
