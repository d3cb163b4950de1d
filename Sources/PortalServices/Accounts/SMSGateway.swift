import Synchronization
#if canImport(Glibc)
import Glibc
#endif

/// Where SMS messages leave the portal. This is the seam a real SMS provider plugs into:
/// implement `send` with the provider's API (and retry/queue as it requires). No RPC ever
/// reveals a verification code; only the phone (or, by default, the outbox file) sees it.
public protocol SMSGateway: Sendable {
    func send(to mobile: String, text: String) throws
}

/// The default gateway: appends one line per SMS to `<data>/sms-outbox.log`
/// (`<unix-ms>\t<+923XXXXXXXXX>\t<text>`), so development servers, tests and the Linux test
/// client can read codes without a provider. The file is created with mode 0600.
public final class OutboxSMSGateway: SMSGateway {
    public let path: String
    private let lock = Mutex(())

    public init(path: String) { self.path = path }

    public func send(to mobile: String, text: String) throws {
        let line = "\(SystemClock().nowMillis())\t\(mobile)\t\(text.replacingTabsAndNewlines)\n"
        try lock.withLock { _ in
            let fd = open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0o600)
            guard fd >= 0 else { throw PortalError.unavailable("SMS outbox cannot be opened") }
            defer { close(fd) }
            guard writeAll(fd, Array(line.utf8)) else { throw PortalError.unavailable("SMS outbox cannot be written") }
        }
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
