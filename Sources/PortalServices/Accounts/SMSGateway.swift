import PortalSecurity
import Synchronization
#if canImport(Glibc)
import Glibc
#endif

/// Where SMS messages leave the portal. This is the seam a real SMS provider plugs into:
/// implement `send` with the provider's API (and retry/queue as it requires). No RPC ever
/// reveals a verification code; only the phone (or, by default, the outbox file) sees it.
///
/// `send` is called from the registration handlers, which run on an event loop thread: it must
/// never block. Network or file I/O is awaited (async I/O, or a thread of the gateway's own, as
/// `OutboxSMSGateway` does); the calling task suspends meanwhile.
public protocol SMSGateway: Sendable {
    func send(to mobile: String, text: String) async throws
}

/// The default gateway: appends one line per SMS to `<data>/sms-outbox.log`
/// (`<unix-ms>\t<+923XXXXXXXXX>\t<text>`), so development servers, tests and the Linux test
/// client can read codes without a provider. The file is created with mode 0600.
///
/// The file is opened and written on a thread of the gateway's own, one line at a time (which
/// also keeps lines whole and in order); `send` suspends until its line is written. A slow or
/// stuck disk holds up that thread and the registrations waiting for it, never an event loop.
public final class OutboxSMSGateway: SMSGateway {
    public let path: String
    private let writer: BlockingWorkerPool

    /// Lines allowed to wait for the writer; more fail the registration with UNAVAILABLE.
    public static let maxQueuedLines = 256

    public init(path: String) {
        self.path = path
        writer = BlockingWorkerPool(name: "sms-outbox", threads: 1, maxQueued: Self.maxQueuedLines)
    }

    deinit {
        writer.shutdown()
    }

    public func send(to mobile: String, text: String) async throws {
        let line = Array("\(SystemClock().nowMillis())\t\(mobile)\t\(text.replacingTabsAndNewlines)\n".utf8)
        let path = self.path
        do {
            try await writer.run { try Self.append(line, to: path) }
        } catch is BlockingWorkerPool.Rejection {
            throw PortalError.unavailable("SMS outbox is busy")
        }
    }

    /// On the writer thread.
    private static func append(_ line: [UInt8], to path: String) throws(PortalError) {
        let fd = open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0o600)
        guard fd >= 0 else { throw .unavailable("SMS outbox cannot be opened") }
        defer { close(fd) }
        guard writeAll(fd, line) else { throw .unavailable("SMS outbox cannot be written") }
    }
}

/// Keeps sent messages in memory (tests that do not want a file).
public final class MemorySMSGateway: SMSGateway {
    private let sent = Mutex<[(mobile: String, text: String)]>([])

    public init() {}

    public func send(to mobile: String, text: String) throws {
        sent.withLock { $0.append((mobile, text)) }
    }

    public var messages: [(mobile: String, text: String)] { sent.withLock { $0 } }
}

extension String {
    var replacingTabsAndNewlines: String {
        String(map { $0 == "\t" || $0 == "\n" || $0 == "\r" ? " " : $0 })
    }
}
