import PortalRPC
import Synchronization

/// Collects a logger's lines in memory (the logger's thread appends; tests read after `flush`).
/// Shared by the RPC and services tests.
public final class LogCapture: Sendable {
    private let captured = Mutex<[String]>([])

    public init() {}

    /// A logger writing here.
    public func logger(level: LogLevel = .debug, format: LogFormat = .json, capacity: Int = Logger.defaultCapacity) -> Logger {
        Logger(level: level, format: format, output: .lines { line in self.captured.withLock { $0.append(line) } }, capacity: capacity)
    }

    public var lines: [String] { captured.withLock { $0 } }
    public var text: String { lines.joined() }
}
