#!/usr/bin/python3
"""Checks a live portal-server against docs/PROTOCOL.md using portal_rpc.py.

    /usr/bin/python3 clients/python/test_protocol.py --server .build/debug/portal-server

Starts `SERVER --port 0`, runs every check, always stops the server, and ends with the line
`python-client: N passed, M failed` (exit status 1 if anything failed).
"""
import argparse, os, pty, queue, re, shutil, signal, socket, struct, subprocess, sys, tempfile, threading, time, traceback

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import portal_rpc as rpc

DOC = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "docs", "PROTOCOL.md")
CHECK, WATCH = "/grpc.health.v1.Health/Check", "/grpc.health.v1.Health/Watch"
WAIT = 10.0                       # upper bound for every single wait
PB = rpc.load_protos()
H, W = PB["grpc.health.v1"], PB["portal.rpc.v1"]
SERVING = H.HealthCheckResponse.SERVING


class Server:
    def __init__(self, path):
        # The server block-buffers stdout into a pipe, so its "listening on" line would only
        # appear at exit: give it a pseudo-terminal, where stdout is line-buffered.
        master, slave = pty.openpty()
        self.data = tempfile.mkdtemp(prefix="portal-pytest-")
        self.proc = subprocess.Popen([path, "--port", "0", "--data", self.data], stdin=subprocess.DEVNULL,
                                     stdout=slave, stderr=slave)
        os.close(slave)
        self.master = master
        self.lines = queue.Queue()
        threading.Thread(target=self._drain, daemon=True).start()
        try:
            deadline = time.monotonic() + WAIT
            while True:
                line = self.lines.get(timeout=max(0.01, deadline - time.monotonic()))
                if line is None:
                    raise RuntimeError("server exited before listening")
                m = re.search(r"listening on ([\d.]+):(\d+)", line)
                if m:
                    self.host, self.port = m.group(1), int(m.group(2))
                    return
        except BaseException:     # no port within WAIT (queue.Empty) or an early exit
            self.stop()
            raise

    def _drain(self):             # keep the pty empty; the first lines tell us the port
        with open(self.master, "r", errors="replace") as out:
            try:
                for line in out:
                    self.lines.put(line)
            except OSError:       # EIO once the server has exited
                pass
        self.lines.put(None)

    def connect(self, **kw):
        return rpc.Connection(self.host, self.port, pb=PB, wait_timeout=WAIT, **kw)

    def raw(self):                # a bare socket; every recv is bounded by WAIT
        return socket.create_connection((self.host, self.port), timeout=WAIT)

    def stop(self):
        if self.proc.poll() is None:
            self.proc.kill()
        self.proc.wait(timeout=WAIT)
        shutil.rmtree(self.data, ignore_errors=True)


def expect_error(code, fn):
    try:
        fn()
    except rpc.RpcError as e:
        assert e.code == code, f"expected status {code}, got {e.code} ({e.message!r})"
        return e
    raise AssertionError(f"expected status {code}, the call succeeded")


def read_frames(sock):
    """Raw frames (type, stream, flags, payload) until EOF (bounded by the socket timeout)."""
    frames, buf = [], b""
    while True:
        try:
            chunk = sock.recv(65536)
        except ConnectionResetError:
            chunk = b""
        if not chunk:
            break
        buf += chunk
    while len(buf) >= 12:
        length, sid, ftype, flags, _ = struct.unpack(">IIBBH", buf[:12])
        frames.append((ftype, sid, flags, buf[12:12 + length]))
        buf = buf[12 + length:]
    return frames


# -- the checks --------------------------------------------------------------------------

def test_check_serving(srv):
    with srv.connect() as c:
        assert c.peer_settings.max_frame_size == 4 << 20, c.peer_settings
        r = c.unary(CHECK, H.HealthCheckRequest(), H.HealthCheckResponse)
        assert r.status == SERVING, r


def test_check_unknown_service(srv):
    with srv.connect() as c:
        e = expect_error(rpc.NOT_FOUND, lambda: c.unary(
            CHECK, H.HealthCheckRequest(service="portal.v1.Nope"), H.HealthCheckResponse))
        assert "portal.v1.Nope" in e.message, e.message


def test_watch_then_cancel(srv):
    with srv.connect() as c:
        call = c.server_stream(WATCH, H.HealthCheckRequest(), H.HealthCheckResponse)
        responses = iter(call)
        assert next(responses).status == SERVING
        call.cancel()
        expect_error(rpc.CANCELLED, lambda: list(responses))
        # the connection is still usable afterwards
        assert c.unary(CHECK, H.HealthCheckRequest(), H.HealthCheckResponse).status == SERVING


def test_ping(srv):
    with srv.connect() as c:
        assert c.ping(b"\xde\xad\xbe\xef\x00\x01\x02\x03") == b"\xde\xad\xbe\xef\x00\x01\x02\x03"
    # and byte for byte on a raw socket: ACK flag, same 8 bytes
    s = srv.raw()
    try:
        s.sendall(rpc.PREFACE + rpc.frame(rpc.SETTINGS, 0) + rpc.frame(rpc.PING, 0, b"abcdefgh"))
        frames = []
        while not any(f[0] == rpc.PING for f in frames):    # SETTINGS first, then the ACK
            frames += read_some(s)
        assert (rpc.PING, 0, rpc.ACK, b"abcdefgh") in frames, frames
    finally:
        s.close()


def read_some(sock):
    header = recv_exact(sock, 12)
    length, sid, ftype, flags, _ = struct.unpack(">IIBBH", header)
    return [(ftype, sid, flags, recv_exact(sock, length))]


def recv_exact(sock, n):
    buf = b""
    while len(buf) < n:
        chunk = sock.recv(n - len(buf))
        if not chunk:
            raise EOFError(f"closed after {len(buf)} of {n} bytes")
        buf += chunk
    return buf


def test_unknown_method(srv):
    with srv.connect() as c:
        expect_error(rpc.UNIMPLEMENTED, lambda: c.unary(
            "/portal.v1.Nope/Nothing", H.HealthCheckRequest(), H.HealthCheckResponse))


def test_timeout_and_metadata(srv):
    with srv.connect() as c:
        r = c.unary(CHECK, H.HealthCheckRequest(), H.HealthCheckResponse, timeout_ms=5000,
                    metadata={"x-request-id": "py-1", "authorization": "Bearer nothing"})
        assert r.status == SERVING
        # Watch never ends by itself: a short deadline ends it with DEADLINE_EXCEEDED
        t0 = time.monotonic()
        call = c.server_stream(WATCH, H.HealthCheckRequest(), H.HealthCheckResponse, timeout_ms=300)
        responses = iter(call)
        assert next(responses).status == SERVING
        expect_error(rpc.DEADLINE_EXCEEDED, lambda: list(responses))
        assert 0.25 <= time.monotonic() - t0 < WAIT


def test_unary_needs_exactly_one_message(srv):
    with srv.connect() as c:
        call = c.open(CHECK, H.HealthCheckResponse, end_stream=True)            # zero messages
        expect_error(3, lambda: list(call))
        two = [H.HealthCheckRequest(), H.HealthCheckRequest()]                  # two messages
        expect_error(3, lambda: c.client_stream(CHECK, two, H.HealthCheckResponse))
        call = c.bidi(CHECK, [H.HealthCheckRequest()], H.HealthCheckResponse)  # EMPTY half-close
        assert [r.status for r in call] == [SERVING]


def padded_request(size):
    """An empty HealthCheckRequest plus an unknown bytes field (15), `size` bytes encoded."""
    for n in range(size, 0, -1):
        m = H.HealthCheckRequest.FromString(b"\x7a" + varint(n) + bytes(n))
        if m.ByteSize() == size:
            return m
    raise ValueError(size)


def varint(v):
    out = b""
    while v >= 0x80:
        out, v = out + bytes([v & 0x7F | 0x80]), v >> 7
    return out + bytes([v])


def test_flow_control(srv):
    """Requests of exactly one stream window, 20 MiB in all: more than the 16 MiB connection
    window, so this only finishes if the server gives connection credit back."""
    with srv.connect() as c:
        req = padded_request(c.peer_settings.initial_window_size)
        sent = 0
        while sent <= 20 << 20:
            assert c.unary(CHECK, req, H.HealthCheckResponse).status == SERVING
            sent += req.ByteSize()
        assert c.send_conn_window > 0, c.send_conn_window
        # one byte more than a whole stream window can never be sent: refused locally
        expect_error(8, lambda: c.unary(CHECK, padded_request(req.ByteSize() + 1), H.HealthCheckResponse))


def test_doc_examples_byte_for_byte(srv):
    """The deterministic hex examples of section 8 (unary, error, ping)."""
    doc = open(DOC).read()
    blocks = dict(re.findall(r"<!-- example (.+?) -->\n```hex\n(.*?)```", doc, re.S))
    def hexbytes(text):
        return bytes.fromhex(" ".join(line.split("#")[0] for line in text.splitlines()))
    for name in ("unary", "error", "ping"):
        client, server = hexbytes(blocks[name + " client"]), hexbytes(blocks[name + " server"])
        s = srv.raw()
        try:
            s.sendall(client)
            got = recv_exact(s, len(server))
            assert got == server, f"{name}: expected {server.hex(' ')}\n got {got.hex(' ')}"
        finally:
            s.close()


def test_bad_preface(srv):
    s = srv.raw()
    try:
        s.sendall(b"GET / HTTP/1.1\r\nHost: x\r\n\r\n")
        frames = read_frames(s)           # reads until the server closes (or WAIT passes)
    finally:
        s.close()
    goaways = [f for f in frames if f[0] == rpc.GOAWAY]
    assert goaways, f"no GOAWAY, got {frames}"
    g = W.GoAway.FromString(goaways[0][3])
    assert g.code == 3, g
    assert frames[-1][0] == rpc.GOAWAY, "GOAWAY should be the last frame before close"


def test_sigterm_goaway(srv):
    c = srv.connect()
    try:
        assert c.unary(CHECK, H.HealthCheckRequest(), H.HealthCheckResponse).status == SERVING
        srv.proc.send_signal(signal.SIGTERM)
        g = c.wait_goaway(WAIT)
        assert g is not None, "connection closed without GOAWAY" if c.closed.is_set() else "no GOAWAY"
        assert g.code == rpc.UNAVAILABLE, g
        assert g.last_stream == 1, g
        assert c.closed.wait(WAIT), "server kept the idle connection open after GOAWAY"
    finally:
        c.close()
    assert srv.proc.wait(timeout=WAIT) == 0, f"exit status {srv.proc.returncode}"


TESTS = [test_check_serving, test_check_unknown_service, test_watch_then_cancel, test_ping,
         test_unknown_method, test_timeout_and_metadata, test_unary_needs_exactly_one_message,
         test_flow_control, test_doc_examples_byte_for_byte, test_bad_preface,
         test_sigterm_goaway]          # last: it stops the server


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--server", required=True, help="path to the portal-server binary")
    ap.add_argument("-k", default="", help="only tests whose name contains this")
    args = ap.parse_args()
    passed = failed = 0
    srv = None
    try:
        srv = Server(args.server)
        print(f"server on {srv.host}:{srv.port}", flush=True)
        for test in TESTS:
            if args.k not in test.__name__:
                continue
            try:
                test(srv)
                passed += 1
                print(f"ok    {test.__name__}", flush=True)
            except Exception:
                failed += 1
                print(f"FAIL  {test.__name__}\n{traceback.format_exc()}", flush=True)
    except Exception:
        failed += 1
        print(f"FAIL  starting the server\n{traceback.format_exc()}", flush=True)
    finally:
        if srv is not None:
            srv.stop()
    print(f"python-client: {passed} passed, {failed} failed")
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
