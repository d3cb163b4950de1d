"""Helpers for reliability checks that drive a real portal-server process over the protocol:
start/kill/restart it on a data folder, load every Schema/ module, register citizens with the
SMS code from the outbox, and make authenticated calls. Uses clients/python/portal_rpc.py,
the client written from docs/PROTOCOL.md."""
import glob, importlib, os, pty, queue, re, subprocess, sys, tempfile, threading, time

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
sys.path.insert(0, os.path.join(ROOT, "clients", "python"))
import portal_rpc as rpc  # noqa: E402

SCHEMA = os.path.join(ROOT, "Schema")
ADMIN_PASSWORD = "Reliability-Admin-1"


def load_all_protos():
    """portal.v1 (every file), portal.rpc.v1 and grpc.health.v1 as imported *_pb2 modules."""
    out = tempfile.mkdtemp(prefix="portal_pb_all_")
    files = [os.path.relpath(p, SCHEMA) for p in glob.glob(os.path.join(SCHEMA, "**", "*.proto"), recursive=True)]
    subprocess.run(["protoc", "-I", SCHEMA, "-I", "/usr/include", "--python_out", out, *files], check=True)
    sys.path.insert(0, out)
    modules = {}
    for f in files:
        m = importlib.import_module(f[:-len(".proto")].replace("/", ".") + "_pb2")
        modules.setdefault(m.DESCRIPTOR.package, []).append(m)

    class Package:  # attribute lookup across the package's modules
        def __init__(self, mods): self.mods = mods
        def __getattr__(self, name):
            for m in self.mods:
                if hasattr(m, name): return getattr(m, name)
            raise AttributeError(name)
    return {pkg: Package(mods) for pkg, mods in modules.items()}


def http_off(extra):
    """Whether portal-server arguments turn the HTTP gateway off (--http-port -1)."""
    extra = list(extra)
    for i, a in enumerate(extra):
        if a == "--http-port" and i + 1 < len(extra):
            return extra[i + 1] == "-1"
        if a.startswith("--http-port="):
            return a.split("=", 1)[1] == "-1"
    return False


class Server:
    """portal-server on a free port (and a free HTTP gateway port, `http_port`, unless it is
    turned off) and a given data folder; line output collected."""
    def __init__(self, binary, data, extra=()):
        master, slave = pty.openpty()
        env = dict(os.environ, PORTAL_ADMIN_PASSWORD=ADMIN_PASSWORD)
        self.proc = subprocess.Popen([binary, "--port", "0", "--data", data, *extra], stdin=subprocess.DEVNULL,
                                     stdout=slave, stderr=slave, env=env)
        os.close(slave)
        self.lines = queue.Queue()
        threading.Thread(target=self._drain, args=(master,), daemon=True).start()
        deadline = time.monotonic() + 30
        while True:
            line = self.lines.get(timeout=max(0.01, deadline - time.monotonic()))
            if line is None:
                raise RuntimeError("portal-server exited before listening")
            m = re.search(r"listening on ([\d.]+):(\d+)", line)
            if m:
                self.host, self.port = m.group(1), int(m.group(2))
                self.http_port = None
                if not http_off(extra):
                    continue  # the gateway's line follows at once
                return
            m = re.search(r"http on ([\d.]+):(\d+)", line)
            if m:
                self.http_port = int(m.group(2))
                return

    def _drain(self, fd):
        with open(fd, "r", errors="replace") as out:
            try:
                for line in out:
                    self.lines.put(line)
            except OSError:
                pass
        self.lines.put(None)

    def kill9(self):
        self.proc.kill()
        self.proc.wait(timeout=10)

    def stop(self):
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.kill9()


class Portal:
    """Typed-ish calls: `portal.call(conn, "CitizenService", "Login", request, token=None)`."""
    def __init__(self, pb):
        self.pb = pb
        self.v1 = pb["portal.v1"]

    def call(self, conn, service, method, request, response_type, token=None, timeout_ms=10000):
        metadata = {"authorization": "Bearer " + token} if token else None
        return conn.unary(f"/portal.v1.{service}/{method}", request, response_type,
                          timeout_ms=timeout_ms, metadata=metadata)

    def sms_code(self, data, mobile_e164):
        for _ in range(100):
            with open(os.path.join(data, "sms-outbox.log"), encoding="utf-8") as f:
                lines = [l.split("\t") for l in f.read().splitlines()]
            for parts in reversed(lines):
                if len(parts) == 3 and parts[1] == mobile_e164:
                    return re.search(r"\b(\d{6})\.", parts[2]).group(1)
            time.sleep(0.05)
        raise RuntimeError("no SMS code in the outbox")

    def new_citizen(self, conn, data, n, district="PSH"):
        """Registers, verifies and signs in citizen number n; returns its token."""
        v1 = self.v1
        cnic = "17301%07d%d" % (2_000_000 + n, n % 10)
        mobile = "0312%07d" % (2_000_000 + n)
        password = "Qissa-Khwani-%dz" % n
        reg = self.call(conn, "CitizenService", "Register", v1.RegisterRequest(
            name="Reliability Citizen", cnic=cnic, mobile=mobile, district_code=district, password=password),
            v1.RegisterResponse)
        code = self.sms_code(data, "+92" + mobile[1:])
        self.call(conn, "CitizenService", "VerifyMobile", v1.VerifyMobileRequest(citizen_id=reg.citizen_id, code=code),
                  v1.VerifyMobileResponse)
        session = self.call(conn, "CitizenService", "Login", v1.CitizenLoginRequest(cnic=cnic, password=password), v1.Session)
        return session.token
