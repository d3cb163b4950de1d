#!/usr/bin/env python3
"""Overload: measure the server's saturation rate for FileComplaint, drive it open-loop at
twice that rate, then at half of it, and check that it sheds the excess with
RESOURCE_EXHAUSTED (admission control, `--max-in-flight`) or UNAVAILABLE (the store's write
queue bound, `--max-queued-writes`) instead of letting latency and memory grow, that the
calls it admits keep a bounded p99, and that it recovers once the load drops.

Open loop: requests are sent on a fixed schedule whatever the server does, and latency is
measured from each request's scheduled time, so a slow server cannot slow the driver down and
hide its own queueing (no coordinated omission). One Python thread drives every connection
through non-blocking sockets and speaks the framing of docs/PROTOCOL.md directly.

    python3 Tests/Reliability/overload.py --server .build/debug/portal-server            # quick (test command)
    python3 Tests/Reliability/overload.py --server .build/release/portal-server --full   # 10 s / 60 s / 20 s
    python3 Tests/Reliability/overload.py --server ... --full --no-limits   # limits raised: the "before"

Prints a per-second timeline (offered, admitted, shed by code, admitted p99, server RSS) and a
summary; exits non-zero if an expectation fails.
"""
import argparse, os, selectors, shutil, socket, struct, sys, tempfile, time, uuid

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
from portal_process import Portal, Server, load_all_protos, rpc  # noqa: E402

SETTINGS, CALL, MESSAGE, STATUS, CANCEL, WINDOW_UPDATE, PING, GOAWAY = range(1, 9)
END_STREAM, ACK = 0x01, 0x02
OK, RESOURCE_EXHAUSTED, UNAVAILABLE = 0, 8, 14
METHOD = "/portal.v1.CitizenService/FileComplaint"
CONNECTION_WINDOW = 16 << 20


def frame(ftype, stream, payload=b"", flags=0):
    return struct.pack(">IIBBH", len(payload), stream, ftype, flags, 0) + payload


def rss_mib(pid):
    with open("/proc/%d/status" % pid) as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024.0
    return 0.0


def decode_status(payload):
    """(code, message) from a portal.rpc.v1.Status without protobuf (hot path)."""
    code, message, i = 0, "", 0
    while i < len(payload):
        tag = payload[i]
        i += 1
        if tag == 0x08:
            v, shift = 0, 0
            while True:
                b = payload[i]
                i += 1
                v |= (b & 0x7F) << shift
                shift += 7
                if b < 0x80:
                    break
            code = v
        elif tag == 0x12:
            n, shift = 0, 0
            while True:
                b = payload[i]
                i += 1
                n |= (b & 0x7F) << shift
                shift += 7
                if b < 0x80:
                    break
            message = payload[i:i + n].decode("utf-8", "replace")
            i += n
        else:
            break   # metadata etc.: not needed here
    return code, message


def percentile(values, q):
    if not values:
        return float("nan")
    v = sorted(values)
    return v[min(len(v) - 1, int(round(q * (len(v) - 1))))]


class Conn:
    """One driver connection: a citizen's token, a request template, in-flight calls."""
    def __init__(self, host, port, call_payload, request_template, key_at, key_len):
        self.sock = socket.create_connection((host, port))
        self.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self.sock.setblocking(False)
        self.call_payload, self.template = call_payload, request_template
        self.key_at, self.key_len = key_at, key_len
        self.out = bytearray(rpc.PREFACE + frame(SETTINGS, 0))
        self.inb = bytearray()
        self.next_sid = 1
        self.pending = {}          # stream id -> scheduled send time
        self.send_window = CONNECTION_WINDOW
        self.recv_unacked = 0
        self.alive = True

    def enqueue(self, t_sched):
        sid = self.next_sid
        self.next_sid += 2
        key = uuid.uuid4().hex.encode()[:self.key_len]
        req = self.template[:self.key_at] + key + self.template[self.key_at + self.key_len:]
        self.out += frame(CALL, sid, self.call_payload) + frame(MESSAGE, sid, req, END_STREAM)
        self.send_window -= len(req)
        self.pending[sid] = t_sched

    def flush(self):
        if not self.out or not self.alive:
            return
        try:
            n = self.sock.send(self.out)
            del self.out[:n]
        except BlockingIOError:
            pass
        except OSError:
            self.alive = False

    def receive(self, on_status):
        try:
            while True:
                chunk = self.sock.recv(1 << 18)
                if not chunk:
                    self.alive = False
                    break
                self.inb += chunk
                if len(chunk) < (1 << 18):
                    break
        except BlockingIOError:
            pass
        except OSError:
            self.alive = False
        buf, i, now = self.inb, 0, time.monotonic()
        while len(buf) - i >= 12:
            length, sid, ftype, flags, _ = struct.unpack_from(">IIBBH", buf, i)
            if len(buf) - i - 12 < length:
                break
            payload = bytes(buf[i + 12:i + 12 + length])
            i += 12 + length
            if ftype == STATUS:
                t = self.pending.pop(sid, None)
                if t is not None:
                    code, message = decode_status(payload)
                    on_status(t, now, code, message)
            elif ftype == MESSAGE:
                self.recv_unacked += length
                if self.recv_unacked >= CONNECTION_WINDOW // 4:
                    self.out += frame(WINDOW_UPDATE, 0, struct.pack(">I", self.recv_unacked))
                    self.recv_unacked = 0
            elif ftype == WINDOW_UPDATE and sid == 0:
                self.send_window += struct.unpack(">I", payload)[0]
            elif ftype == PING and not flags & ACK:
                self.out += frame(PING, 0, payload, ACK)
            elif ftype == GOAWAY:
                self.alive = False
        del buf[:i]


class Driver:
    def __init__(self, conns, pid):
        self.conns, self.pid = conns, pid
        self.sel = selectors.DefaultSelector()
        for c in conns:
            self.sel.register(c.sock, selectors.EVENT_READ, c)
        self.records = []      # (phase, t_sched, t_done, code, message)
        self.phase = None
        self.rss = []          # (t, MiB)
        self.rr = 0

    def on_status(self, t_sched, t_done, code, message):
        self.records.append((self.phase, t_sched, t_done, code, message))

    def outstanding(self):
        return sum(len(c.pending) for c in self.conns)

    def pump(self, timeout):
        for c in self.conns:
            c.flush()
        for key, _ in self.sel.select(timeout):
            key.data.receive(self.on_status)
        now = time.monotonic()
        if not self.rss or now - self.rss[-1][0] >= 0.25:
            self.rss.append((now, rss_mib(self.pid)))

    def next_conn(self):
        for _ in range(len(self.conns)):
            c = self.conns[self.rr % len(self.conns)]
            self.rr += 1
            if c.alive and c.send_window > 4096:
                return c
        return None

    def run(self, phase, duration, rate=None, window=None):
        """Open loop at `rate` calls/s, or closed loop keeping `window` calls outstanding."""
        self.phase = phase
        start = time.monotonic()
        sent = 0
        backlog_max = 0
        while True:
            now = time.monotonic()
            if now - start >= duration:
                break
            if rate:
                due = int((now - start) * rate) - sent
                for _ in range(due):
                    c = self.next_conn()
                    if c is None:
                        break
                    c.enqueue(start + sent / rate)
                    sent += 1
            else:
                while self.outstanding() < window:
                    c = self.next_conn()
                    if c is None:
                        break
                    c.enqueue(now)
                    sent += 1
            backlog_max = max(backlog_max, sum(len(c.out) for c in self.conns))
            self.pump(0.0005)
        end = time.monotonic()
        # Let the calls of this phase finish (they still count for it), sending nothing new.
        drain_deadline = end + 30
        while self.outstanding() and time.monotonic() < drain_deadline:
            self.pump(0.005)
        self.drained = time.monotonic() - end
        return start, end, sent, backlog_max


def summarize(records, phase, start, end):
    rows = [r for r in records if r[0] == phase]
    ok = [r[2] - r[1] for r in rows if r[3] == OK]
    by_code = {}
    messages = {}
    for r in rows:
        by_code[r[3]] = by_code.get(r[3], 0) + 1
        if r[3] != OK:
            messages.setdefault(r[3], r[4])
    return rows, ok, by_code, messages


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--server", required=True)
    ap.add_argument("--full", action="store_true", help="10 s saturation, 60 s overload, 20 s recovery")
    ap.add_argument("--no-limits", action="store_true",
                    help="raise --max-in-flight and --max-queued-writes out of reach (shows the unbounded case)")
    ap.add_argument("--connections", type=int, default=16)
    ap.add_argument("--citizens", type=int, default=4)
    ap.add_argument("--window", type=int, default=1536,
                    help="outstanding calls while measuring saturation (below --max-in-flight, 2048 by default)")
    ap.add_argument("--factor", type=float, default=2.0, help="overload rate as a multiple of saturation")
    ap.add_argument("--server-args", default="", help="extra portal-server flags, e.g. '--max-in-flight 512'")
    args = ap.parse_args()
    t_sat, t_over, t_rec = (10, 60, 20) if args.full else (3, 6, 4)

    pb = load_all_protos()
    portal = Portal(pb)
    v1, wire = portal.v1, pb["portal.rpc.v1"]
    data = tempfile.mkdtemp(prefix="portal-overload-")
    extra = args.server_args.split()
    if args.no_limits:
        extra += ["--max-in-flight", "100000000", "--max-queued-writes", "100000000"]
    server = Server(args.server, data, extra)
    failures = []
    try:
        pid = server.pid if hasattr(server, "pid") else server.proc.pid
        conn = rpc.Connection(server.host, server.port, pb=pb)
        tokens = [portal.new_citizen(conn, data, 500 + n) for n in range(args.citizens)]
        conn.close()

        placeholder = "K" * 32
        template = v1.FileComplaintRequest(
            idempotency_key=placeholder, category_code="street-lights",
            description="Overload test: the street light outside house 12 has been dark for a week.").SerializeToString()
        key_at = template.index(placeholder.encode())
        conns = []
        for i in range(args.connections):
            call = wire.Call(method=METHOD, timeout_ms=30000, metadata=[
                wire.MetadataEntry(key="authorization", value="Bearer " + tokens[i % len(tokens)])]).SerializeToString()
            conns.append(Conn(server.host, server.port, call, template, key_at, 32))
        d = Driver(conns, pid)
        d.run("warmup", 1.0, window=args.window // 4)

        s0, s1, _, _ = d.run("saturation", t_sat, window=args.window)
        rows, ok, by_code, _ = summarize(d.records, "saturation", s0, s1)
        # Throughput: calls completed inside the phase, after its first second (ramp-up).
        sat = sum(1 for r in rows if r[3] == OK and s0 + 1 <= r[2] <= s1) / (s1 - s0 - 1)
        sat_p50, sat_p99 = percentile(ok, 0.5), percentile(ok, 0.99)
        if by_code.keys() - {OK}:
            failures.append("errors while measuring saturation: %r" % by_code)
        print("saturation (closed loop, %d outstanding on %d connections): %.0f calls/s, p50 %.1f ms, p99 %.1f ms" % (
            args.window, len(conns), sat, sat_p50 * 1000, sat_p99 * 1000))

        over_rate = args.factor * sat
        o0, o1, o_sent, o_backlog = d.run("overload", t_over, rate=over_rate)
        o_drain = d.drained
        r0, r1, r_sent, _ = d.run("recovery", t_rec, rate=0.5 * sat)

        # Per-second timeline.
        t_base = s0
        print("\n%6s %-10s %8s %8s %8s %8s %8s %10s %9s" % (
            "t(s)", "phase", "offered", "admitted", "shed 8", "shed 14", "other", "adm p99", "RSS MiB"))
        seconds = {}
        for ph, ts, td, code, _ in d.records:
            if ph in ("warmup",):
                continue
            b = seconds.setdefault(int(ts - t_base), {"phase": ph, "n": 0, "ok": [], 8: 0, 14: 0, "other": 0})
            b["n"] += 1
            if code == OK:
                b["ok"].append(td - ts)
            elif code in (8, 14):
                b[code] += 1
            else:
                b["other"] += 1
        for sec in sorted(seconds):
            b = seconds[sec]
            rss = [m for t, m in d.rss if int(t - t_base) == sec]
            print("%6d %-10s %8d %8d %8d %8d %8d %8.0f ms %9.1f" % (
                sec, b["phase"], b["n"], len(b["ok"]), b[8], b[14], b["other"],
                percentile(b["ok"], 0.99) * 1000, max(rss) if rss else float("nan")))

        # Overload phase.
        rows, ok, by_code, messages = summarize(d.records, "overload", o0, o1)
        offered = o_sent / (o1 - o0)
        admitted = sum(1 for r in rows if r[3] == OK and r[2] <= o1) / (o1 - o0)   # completed within the phase
        shed8, shed14 = by_code.get(8, 0), by_code.get(14, 0)
        other = {c: n for c, n in by_code.items() if c not in (0, 8, 14)}
        lost = o_sent - len(rows)
        thirds = [[r[2] - r[1] for r in rows if r[3] == OK and o0 + k * (o1 - o0) / 3 <= r[1] < o0 + (k + 1) * (o1 - o0) / 3]
                  for k in range(3)]
        p99s = [percentile(t, 0.99) for t in thirds]
        rss_over = [m for t, m in d.rss if o0 <= t <= o1]
        rss_start, rss_peak, rss_end = rss_over[0], max(rss_over), rss_over[-1]
        rss_mid = [m for t, m in d.rss if o0 + (o1 - o0) / 2 <= t <= o1]
        print("\noverload (open loop at %.1fx saturation = %.0f calls/s for %d s):" % (args.factor, over_rate, t_over))
        print("  offered %.0f calls/s (%d calls); admitted %.0f calls/s (%.0f%% of saturation)" % (
            offered, o_sent, admitted, 100 * admitted / sat))
        print("  shed: %d RESOURCE_EXHAUSTED %r, %d UNAVAILABLE %r; other codes %r; no answer %d" % (
            shed8, messages.get(8, ""), shed14, messages.get(14, ""), other, lost))
        print("  admitted latency: p50 %.0f ms, p99 %.0f ms, max %.0f ms; p99 by third of the phase: %s" % (
            percentile(ok, 0.5) * 1000, percentile(ok, 0.99) * 1000, max(ok) * 1000 if ok else float("nan"),
            " / ".join("%.0f ms" % (p * 1000) for p in p99s)))
        shed_lat = [r[2] - r[1] for r in rows if r[3] in (8, 14)]
        print("  shed calls answered in: p50 %.1f ms, p99 %.1f ms" % (
            percentile(shed_lat, 0.5) * 1000, percentile(shed_lat, 0.99) * 1000))
        print("  server RSS: %.1f MiB at start, peak %.1f MiB, %.1f MiB at end (second half: %.1f-%.1f MiB)" % (
            rss_start, rss_peak, rss_end, min(rss_mid), max(rss_mid)))
        print("  calls admitted during the phase finished %.1f s after it ended; driver's largest unsent backlog %d bytes" % (
            o_drain, o_backlog))

        # Recovery phase.
        rows_r, ok_r, by_code_r, messages_r = summarize(d.records, "recovery", r0, r1)
        half = r0 + (r1 - r0) / 2
        late = [r for r in rows_r if r[1] >= half]
        late_ok = [r[2] - r[1] for r in late if r[3] == OK]
        late_shed = sum(1 for r in late if r[3] != OK)
        print("\nrecovery (open loop at 0.5x = %.0f calls/s for %d s): %d calls, codes %r; second half: %d shed, "
              "p50 %.0f ms, p99 %.0f ms" % (0.5 * sat, t_rec, len(rows_r), by_code_r, late_shed,
                                            percentile(late_ok, 0.5) * 1000, percentile(late_ok, 0.99) * 1000))
        print("  server RSS after recovery: %.1f MiB" % rss_mib(pid))

        # Expectations.
        if offered < 0.9 * over_rate:
            failures.append("the driver offered only %.0f of %.0f calls/s" % (offered, over_rate))
        if not args.no_limits:
            if shed8 + shed14 == 0:
                failures.append("nothing was shed at %.1fx saturation" % args.factor)
            if other or lost:
                failures.append("calls failed otherwise than by shedding: codes %r, %d unanswered" % (other, lost))
            if admitted < 0.5 * sat:
                failures.append("admitted throughput collapsed to %.0f calls/s (saturation %.0f)" % (admitted, sat))
            if percentile(ok, 0.99) > 5.0:
                failures.append("admitted p99 %.1f s exceeds 5 s" % percentile(ok, 0.99))
            if p99s[2] > 2 * p99s[1] + 0.5:
                failures.append("admitted p99 still growing: %s" % p99s)
            if rss_peak - rss_start > 256 or max(rss_mid) - min(rss_mid) > 64:
                failures.append("server memory grew: %.1f -> %.1f MiB" % (rss_start, rss_peak))
            if late_shed or percentile(late_ok, 0.99) > 1.0:
                failures.append("no recovery: %d shed, p99 %.2f s in the second half at 0.5x" % (
                    late_shed, percentile(late_ok, 0.99)))
        for c in conns:
            c.sock.close()
    finally:
        server.stop()
        shutil.rmtree(data, ignore_errors=True)
    for f in failures:
        print("FAILED: " + f)
    print("overload (%s%s): %s" % ("full" if args.full else "quick", ", limits raised" if args.no_limits else "",
                                   "OK" if not failures else "FAILED"))
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
