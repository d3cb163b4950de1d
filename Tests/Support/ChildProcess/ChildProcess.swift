#if canImport(Glibc)
import Glibc
#endif
import Synchronization

/// Runs external programs (protoc, python3, sha256sum) for tests, on `posix_spawn`.
///
/// Not Foundation's `Process`: on Linux its `run()` crashes intermittently (a 256-byte
/// over-read of `struct dirent` while it lists /proc/self/fd, swift-corelibs-foundation PR
/// #5472, present in the Swift 6.3.1 toolchain this project builds with); it took a whole CI
/// run down once. Standard input comes from a file (or /dev/null), standard output and error
/// go to files, so no pipe can fill up and deadlock; descriptors of the test process (the RPC
/// tests' sockets) are not inherited.
public enum ChildProcess {
    public struct Result: Sendable {
        /// The exit status, or 128 + the signal number if a signal ended the program.
        public var status: Int32
        public var stdout: [UInt8]
        public var stderr: [UInt8]
        public var succeeded: Bool { status == 0 }
        public var stdoutText: String { String(decoding: stdout, as: UTF8.self) }
        public var stderrText: String { String(decoding: stderr, as: UTF8.self) }
    }

    public struct Failure: Error, CustomStringConvertible {
        public var description: String
        public init(description: String) { self.description = description }
    }

    /// Runs `executable` (an absolute path) to completion. Waits on a thread of its own, so
    /// no cooperative thread is held while the program runs.
    public static func run(_ executable: String, _ arguments: [String], stdin: [UInt8]? = nil) async throws -> Result {
        let child = try Spawned(executable, arguments, stdin: stdin)
        let status = await withCheckedContinuation { (c: CheckedContinuation<Int32, Never>) in
            let box = Unmanaged.passRetained(WaitJob(pid: child.pid, continuation: c)).toOpaque()
            var thread = pthread_t()
            let started = pthread_create(&thread, nil, { raw in
                let job = Unmanaged<WaitJob>.fromOpaque(raw!).takeRetainedValue()
                job.continuation.resume(returning: ChildProcess.waitForExit(job.pid))
                return nil
            }, box)
            if started == 0 {
                pthread_detach(thread)
            } else {
                let job = Unmanaged<WaitJob>.fromOpaque(box).takeRetainedValue()
                job.continuation.resume(returning: ChildProcess.waitForExit(job.pid))
            }
        }
        return child.collect(status)
    }

    /// The blocking form (for one-time checks in static initialisers).
    public static func runBlocking(_ executable: String, _ arguments: [String], stdin: [UInt8]? = nil) throws -> Result {
        let child = try Spawned(executable, arguments, stdin: stdin)
        return child.collect(waitForExit(child.pid))
    }

    private final class WaitJob {
        let pid: pid_t
        let continuation: CheckedContinuation<Int32, Never>
        init(pid: pid_t, continuation: CheckedContinuation<Int32, Never>) {
            self.pid = pid
            self.continuation = continuation
        }
    }

    static func waitForExit(_ pid: pid_t) -> Int32 {
        var status: Int32 = 0
        while waitpid(pid, &status, 0) < 0 {
            guard errno == EINTR else { return -1 }
        }
        let signal = status & 0x7F
        return signal == 0 ? (status >> 8) & 0xFF : 128 + signal
    }
}

/// One started child and the scratch files of its standard streams.
private struct Spawned {
    let pid: pid_t
    let directory: String

    init(_ executable: String, _ arguments: [String], stdin: [UInt8]?) throws {
        var template = Array("/tmp/child-process-XXXXXX".utf8CString)
        guard let dir = mkdtemp(&template) else { throw ChildProcess.Failure(description: "mkdtemp failed: errno \(errno)") }
        directory = String(cString: dir)
        let inputPath: String
        if let stdin {
            inputPath = directory + "/stdin"
            try Self.write(stdin, to: inputPath)
        } else {
            inputPath = "/dev/null"
        }
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, inputPath, O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 1, directory + "/stdout", O_WRONLY | O_CREAT | O_TRUNC, 0o600)
        posix_spawn_file_actions_addopen(&actions, 2, directory + "/stderr", O_WRONLY | O_CREAT | O_TRUNC, 0o600)
        if let closeFrom = Self.addCloseFrom { _ = closeFrom(&actions, 3) }
        let argv: [UnsafeMutablePointer<CChar>?] = ([executable] + arguments).map { strdup($0) } + [nil]
        defer { for p in argv { free(p) } }
        var pid: pid_t = 0
        let rc = posix_spawn(&pid, executable, &actions, nil, argv, environ)
        guard rc == 0 else {
            Self.remove(directory)
            throw ChildProcess.Failure(description: "posix_spawn \(executable) failed: \(String(cString: strerror(rc)))")
        }
        self.pid = pid
    }

    /// glibc's `posix_spawn_file_actions_addclosefrom_np` (2.34+), which the Glibc module does
    /// not declare: the child closes every descriptor from 3 up.
    private typealias AddCloseFrom = @convention(c) (UnsafeMutablePointer<posix_spawn_file_actions_t>?, Int32) -> Int32
    private static let addCloseFrom: AddCloseFrom? = {
        guard let symbol = dlsym(UnsafeMutableRawPointer(bitPattern: 0), "posix_spawn_file_actions_addclosefrom_np") else { return nil }
        return unsafeBitCast(symbol, to: AddCloseFrom.self)
    }()

    func collect(_ status: Int32) -> ChildProcess.Result {
        defer { Self.remove(directory) }
        return ChildProcess.Result(status: status, stdout: Self.read(directory + "/stdout"), stderr: Self.read(directory + "/stderr"))
    }

    static func write(_ bytes: [UInt8], to path: String) throws {
        let fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o600)
        guard fd >= 0 else { throw ChildProcess.Failure(description: "cannot create \(path): errno \(errno)") }
        defer { close(fd) }
        var offset = 0
        while offset < bytes.count {
            let n = bytes[offset...].withUnsafeBytes { Glibc.write(fd, $0.baseAddress, $0.count) }
            if n < 0 && errno == EINTR { continue }
            guard n > 0 else { throw ChildProcess.Failure(description: "cannot write \(path): errno \(errno)") }
            offset += n
        }
    }

    static func read(_ path: String) -> [UInt8] {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { return [] }
        defer { close(fd) }
        var out: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 65536)
        while true {
            let n = chunk.withUnsafeMutableBytes { Glibc.read(fd, $0.baseAddress, $0.count) }
            if n < 0 && errno == EINTR { continue }
            guard n > 0 else { break }
            out += chunk[..<n]
        }
        return out
    }

    static func remove(_ directory: String) {
        for name in ["stdin", "stdout", "stderr"] { unlink(directory + "/" + name) }
        rmdir(directory)
    }
}
