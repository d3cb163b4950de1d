import PortalRPC
import Synchronization

/// Collects a logger's lines in memory (the logger's thread appends; tests read after `flush`).
final class LogCapture: Sendable {
    private let captured = Mutex<[String]>([])

    /// A logger writing here.
    func logger(level: LogLevel = .debug, format: LogFormat = .json, capacity: Int = Logger.defaultCapacity) -> Logger {
        Logger(level: level, format: format, output: .lines { line in self.captured.withLock { $0.append(line) } }, capacity: capacity)
    }

    var lines: [String] { captured.withLock { $0 } }
    var text: String { lines.joined() }
}
