"""A small client for the CitizenPortal binary RPC protocol (docs/PROTOCOL.md), version 1.

Written from the document alone. Control payloads come from Schema/portal/rpc/v1/wire.proto;
`load_protos()` runs protoc into a temporary directory and imports the generated modules.

    conn = Connection("127.0.0.1", port)
    health = load_protos()["grpc.health.v1"]
    resp = conn.unary("/grpc.health.v1.Health/Check", health.HealthCheckRequest(),
                      health.HealthCheckResponse, timeout_ms=2000)
"""
import importlib, os, queue, socket, struct, subprocess, sys, tempfile, threading

SCHEMA = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "Schema")
PREFACE = b"PRPC\r\n\x1a\x01"
SETTINGS, CALL, MESSAGE, STATUS, CANCEL, WINDOW_UPDATE, PING, GOAWAY = range(1, 9)
END_STREAM, ACK, EMPTY = 0x01, 0x02, 0x04
DEFAULTS = dict(max_frame_size=4 << 20, max_concurrent_streams=1024,
                initial_window_size=1 << 20, max_metadata_size=16384)
CONNECTION_WINDOW = 16 << 20
OK, CANCELLED, DEADLINE_EXCEEDED, NOT_FOUND, UNIMPLEMENTED, UNAVAILABLE = 0, 1, 4, 5, 12, 14


def load_protos(out_dir=None, schema=SCHEMA):
    """Generate *_pb2 modules with protoc (unless out_dir already has them) and import them."""
    files = {"portal.rpc.v1": "portal/rpc/v1/wire.proto", "grpc.health.v1": "grpc/health/v1/health.proto"}
    out_dir = out_dir or tempfile.mkdtemp(prefix="portal_pb_")
    if not all(os.path.exists(os.path.join(out_dir, f.replace(".proto", "_pb2.py"))) for f in files.values()):
        subprocess.run(["protoc", "-I", schema, "--python_out", out_dir, *files.values()], check=True)
    if out_dir not in sys.path:
        sys.path.insert(0, out_dir)
    return {pkg: importlib.import_module(f[:-len(".proto")].replace("/", ".") + "_pb2") for pkg, f in files.items()}


class RpcError(Exception):
    """A call that ended with a non-OK STATUS (or never got one: connection lost, GOAWAY)."""
    def __init__(self, code, message="", metadata=()):
        super().__init__(f"RPC status {code}: {message}")
        self.code, self.message, self.metadata = code, message, dict(metadata)


def frame(ftype, stream, payload=b"", flags=0):
    return struct.pack(">IIBBH", len(payload), stream, ftype, flags, 0) + payload


class Call:
    """One stream. Iterate it for responses; `send`/`close_send` for client/bidi streaming."""
    def __init__(self, conn, stream_id, response_type):
        self.conn, self.id, self.response_type = conn, stream_id, response_type
        self.send_window = conn.peer_settings.initial_window_size   # what the server accepts
        self.events = queue.Queue()     # ("msg", bytes) | ("status", code, message, metadata)
        self.unacked = 0                # bytes consumed but not yet credited back
        self.status = None              # (code, message, metadata) once the call is over

    def send(self, message, end=False):
        self.conn._send_message(self, message.SerializeToString(), END_STREAM if end else 0)

    def close_send(self):
        """Half-close without a message: MESSAGE with EMPTY|END_STREAM and no payload."""
        self.conn._send_message(self, b"", END_STREAM | EMPTY)

    def cancel(self):
        self.conn._send_frame(frame(CANCEL, self.id))

    def __iter__(self):
        while True:
            event = self._next_event()
            if event[0] == "status":
                self.status = event[1:]
                if event[1] != OK:
                    raise RpcError(*event[1:])
                return
            self._credit(len(event[1]))
            yield self.response_type.FromString(event[1])

    def _next_event(self):
        try:
            return self.events.get(timeout=self.conn.wait_timeout)
        except queue.Empty:
            raise TimeoutError(f"stream {self.id}: no frame within {self.conn.wait_timeout}s") from None

    def _credit(self, n):
        """We consumed n bytes: give them back to the server (stream and connection windows)."""
        self.unacked += n
        if self.status is None and self.unacked >= self.conn.settings.initial_window_size // 2:
            self.conn._send_frame(frame(WINDOW_UPDATE, self.id, struct.pack(">I", self.unacked)))
            self.unacked = 0
        self.conn._credit_connection(n)


class Connection:
    def __init__(self, host, port, pb=None, settings=None, wait_timeout=10.0):
        self.pb = (pb or load_protos())["portal.rpc.v1"]
        self.settings = self.pb.Settings(**{**DEFAULTS, **(settings or {})})   # our limits
        self.peer_settings = None
        self.wait_timeout = wait_timeout
        self.goaway = None                # GoAway message once received
        self.closed = threading.Event()
        self.calls, self.pings = {}, {}
        self.next_stream = 1
        self.send_conn_window, self.recv_unacked = CONNECTION_WINDOW, 0
        self.lock = threading.Condition()        # guards windows, calls and stream ids
        self.send_lock = threading.Lock()        # one frame at a time on the socket
        self.sock = socket.create_connection((host, port), timeout=wait_timeout)
        self.sock.settimeout(None)
        self._got_settings = threading.Event()
        self.sock.sendall(PREFACE + frame(SETTINGS, 0, self.settings.SerializeToString()))
        threading.Thread(target=self._reader, daemon=True).start()
        if not self._got_settings.wait(wait_timeout):
            self.close()
            raise TimeoutError("no SETTINGS from the server")
        if self.peer_settings is None:
            self.close()
            raise RpcError(UNAVAILABLE, f"no handshake: {self.goaway or 'connection closed'}")

    # -- calls -------------------------------------------------------------------------
    def open(self, method, response_type, timeout_ms=0, metadata=None, end_stream=False):
        """Send CALL and return the Call; end_stream=True half-closes at once (no request)."""
        with self.lock:
            if self.goaway is not None or self.closed.is_set():
                raise RpcError(UNAVAILABLE, "connection is going away")
            sid, self.next_stream = self.next_stream, self.next_stream + 2
            call = self.calls[sid] = Call(self, sid, response_type)
        entries = [self.pb.MetadataEntry(key=k.lower(), value=v) for k, v in (metadata or {}).items()]
        body = self.pb.Call(method=method, timeout_ms=timeout_ms, metadata=entries).SerializeToString()
        self._send_frame(frame(CALL, sid, body, END_STREAM if end_stream else 0))
        return call

    def unary(self, method, request, response_type, **kw):
        responses = list(self.server_stream(method, request, response_type, **kw))
        if len(responses) != 1:
            raise RpcError(2, f"unary call got {len(responses)} responses")
        return responses[0]

    def server_stream(self, method, request, response_type, **kw):
        call = self.open(method, response_type, **kw)
        call.send(request, end=True)
        return call

    def client_stream(self, method, requests, response_type, **kw):
        call = self.bidi(method, requests, response_type, **kw)
        return next(iter(call))

    def bidi(self, method, requests, response_type, **kw):
        """Sends every request from the iterable in a thread, then half-closes; returns the Call."""
        call = self.open(method, response_type, **kw)
        def pump():
            try:
                for r in requests:
                    call.send(r)
                call.close_send()
            except (RpcError, OSError, TimeoutError):
                pass    # the call ended; its STATUS (or the connection error) reaches the reader
        threading.Thread(target=pump, daemon=True).start()
        return call

    def ping(self, data=b"\x01\x02\x03\x04\x05\x06\x07\x08"):
        assert len(data) == 8
        got = self.pings[data] = threading.Event()
        self._send_frame(frame(PING, 0, data))
        if not got.wait(self.wait_timeout):
            raise TimeoutError("no PING ACK")
        return data

    def wait_goaway(self, timeout=None):
        self.closed.wait(timeout if timeout is not None else self.wait_timeout)
        return self.goaway

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    def close(self):
        try:
            self.sock.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass
        self.sock.close()

    # -- sending -----------------------------------------------------------------------
    def _send_frame(self, data):
        if self.closed.is_set():
            raise RpcError(UNAVAILABLE, "connection closed")
        with self.send_lock:
            self.sock.sendall(data)

    def _send_message(self, call, payload, flags):
        # PROTOCOL.md 4 says "send while the windows are above zero"; the server actually
        # rejects a payload larger than what is left, so wait until the whole payload fits.
        if len(payload) > min(self.peer_settings.initial_window_size, self.peer_settings.max_frame_size):
            raise RpcError(8, f"a {len(payload)}-byte message can never fit the server's window")
        fits = lambda: len(payload) <= min(call.send_window, self.send_conn_window)
        with self.lock:
            if not self.lock.wait_for(lambda: self.closed.is_set() or call.status is not None
                                      or fits(), self.wait_timeout):
                raise TimeoutError(f"stream {call.id}: no flow-control credit")
            if self.closed.is_set() or call.status is not None:
                return   # the call is over; iterating it reports the STATUS (or the lost connection)
            call.send_window -= len(payload)
            self.send_conn_window -= len(payload)
        self._send_frame(frame(MESSAGE, call.id, payload, flags))

    def _credit_connection(self, n):
        with self.lock:
            self.recv_unacked += n
            if self.recv_unacked < CONNECTION_WINDOW // 2:
                return
            n, self.recv_unacked = self.recv_unacked, 0
        self._send_frame(frame(WINDOW_UPDATE, 0, struct.pack(">I", n)))

    # -- receiving ---------------------------------------------------------------------
    def _read_exact(self, n):
        buf = b""
        while len(buf) < n:
            chunk = self.sock.recv(n - len(buf))
            if not chunk:
                raise EOFError
            buf += chunk
        return buf

    def _reader(self):
        try:
            while True:
                length, sid, ftype, flags, _ = struct.unpack(">IIBBH", self._read_exact(12))
                self._dispatch(ftype, sid, flags, self._read_exact(length))
        except (EOFError, OSError, RpcError):
            pass
        finally:
            with self.lock:
                self.closed.set()
                self.lock.notify_all()
                calls = list(self.calls.values())
            for call in calls:
                why = "connection closed" if self.goaway is None else f"GOAWAY: {self.goaway.message}"
                call.events.put(("status", UNAVAILABLE, why, ()))
            self._got_settings.set()

    def _dispatch(self, ftype, sid, flags, payload):
        if ftype == SETTINGS:
            s = self.pb.Settings.FromString(payload)
            self.peer_settings = self.pb.Settings(**{k: getattr(s, k) or v for k, v in DEFAULTS.items()})
            self._got_settings.set()
        elif ftype == PING:
            if flags & ACK:
                self.pings.pop(payload, threading.Event()).set()
            else:
                self._send_frame(frame(PING, 0, payload, ACK))
        elif ftype == WINDOW_UPDATE:
            (inc,) = struct.unpack(">I", payload)
            with self.lock:
                if sid == 0:
                    self.send_conn_window += inc
                elif sid in self.calls:
                    self.calls[sid].send_window += inc
                self.lock.notify_all()
        elif ftype == GOAWAY:
            self.goaway = self.pb.GoAway.FromString(payload)
            with self.lock:   # calls above last_stream were never processed: fail them now
                dropped = [c for s, c in self.calls.items() if s > self.goaway.last_stream]
                for c in dropped:
                    del self.calls[c.id]
            for c in dropped:
                c.events.put(("status", UNAVAILABLE, "not processed (GOAWAY); retry elsewhere", ()))
        elif ftype == MESSAGE and sid in self.calls:
            self.calls[sid].events.put(("msg", payload))
        elif ftype == STATUS and sid in self.calls:
            st = self.pb.Status.FromString(payload)
            with self.lock:
                call = self.calls.pop(sid)
                call.status = (st.code, st.message, [(m.key, m.value) for m in st.metadata])
                self.lock.notify_all()
            call.events.put(("status",) + call.status)
        # anything else (frames for finished/cancelled streams) is ignored


if __name__ == "__main__":
    # python3 clients/python/portal_rpc.py [HOST:PORT] — checks the server's health.
    import sys
    host, _, port = (sys.argv[1] if len(sys.argv) > 1 else "127.0.0.1:50051").rpartition(":")
    mods = load_protos()
    health = mods["grpc.health.v1"]
    with_conn = Connection(host or "127.0.0.1", int(port), pb=mods)
    try:
        reply = with_conn.unary("/grpc.health.v1.Health/Check", health.HealthCheckRequest(),
                                health.HealthCheckResponse)
        print(health.HealthCheckResponse.ServingStatus.Name(reply.status))
    finally:
        with_conn.close()
