#if canImport(Glibc)
import Glibc
#endif
import Synchronization

/// A structured logger: levels, `text` or `json` lines, and a writer thread of its own.
///
///     let log = Logger(level: .info, format: .json)
///     log.info("listening", ["address": "127.0.0.1:50051"])
///
/// Logging never waits for the output: a line is a record appended to a bounded queue under a
/// lock (formatting and writing happen on the logger's thread), so an event loop or a handler
/// is never held up by a slow or stuck stderr. When `capacity` lines are waiting, further lines
/// are dropped and counted (`droppedLines`); the next line written says how many were lost.
///
/// Inside a call's handler, `RequestID.current` is added as `request_id` to every line.
/// Fields are the program's own ids, codes, method names and counts: callers must never
/// pass request content (CNICs, mobile numbers, e-mail addresses, passwords, tokens, codes).
public final class Logger: Sendable {
    public enum Output: Sendable {
        /// File descriptor 2, written with write(2) (no stdio buffering).
        case standardError
        case fileDescriptor(Int32)
        /// Each line (with its newline) to a closure, on the logger's thread (tests).
        case lines(@Sendable (String) -> Void)
    }

    public static let defaultCapacity = 10_000

    public let level: LogLevel
    public let format: LogFormat
    private let output: Output
    private let capacity: Int
    private let state = Mutex(State())
    private let wake = WakeSignal()

    private struct State {
        var pending: [LogRecord] = []
        /// The writer sleeps on `wake` and must be posted when a line arrives.
        var writerAsleep = false
        var closed = false
        /// Lines accepted into the queue, and lines the writer has finished with.
        var accepted: UInt64 = 0
        var done: UInt64 = 0
        /// Lines lost (queue full, logger closed, output failing), and those not yet reported.
        var dropped: UInt64 = 0
        var unreported: UInt64 = 0
    }

    public init(level: LogLevel = .info, format: LogFormat = .text, output: Output = .standardError,
                capacity: Int = Logger.defaultCapacity) {
        self.level = level
        self.format = format
        self.output = output
        self.capacity = max(1, capacity)
        let box = Unmanaged.passRetained(self).toOpaque()  // released when the thread ends (close())
        var tid = pthread_t()
        pthread_create(&tid, nil, { raw in
            let logger = Unmanaged<Logger>.fromOpaque(raw!).takeRetainedValue()
            logger.run()
            return nil
        }, box)
        pthread_detach(tid)
    }

    /// Whether lines of `level` are written (check before building costly fields).
    public func enables(_ level: LogLevel) -> Bool { level <= self.level }

    public func log(_ level: LogLevel, _ message: String, _ fields: [LogField] = []) {
        guard enables(level) else { return }
        var fields = fields
        if let id = RequestID.current, !fields.contains(where: { $0.key == "request_id" }) {
            fields.insert(LogField("request_id", .string(id.description)), at: 0)
        }
        var now = timespec()
        clock_gettime(CLOCK_REALTIME, &now)
        let record = LogRecord(seconds: now.tv_sec, nanoseconds: now.tv_nsec, level: level, message: message, fields: fields)
        let post = state.withLock { s -> Bool in
            guard !s.closed, s.pending.count < capacity else {
                s.dropped += 1
                if !s.closed { s.unreported += 1 }
                return false
            }
            s.pending.append(record)
            s.accepted += 1
            defer { s.writerAsleep = false }
            return s.writerAsleep
        }
        if post { wake.post() }
    }

    public func error(_ message: String, _ fields: KeyValuePairs<String, LogValue> = [:]) { log(.error, message, fields) }
    public func warn(_ message: String, _ fields: KeyValuePairs<String, LogValue> = [:]) { log(.warn, message, fields) }
    public func info(_ message: String, _ fields: KeyValuePairs<String, LogValue> = [:]) { log(.info, message, fields) }
    public func debug(_ message: String, _ fields: KeyValuePairs<String, LogValue> = [:]) { log(.debug, message, fields) }

    public func log(_ level: LogLevel, _ message: String, _ fields: KeyValuePairs<String, LogValue>) {
        guard enables(level) else { return }
        log(level, message, fields.map { LogField($0.key, $0.value) })
    }

    /// Lines lost since the logger started: the queue was full, the output failed, or the
    /// logger was closed.
    public var droppedLines: UInt64 { state.withLock { $0.dropped } }

    /// Returns once every line logged before the call is written, or after `timeout`.
    /// Polls with `Task.sleep`: no thread is blocked while it waits.
    public func flush(timeout: Duration = .seconds(5)) async {
        let target = state.withLock { $0.accepted }
        let deadline = ContinuousClock.now + timeout
        while state.withLock({ $0.done }) < target, ContinuousClock.now < deadline {
            try? await Task.sleep(for: .milliseconds(1))
        }
    }

    /// Writes what is queued, then ends the logger's thread; later lines are dropped.
    public func close() {
        let post = state.withLock { s -> Bool in
            s.closed = true
            defer { s.writerAsleep = false }
            return s.writerAsleep
        }
        if post { wake.post() }
    }

    // MARK: The writer thread

    private func run() {
        while true {
            let taken = state.withLock { s -> (lines: [LogRecord], unreported: UInt64, closed: Bool)? in
                guard !s.pending.isEmpty || s.unreported > 0 || s.closed else {
                    s.writerAsleep = true
                    return nil
                }
                defer {
                    s.pending = []
                    s.unreported = 0
                }
                return (s.pending, s.unreported, s.closed)
            }
            guard let taken else {
                wake.wait()
                continue
            }
            var lines: [String] = []
            lines.reserveCapacity(taken.lines.count + 1)
            if taken.unreported > 0 {
                var now = timespec()
                clock_gettime(CLOCK_REALTIME, &now)
                let note = LogRecord(seconds: now.tv_sec, nanoseconds: now.tv_nsec, level: .warn,
                                     message: "log lines dropped (output too slow)", fields: [LogField("dropped", .int(Int64(taken.unreported)))])
                lines.append(note.line(format))
            }
            for record in taken.lines { lines.append(record.line(format)) }
            let written = emit(lines)
            state.withLock { s in
                s.done += UInt64(taken.lines.count)
                if !written { s.dropped += UInt64(taken.lines.count) }
            }
            if taken.closed { return }  // releases the logger (see init)
        }
    }

    /// Writes the lines; false if the output failed (a closed pipe, a bad descriptor).
    private func emit(_ lines: [String]) -> Bool {
        switch output {
        case .lines(let sink):
            for line in lines { sink(line) }
            return true
        case .standardError:
            return Self.write(lines.joined(), to: 2)
        case .fileDescriptor(let fd):
            return Self.write(lines.joined(), to: fd)
        }
    }

    private static func write(_ text: String, to fd: Int32) -> Bool {
        var text = text
        return text.withUTF8 { bytes in
            var offset = 0
            while offset < bytes.count {
                let n = Glibc.write(fd, bytes.baseAddress! + offset, bytes.count - offset)
                if n > 0 {
                    offset += n
                } else if n < 0 && errno == EINTR {
                    continue
                } else if n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK) {
                    var p = pollfd(fd: fd, events: Int16(POLLOUT), revents: 0)
                    _ = poll(&p, 1, 100)  // a non-blocking descriptor: wait here, on our thread
                } else {
                    return false
                }
            }
            return true
        }
    }
}

/// A counting semaphore the writer thread sleeps on.
private final class WakeSignal: @unchecked Sendable {
    // @unchecked: sem_t is thread-safe by design.
    private let semaphore = UnsafeMutablePointer<sem_t>.allocate(capacity: 1)

    init() { sem_init(semaphore, 0, 0) }

    deinit {
        sem_destroy(semaphore)
        semaphore.deallocate()
    }

    func post() { sem_post(semaphore) }

    func wait() {
        while sem_wait(semaphore) != 0 && errno == EINTR {}
    }
}
