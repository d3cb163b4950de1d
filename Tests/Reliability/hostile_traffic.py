#!/usr/bin/env python3
"""Hostile traffic against a real portal-server over real sockets.

Each attack runs while a well-behaved client (a separate process, so this one's GIL cannot
delay it) calls Health/Check on its own connection every 20 ms. For every attack the tool
checks the documented outcome (STATUS, GOAWAY or close), how long the server took to end the
connection, the server's resident memory (VmRSS from /proc: before, peak while attacking,
and after), and the good client's p99 latency and failures during the attack. It prints a
table and exits non-zero if any expectation failed.

    python3 Tests/Reliability/hostile_traffic.py --server .build/debug/portal-server
    python3 Tests/Reliability/hostile_traffic.py --server ... --long   # default timeouts, 10x volumes

The quick run (the test command) starts the server with --partial-frame-timeout 2 and
--write-stall-timeout 2 so the slow attacks end in seconds; --long keeps the 30 s defaults
and multiplies the volumes (see docs/RELIABILITY.md for both runs' figures).
"""
import argparse, os, random, resource, shutil, socket, struct, subprocess, sys, tempfile, threading, time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
from portal_process import Server, rpc  # noqa: E402

SETTINGS, CALL, MESSAGE, STATUS, CANCEL, WINDOW_UPDATE, PING, GOAWAY = range(1, 9)
END_STREAM, ACK = 0x01, 0x02
CHECK = "/grpc.health.v1.Health/Check"
OK, INVALID_ARGUMENT, RESOURCE_EXHAUSTED, UNIMPLEMENTED, UNAVAILABLE = 0, 3, 8, 12, 14


def frame(ftype, stream, payload=b"", flags=0, length=None):
    n = len(payload) if length is None else length
    return struct.pack(">IIBBH", n, stream, ftype, flags, 0) + payload


# -- the server process ---------------------------------------------------------------------

def rss_kib(pid):
    with open("/proc/%d/status" % pid) as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    return 0


def cpu_seconds(pid):
    with open("/proc/%d/stat" % pid) as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def open_fds(pid):
    return len(os.listdir("/proc/%d/fd" % pid))


class RSSSampler:
    """Samples the server's VmRSS every 20 ms while an attack runs; keeps the peak."""
    def __init__(self, pid):
        self.pid, self.peak, self.stop = pid, rss_kib(pid), threading.Event()
        self.thread = threading.Thread(target=self._run, daemon=True)
        self.thread.start()

    def _run(self):
        while not self.stop.wait(0.02):
            try:
                self.peak = max(self.peak, rss_kib(self.pid))
            except OSError:
                return

    def finish(self):
        self.stop.set()
        self.thread.join()
        return self.peak


# -- the well-behaved client (own process) ------------------------------------------------

def good_client_main(host, port):
    """Child process: Health/Check every 20 ms on one connection; prints 'time latency code'."""
    mods = rpc.load_protos(os.environ.get("PORTAL_PB_DIR"))
    health = mods["grpc.health.v1"]
    def connect():
        c = rpc.Connection(host, int(port), pb=mods, wait_timeout=10)
        # The client writes CALL and MESSAGE separately; without NODELAY, Nagle and delayed
        # ACKs would add 40 ms to every call and hide the server's own latency.
        c.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        return c
    conn = connect()
    out = sys.stdout
    while True:
        t0 = time.time()
        try:
            conn.unary(CHECK, health.HealthCheckRequest(), health.HealthCheckResponse, timeout_ms=10000)
            code = 0
        except rpc.RpcError as e:
            code = e.code
        except Exception:
            code = -1
        t1 = time.time()
        out.write("%.6f %.6f %d\n" % (t0, t1 - t0, code))
        out.flush()
        if code == -1 or conn.closed.is_set():
            try:
                conn = connect()
            except Exception:
                time.sleep(0.05)
        time.sleep(max(0.0, 0.02 - (time.time() - t0)))


class GoodClient:
    """Runs a good client process (this file's, or `argv`'s) and collects its samples."""
    def __init__(self, host, port, pb_dir, argv=None):
        env = dict(os.environ, PORTAL_PB_DIR=pb_dir or "")
        argv = argv or [sys.executable, os.path.abspath(__file__), "--good-client", "%s:%d" % (host, port)]
        self.proc = subprocess.Popen(argv, stdout=subprocess.PIPE, text=True, env=env)
        self.samples, self.lock = [], threading.Lock()
        threading.Thread(target=self._read, daemon=True).start()
        deadline = time.time() + 20
        while not self.window(0) and time.time() < deadline:
            time.sleep(0.05)

    def _read(self):
        for line in self.proc.stdout:
            t, lat, code = line.split()
            with self.lock:
                self.samples.append((float(t), float(lat), int(code)))

    def window(self, since, until=None):
        until = until or time.time() + 1e9
        with self.lock:
            return [s for s in self.samples if since <= s[0] <= until]

    def stats(self, since, until):
        """(p99 latency in s of the calls that succeeded, failed calls, calls) in a window."""
        samples = self.window(since, until)
        return p99([s[1] for s in samples if s[2] == 0]), sum(1 for s in samples if s[2] != 0), len(samples)

    def stop(self):
        self.proc.kill()
        self.proc.wait()


def p99(values):
    if not values:
        return float("nan")
    v = sorted(values)
    return v[min(len(v) - 1, int(round(0.99 * (len(v) - 1))))]


def run_attack(a, run, pid, goods):
    """Runs one attack: `a.rss` gets the server's VmRSS before, at its peak and after, and
    `a.goods` each good client's `stats` while it ran. A tool error fails the attack."""
    rss0, sampler, t0 = rss_kib(pid), RSSSampler(pid), time.time()
    try:
        run(a)
    except Exception as e:  # an attack that breaks the tool is a failure, with its reason
        a.outcome, a.ok = "tool error: %r" % (e,), False
    t1 = time.time()
    time.sleep(0.3)
    a.rss = (rss0, sampler.finish(), rss_kib(pid))
    a.goods = [g.stats(t0, t1 + 0.3) for g in goods]


# -- raw connections ------------------------------------------------------------------------

class Raw:
    """A raw TCP connection for feeding the server exactly what an attack needs."""
    def __init__(self, host, port, pb, rcvbuf=None, timeout=10):
        self.pb = pb
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        if rcvbuf:
            self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, rcvbuf)
        self.sock.settimeout(timeout)
        self.sock.connect((host, port))
        self.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self.buf = b""
        self.eof = False

    def send(self, data):
        self.sock.sendall(data)

    def handshake(self, settings=b""):
        self.send(rpc.PREFACE + frame(SETTINGS, 0, settings))
        f = self.read_frame()
        if not f or f[0] != SETTINGS:
            raise RuntimeError("no SETTINGS from the server: %r" % (f,))

    def read_frame(self, timeout=10.0):
        """(type, stream, flags, payload), or None on EOF/reset/timeout."""
        deadline = time.time() + timeout
        while True:
            if len(self.buf) >= 12:
                length, sid, ftype, flags, _ = struct.unpack(">IIBBH", self.buf[:12])
                if len(self.buf) >= 12 + length:
                    payload, self.buf = self.buf[12:12 + length], self.buf[12 + length:]
                    return ftype, sid, flags, payload
            left = deadline - time.time()
            if left <= 0:
                return None
            self.sock.settimeout(left)
            try:
                chunk = self.sock.recv(1 << 16)
            except socket.timeout:
                return None
            except OSError:
                self.eof = True
                return None
            if not chunk:
                self.eof = True
                return None
            self.buf += chunk

    def read_until(self, match, timeout=10.0):
        deadline = time.time() + timeout
        while True:
            f = self.read_frame(max(0.0, deadline - time.time()))
            if f is None or match(f):
                return f

    def goaway(self, timeout=10.0):
        f = self.read_until(lambda f: f[0] == GOAWAY, timeout)
        return self.pb.GoAway.FromString(f[3]) if f else None

    def status(self, stream, timeout=10.0):
        f = self.read_until(lambda f: f[0] == STATUS and f[1] == stream, timeout)
        return self.pb.Status.FromString(f[3]) if f else None

    def closed_within(self, timeout):
        """Reads and discards until EOF; True if the server closed within `timeout`."""
        deadline = time.time() + timeout
        while time.time() < deadline:
            if self.read_frame(max(0.0, deadline - time.time())) is None and self.eof:
                return True
        return False

    def tcp_state(self):
        return self.sock.getsockopt(socket.IPPROTO_TCP, socket.TCP_INFO, 1)[0]

    def close(self):
        try:
            self.sock.close()
        except OSError:
            pass


TCP_ESTABLISHED = 1

TLS_CLIENT_HELLO = bytes.fromhex(
    "16030100c4010000c00303" + "5a" * 32 + "20" + "11" * 32 +
    "0020c02bc02fc02cc030cca9cca8c013c014009c009d002f0035c012000a130113021303"
    "0100005500000010000e00000b6578616d706c652e636f6d000b000403000102000a000a0008001d001700180019"
    "000d0018001604030503060308040805080604010501060102030201002b0003020304")


# -- attacks --------------------------------------------------------------------------------

class Attack:
    def __init__(self, name, expected):
        self.name, self.expected = name, expected
        self.outcome, self.close_time, self.ok, self.notes = "", None, False, ""


class Hostile:
    def __init__(self, args, server, pb, health):
        self.args, self.server, self.pb, self.health = args, server, pb, health
        self.host, self.port = server.host, server.port
        self.scale = 10 if args.long else 1

    def raw(self, **kw):
        return Raw(self.host, self.port, self.pb["portal.rpc.v1"], **kw)

    def call_bytes(self, stream, method=CHECK, request=b"", metadata=None, end=True):
        c = self.pb["portal.rpc.v1"].Call(method=method)
        for k, v in (metadata or []):
            c.metadata.add(key=k, value=v)
        return frame(CALL, stream, c.SerializeToString()) + frame(MESSAGE, stream, request, END_STREAM if end else 0)

    # Each attack fills in `a` and returns nothing; exceptions count as failures.

    def garbage_preface(self, a, data):
        r = self.raw()
        t0 = time.time()
        r.send(data)
        g = r.goaway(5)
        closed = r.closed_within(5)
        a.close_time = time.time() - t0
        a.outcome = "GOAWAY %s %r, closed" % (g.code, g.message) if g else "no GOAWAY"
        a.ok = bool(g) and g.code == INVALID_ARGUMENT and closed

    def zero_length_call(self, a):
        r = self.raw()
        r.handshake()
        r.send(frame(CALL, 1, b""))            # a CALL with an empty payload: method ""
        s = r.status(1, 5)
        r.send(frame(PING, 0, b"12345678"))    # and the connection still answers
        pong = r.read_until(lambda f: f[0] == PING and f[2] & ACK, 5)
        a.outcome = "STATUS %s %r; connection lives" % (s.code, s.message) if s else "no STATUS"
        a.ok = bool(s) and s.code == UNIMPLEMENTED and pong is not None
        r.close()

    def zero_length_ping(self, a):
        r = self.raw()
        r.handshake()
        t0 = time.time()
        r.send(frame(PING, 0, b""))
        g = r.goaway(5)
        closed = r.closed_within(5)
        a.close_time = time.time() - t0
        a.outcome = "GOAWAY %s %r, closed" % (g.code, g.message) if g else "no GOAWAY"
        a.ok = bool(g) and g.code == INVALID_ARGUMENT and closed

    def max_length_control(self, a):
        r = self.raw()
        r.handshake()
        t0 = time.time()
        r.send(frame(CALL, 1, b"", length=0xFFFFFFFF))
        g = r.goaway(5)
        closed = r.closed_within(5)
        a.close_time = time.time() - t0
        a.outcome = "GOAWAY %s %r, closed" % (g.code, g.message) if g else "no GOAWAY"
        a.ok = bool(g) and g.code == RESOURCE_EXHAUSTED and closed

    def max_length_message(self, a):
        r = self.raw()
        r.handshake()
        t0 = time.time()
        c = self.pb["portal.rpc.v1"].Call(method=CHECK).SerializeToString()
        r.send(frame(CALL, 1, c) + frame(MESSAGE, 1, b"\x00" * 100, length=0xFFFFFFFF))
        s = r.status(1, 5)
        g = r.goaway(self.partial_timeout + 10)
        closed = r.closed_within(5)
        a.close_time = time.time() - t0
        a.outcome = ("STATUS %s; then GOAWAY %s %r" % (s.code, g.code, g.message)) if s and g else "status %r goaway %r" % (s, g)
        a.ok = bool(s) and s.code == RESOURCE_EXHAUSTED and bool(g) and g.code == UNAVAILABLE and closed \
            and a.close_time < self.partial_timeout + 5

    def split_at_every_byte(self, a):
        r = self.raw()
        r.handshake()
        one = self.call_bytes(1)
        ok = 0
        for k in range(1, len(one)):
            sid = 2 * k - 1
            data = self.call_bytes(sid)
            r.send(data[:k])
            time.sleep(0.002)
            r.send(data[k:])
            s = r.status(sid, 5)
            ok += bool(s) and s.code == OK
        # and one whole call dripped a byte at a time
        sid = 2 * len(one) + 1
        for b in self.call_bytes(sid):
            r.send(bytes([b]))
            time.sleep(0.003)
        s = r.status(sid, 5)
        ok += bool(s) and s.code == OK
        a.outcome = "%d/%d calls OK (split at bytes 1..%d, and one dripped bytewise)" % (ok, len(one), len(one) - 1)
        a.ok = ok == len(one)
        r.close()

    def streams_never_finished(self, a):
        conns, per = 4 * self.scale, 1100
        refused, lives = 0, 0
        raws = []
        for _ in range(conns):
            r = self.raw()
            r.handshake()
            c = self.pb["portal.rpc.v1"].Call(method=CHECK).SerializeToString()
            r.send(b"".join(frame(CALL, 2 * i + 1, c) for i in range(per)))  # CALLs, no request ever
            raws.append(r)
        for r in raws:
            mine, deadline = 0, time.time() + 10
            while mine < per - 1024 and time.time() < deadline:
                f = r.read_frame(max(0.0, deadline - time.time()))
                if f is None:
                    break
                if f[0] == STATUS and self.pb["portal.rpc.v1"].Status.FromString(f[3]).code == RESOURCE_EXHAUSTED:
                    mine += 1
            refused += mine
        for r in raws:   # every connection still answers a PING with its streams held
            r.send(frame(PING, 0, b"abcdefgh"))
            lives += r.read_until(lambda f: f[0] == PING and f[2] & ACK, 5) is not None
        a.outcome = "%d streams opened on %d conns; %d held, %d refused RESOURCE_EXHAUSTED; %d/%d conns live" % (
            conns * per, conns, conns * per - refused, refused, lives, conns)
        a.ok = refused == conns * (per - 1024) and lives == conns
        a.notes = "held until the client leaves (idle/keepalive timers)"
        for r in raws:
            r.close()

    def max_metadata(self):
        """As many 1-byte metadata entries as fit under the 16 KiB CALL limit."""
        wire = self.pb["portal.rpc.v1"]
        entries = []
        while len(wire.Call(method=CHECK, metadata=[wire.MetadataEntry(key=k, value=v) for k, v in entries]
                            ).SerializeToString()) < 16384 - 16:
            entries.append(("x-f%d" % len(entries), "v"))
        size = len(wire.Call(method=CHECK, metadata=[wire.MetadataEntry(key=k, value=v) for k, v in entries]
                             ).SerializeToString())
        return entries, size

    def metadata_flood(self, a):
        """Calls with the most metadata allowed, and calls over the limit, as fast as answered."""
        conns, batches = 2, 6 * self.scale
        entries, size = self.max_metadata()
        big = [("x-big", "v" * 20000)]
        per_batch = 40   # 20 within the limit + 20 over it, in flight at once
        counts = {"ok": 0, "refused": 0, "other": 0}
        lock = threading.Lock()

        def run(r):
            sid = 1
            for _ in range(batches):
                out, mine = [], set()
                for i in range(per_batch):
                    out.append(self.call_bytes(sid, metadata=entries if i % 2 == 0 else big))
                    mine.add(sid)
                    sid += 2
                r.send(b"".join(out))
                while mine:
                    f = r.read_until(lambda f: f[0] == STATUS and f[1] in mine, 20)
                    if f is None:
                        return
                    mine.discard(f[1])
                    code = self.pb["portal.rpc.v1"].Status.FromString(f[3]).code
                    with lock:
                        key = "ok" if code == OK and f[1] % 4 == 1 else "refused" if code == RESOURCE_EXHAUSTED and f[1] % 4 == 3 else "other"
                        counts[key] += 1

        raws = [self.raw() for _ in range(conns)]
        for r in raws:
            r.handshake()
        threads = [threading.Thread(target=run, args=(r,)) for r in raws]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        half = conns * batches * per_batch // 2
        a.outcome = "%d CALLs of %d B (%d metadata entries): %d OK; %d CALLs over 16 KiB: %d RESOURCE_EXHAUSTED; %d other" % (
            half, size, len(entries), counts["ok"], half, counts["refused"], counts["other"])
        a.ok = counts["ok"] == half and counts["refused"] == half and counts["other"] == 0
        for r in raws:
            r.close()

    def metadata_held(self, a):
        """CALLs with maximal metadata that never send their request: held metadata is capped
        per connection (1 MiB), so 1100 such streams do not pin 1100 x 16 KiB (x2-3 decoded)."""
        conns, per = 2 * self.scale, 1100
        entries, size = self.max_metadata()
        wire = self.pb["portal.rpc.v1"]
        c = wire.Call(method=CHECK, metadata=[wire.MetadataEntry(key=k, value=v) for k, v in entries]).SerializeToString()
        held = refused = lives = 0
        raws = []
        for _ in range(conns):
            r = self.raw()
            r.handshake()
            threading.Thread(target=r.send, args=(b"".join(frame(CALL, 2 * i + 1, c) for i in range(per)),),
                             daemon=True).start()
            raws.append(r)
        for r in raws:
            mine, deadline = 0, time.time() + 20
            while mine < per and time.time() < deadline:
                f = r.read_frame(max(0.0, deadline - time.time()))
                if f is None:
                    break
                if f[0] == STATUS and self.pb["portal.rpc.v1"].Status.FromString(f[3]).code == RESOURCE_EXHAUSTED:
                    mine += 1
                    if mine == per - (1 << 20) // size:
                        break
            refused += mine
        for r in raws:
            r.send(frame(PING, 0, b"abcdefgh"))
            lives += r.read_until(lambda f: f[0] == PING and f[2] & ACK, 5) is not None
        held = conns * per - refused
        a.outcome = "%d CALLs of %d B, no request, on %d conns: %d held (%d/conn), %d refused RESOURCE_EXHAUSTED; %d/%d conns live" % (
            conns * per, size, conns, held, held // conns, refused, lives, conns)
        a.ok = held // conns == (1 << 20) // size and lives == conns
        for r in raws:
            r.close()

    def parked_requests(self, a):
        """Unary calls whose 4 MiB request is sent without END_STREAM: each keeps its connection
        credit until the half-close, so a connection parks at most its 16 MiB window."""
        conns = 2 * self.scale
        c = self.pb["portal.rpc.v1"].Call(method=CHECK).SerializeToString()
        body = b"\x0a" + b"\xf0\xff\xff\x01" + b"x" * (4 * 1024 * 1024 - 64)
        goaways = 0
        t0 = time.time()
        raws = []
        for _ in range(conns):
            r = self.raw()
            r.handshake()
            raws.append(r)

            def pump(r=r):
                try:
                    for i in range(64):   # 256 MiB offered per connection
                        r.send(frame(CALL, 2 * i + 1, c) + frame(MESSAGE, 2 * i + 1, body))
                except OSError:
                    pass
            threading.Thread(target=pump, daemon=True).start()
        for r in raws:
            g = r.goaway(30)
            goaways += bool(g) and g.code == RESOURCE_EXHAUSTED and "window" in g.message
        a.close_time = time.time() - t0
        a.outcome = "%d conns each offering 64 x 4 MiB parked requests: %d got GOAWAY 8 'connection flow-control window exceeded' after 16-20 MiB" % (
            conns, goaways)
        a.ok = goaways == conns
        for r in raws:
            r.close()

    def slow_reader(self, a):
        """Floods PINGs and never reads a byte of the answers."""
        r = self.raw(rcvbuf=4096)
        r.handshake()
        r.sock.setblocking(False)
        burst = frame(PING, 0, b"01234567") * 8192   # 160 KiB of PINGs per send
        sent, t0, stuck = 0, time.time(), None
        while time.time() - t0 < 20:
            try:
                n = r.sock.send(burst)
                sent += n
                stuck = None
                if n < len(burst):
                    break
            except BlockingIOError:
                stuck = stuck or time.time()
                if time.time() - stuck > 0.5:
                    break
                time.sleep(0.005)
        t_stop = time.time()
        closed_at = None
        while time.time() - t_stop < self.stall_timeout + 15:
            if r.tcp_state() != TCP_ESTABLISHED:
                closed_at = time.time()
                break
            time.sleep(0.02)
        a.close_time = (closed_at - t_stop) if closed_at else None
        a.outcome = "server took %.1f MiB of PINGs then stopped reading; %s" % (
            sent / 1048576, "closed (no byte read)" if closed_at else "still open")
        a.ok = closed_at is not None and sent < 48 * 1048576 and a.close_time < self.stall_timeout + 5
        a.notes = "close time counted from the client's last byte"
        r.close()

    def slowloris(self, a):
        """After the handshake, one byte of a CALL frame per interval on many connections."""
        n = 50 * self.scale
        interval = 1.0
        raws = []
        for _ in range(n):
            r = self.raw()
            r.handshake()
            raws.append(r)
        data = self.call_bytes(1)
        t0 = time.time()
        closed, goaways, i = {}, 0, 0
        while len(closed) < n and time.time() - t0 < self.partial_timeout + 15:
            for k, r in enumerate(raws):
                if k in closed:
                    continue
                try:
                    if i < len(data):
                        r.send(data[i:i + 1])
                    r.sock.setblocking(False)
                    try:
                        peek = r.sock.recv(1 << 16, socket.MSG_PEEK)
                        if peek is not None:
                            closed[k] = time.time() - t0
                    except BlockingIOError:
                        pass
                    finally:
                        r.sock.setblocking(True)
                except OSError:
                    closed[k] = time.time() - t0
            i += 1
            time.sleep(interval)
        for k in closed:
            g = raws[k].goaway(2)
            goaways += bool(g) and g.code == UNAVAILABLE and "incomplete" in g.message
        a.close_time = max(closed.values()) if closed else None
        a.outcome = "%d conns dripping 1 B/s: %d got GOAWAY 14 'frame stayed incomplete', closed" % (n, goaways)
        a.ok = goaways == n and a.close_time < self.partial_timeout + 3
        for r in raws:
            r.close()

class Silent:
    """Connections that never send a byte, opened first; a thread notes when each one gets its
    GOAWAY and is closed (the handshake timeout is 10 s), while the other attacks run."""
    def __init__(self, h, n):
        self.raws = [h.raw(timeout=30) for _ in range(n)]
        self.t0 = time.time()
        self.results = [None] * n   # (GOAWAY code, seconds until closed)
        self.thread = threading.Thread(target=self._watch, daemon=True)
        self.thread.start()

    def _watch(self):
        import selectors
        sel = selectors.DefaultSelector()
        for i, r in enumerate(self.raws):
            r.sock.setblocking(False)
            sel.register(r.sock, selectors.EVENT_READ, i)
        open_count, data = len(self.raws), [b""] * len(self.raws)
        deadline = self.t0 + 30
        while open_count and time.time() < deadline:
            for key, _ in sel.select(0.5):
                i = key.data
                try:
                    chunk = self.raws[i].sock.recv(1 << 16)
                except (BlockingIOError, InterruptedError):
                    continue
                except OSError:
                    chunk = b""
                if chunk:
                    data[i] += chunk
                    continue
                sel.unregister(self.raws[i].sock)
                open_count -= 1
                code = None
                if len(data[i]) >= 12 and data[i][8] == GOAWAY:
                    (length,) = struct.unpack(">I", data[i][:4])
                    code = self.raws[i].pb.GoAway.FromString(data[i][12:12 + length]).code
                self.results[i] = (code, time.time() - self.t0)

    def finish(self, a):
        self.thread.join()
        done = [r for r in self.results if r and r[0] == UNAVAILABLE]
        a.close_time = max(r[1] for r in done) if done else None
        a.outcome = "%d conns that sent nothing: %d got GOAWAY 14 (handshake timeout) and were closed, after %.1f-%.1f s" % (
            len(self.raws), len(done), min((r[1] for r in done), default=0), a.close_time or 0)
        a.ok = len(done) == len(self.raws)
        a.notes = "ran in the background during the others"
        for r in self.raws:
            r.close()


def fd_flood(args, pb, pb_dir, attacks, binary):
    """A second server whose RLIMIT_NOFILE is lowered while it runs; more connections than it
    may hold, kept open, while new ones keep arriving; then all close and it must recover."""
    a = Attack("connection flood past RLIMIT_NOFILE",
               "keeps serving, no CPU spin, excess conns closed at once, recovers")
    data = tempfile.mkdtemp(prefix="portal-hostile-fd-")
    server = Server(binary, data)
    good = None
    raws = []
    try:
        good = GoodClient(server.host, server.port, pb_dir)
        pid = server.proc.pid
        base_fds = open_fds(pid)
        headroom = 60 * (4 if args.long else 1)
        limit = base_fds + headroom
        resource.prlimit(pid, resource.RLIMIT_NOFILE, (limit, limit))
        rss0 = rss_kib(pid)
        sampler = RSSSampler(pid)
        t_start = time.time()
        flood = headroom * 5
        served = refused = 0
        wire = pb["portal.rpc.v1"]
        for _ in range(flood):
            try:
                r = Raw(server.host, server.port, wire, timeout=5)
                r.send(rpc.PREFACE + frame(SETTINGS, 0))
                raws.append(r)
            except OSError:
                refused += 1
        for r in raws:
            f = r.read_frame(3)
            if f and f[0] == SETTINGS:
                served += 1
            elif r.eof:
                refused += 1
        # Hold them, and keep new connections arriving at ~100/s: the listener stays at EMFILE.
        cpu0, w0 = cpu_seconds(pid), time.time()
        extra = extra_refused = 0
        while time.time() - w0 < 3:
            extra += 1
            try:
                r = Raw(server.host, server.port, wire, timeout=2)
                r.send(rpc.PREFACE + frame(SETTINGS, 0))
                f = r.read_frame(1)
                extra_refused += f is None and r.eof
                raws.append(r)
            except OSError:
                extra_refused += 1
            time.sleep(0.01)
        cpu_share = (cpu_seconds(pid) - cpu0) / (time.time() - w0)
        alive_during = server.proc.poll() is None
        # Everyone leaves; new clients must get in again.
        for r in raws:
            r.close()
        raws = []
        time.sleep(0.5)
        t_rec = time.time()
        recovered = 0
        for _ in range(20):
            try:
                r = Raw(server.host, server.port, wire, timeout=5)
                r.handshake()
                recovered += 1
                raws.append(r)
            except (OSError, RuntimeError):
                pass
        rec_time = time.time() - t_rec
        peak = sampler.finish()
        rss1 = rss_kib(pid)
        samples = good.window(t_start)
        lat = [s[1] for s in samples if s[2] == 0]
        fails = sum(1 for s in samples if s[2] != 0)
        a.outcome = ("limit %d fds (%d in use); %d conns: %d served, %d closed at once; %d more at ~100/s while "
                     "full: %d closed at once; server CPU while full %.0f%%; all closed, then %d/20 new conns served "
                     "in %.2f s" % (limit, base_fds, flood, served, refused, extra, extra_refused,
                                    cpu_share * 100, recovered, rec_time))
        a.rss = (rss0, peak, rss1)
        a.good = (p99(lat), fails, len(samples))
        a.close_time = None
        a.ok = (alive_during and server.proc.poll() is None and served > 0 and refused > 0 and cpu_share < 0.5
                and recovered == 20 and fails == 0)
        a.notes = "separate server process; limit lowered with prlimit(2)"
    finally:
        for r in raws:
            r.close()
        if good:
            good.stop()
        server.stop()
        shutil.rmtree(data, ignore_errors=True)
    attacks.append(a)


def main():
    if len(sys.argv) == 3 and sys.argv[1] == "--good-client":
        host, _, port = sys.argv[2].rpartition(":")
        return good_client_main(host, port)
    ap = argparse.ArgumentParser()
    ap.add_argument("--server", required=True)
    ap.add_argument("--long", action="store_true", help="default 30 s timeouts and 10x volumes")
    ap.add_argument("--p99-limit-ms", type=float, default=None,
                    help="fail if the good client's p99 during an attack exceeds this "
                         "(default 500 ms; 1000 ms with --long, whose floods are 10x larger)")
    args = ap.parse_args()
    if args.p99_limit_ms is None:
        args.p99_limit_ms = 1000.0 if args.long else 500.0

    pb_dir = tempfile.mkdtemp(prefix="portal_pb_hostile_")
    pb = rpc.load_protos(pb_dir)
    data = tempfile.mkdtemp(prefix="portal-hostile-")
    partial_timeout = 30.0 if args.long else 2.0
    stall_timeout = 30.0 if args.long else 2.0
    extra = [] if args.long else ["--partial-frame-timeout", str(partial_timeout), "--write-stall-timeout", str(stall_timeout)]
    attacks = []
    server = Server(args.server, data, extra)
    good = None
    t_begin = time.time()
    try:
        pid = server.proc.pid
        good = GoodClient(server.host, server.port, pb_dir)
        h = Hostile(args, server, pb, pb["grpc.health.v1"])
        h.partial_timeout, h.stall_timeout = partial_timeout, stall_timeout

        # Silent connections, opened first and checked last (the handshake timeout is 10 s).
        rss_silent = rss_kib(pid)
        silent = Silent(h, 100 * h.scale)
        time.sleep(0.3)
        rss_silent_open = rss_kib(pid)   # what holding them costs

        plan = [
            ("garbage instead of the preface", "GOAWAY 3, close",
             lambda a: h.garbage_preface(a, bytes(random.Random(7).randrange(256) for _ in range(64)))),
            ("HTTP/1.1 request", "GOAWAY 3, close",
             lambda a: h.garbage_preface(a, b"GET / HTTP/1.1\r\nHost: portal\r\nUser-Agent: curl/8\r\n\r\n")),
            ("TLS ClientHello", "GOAWAY 3, close", lambda a: h.garbage_preface(a, TLS_CLIENT_HELLO)),
            ("length 0: CALL with empty payload", "STATUS 12, conn lives", h.zero_length_call),
            ("length 0: PING", "GOAWAY 3, close", h.zero_length_ping),
            ("length 2^32-1 on a CALL", "GOAWAY 8, close", h.max_length_control),
            ("length 2^32-1 on a MESSAGE", "STATUS 8, GOAWAY 14 after partial-frame timeout", h.max_length_message),
            ("frames split at every byte", "every call OK", h.split_at_every_byte),
            ("thousands of streams never finished", "1024/conn held, rest STATUS 8", h.streams_never_finished),
            ("metadata flood", "<=16 KiB OK, >16 KiB STATUS 8", h.metadata_flood),
            ("streams with 16 KiB metadata, no request", "1 MiB held per conn, rest STATUS 8", h.metadata_held),
            ("unary requests parked without half-close", "GOAWAY 8 once the 16 MiB window is spent", h.parked_requests),
            ("slow reader (PING flood, never reads)", "reading paused, closed by write-stall timeout", h.slow_reader),
            ("slowloris (1 byte/s after handshake)", "GOAWAY 14 at partial-frame timeout", h.slowloris),
        ]
        for name, expected, run in plan:
            a = Attack(name, expected)
            run_attack(a, run, pid, [good])
            a.good = a.goods[0]
            attacks.append(a)
            if server.proc.poll() is not None:
                a.ok, a.outcome = False, a.outcome + "; SERVER EXITED"
                break

        a = Attack("silent connections (no preface)", "GOAWAY 14 at handshake timeout (10 s)")
        silent.finish(a)
        a.rss = (rss_silent, rss_silent_open, rss_silent_open)
        a.good = good.stats(silent.t0, silent.t0 + (a.close_time or 10))
        attacks.append(a)
        alive = server.proc.poll() is None
    finally:
        if good:
            good.stop()
        server.stop()
        shutil.rmtree(data, ignore_errors=True)

    fd_flood(args, pb, pb_dir, attacks, args.server)
    shutil.rmtree(pb_dir, ignore_errors=True)

    failed = 0
    print("%-40s %-6s %9s %9s %9s %9s %16s  %s" % ("attack", "result", "closed in", "RSS KiB", "peak +", "after +",
                                                  "good p99 (fails)", "outcome"))
    for a in attacks:
        good_p99, fails, n = a.good
        latency_ok = fails == 0 and n > 0 and (good_p99 * 1000 <= args.p99_limit_ms)
        rss0, peak, rss1 = a.rss
        ok = a.ok and latency_ok
        failed += not ok
        close = "%.2f s" % a.close_time if a.close_time is not None else "-"
        print("%-40s %-6s %9s %9d %9d %9d %9.1f ms (%d)  %s%s" % (
            a.name[:40], "ok" if ok else "FAIL", close, rss0, peak - rss0, rss1 - rss0, good_p99 * 1000, fails, a.outcome,
            "" if latency_ok else "  [good client: p99 %.1f ms over %d calls, %d failed]" % (good_p99 * 1000, n, fails)))
    print("hostile traffic (%s): %d attacks, %d failed, %.0f s; server %s" % (
        "long" if args.long else "quick", len(attacks), failed, time.time() - t_begin,
        "stayed up" if alive else "DIED"))
    return 1 if failed or not alive else 0


if __name__ == "__main__":
    sys.exit(main())
