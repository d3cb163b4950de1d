import LogCapture
import Foundation
import Synchronization
import Testing
@testable import PortalRPC

/// The structured logger: both line formats, levels, request ids from the task, and the
/// bounded queue that drops (and reports) lines instead of blocking when the output is slow.
@Suite struct LoggerTests {
    static let record = LogRecord(
        seconds: 1_700_000_000, nanoseconds: 123_456_789, level: .info, message: "call\nfinished",
        fields: [LogField("method", "/a.B/C"), LogField("note", "two words"), LogField("quote", "a\"b"),
                 LogField("n", 3), LogField("ms", 1.5), LogField("ok", true), LogField("empty", "")])

    @Test func textLines() {
        #expect(Self.record.line(.text)
                == "2023-11-14T22:13:20.123Z INFO  call\\nfinished method=/a.B/C note=\"two words\" quote=\"a\\\"b\" n=3 ms=1.5 ok=true empty=\"\"\n")
        var warn = Self.record
        warn.level = .warn
        warn.fields = []
        #expect(warn.line(.text) == "2023-11-14T22:13:20.123Z WARN  call\\nfinished\n")
    }

    @Test func jsonLinesParse() throws {
        let line = Self.record.line(.json)
        #expect(line.hasSuffix("}\n"))
        #expect(line.filter { $0 == "\n" }.count == 1)
        #expect(line.hasPrefix(#"{"ts":"2023-11-14T22:13:20.123Z","level":"info","msg":"call\nfinished","method":"/a.B/C""#))
        let object = try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
        #expect(object["msg"] as? String == "call\nfinished")
        #expect(object["quote"] as? String == "a\"b")
        #expect(object["n"] as? Int == 3)
        #expect(object["ms"] as? Double == 1.5)
        #expect(object["ok"] as? Bool == true)
        var odd = Self.record
        odd.fields = [LogField("nan", .double(.nan)), LogField("ctl", "\u{1}\u{7F}\t")]
        let parsed = try #require(try JSONSerialization.jsonObject(with: Data(odd.line(.json).utf8)) as? [String: Any])
        #expect(parsed["nan"] is NSNull)
        #expect(parsed["ctl"] as? String == "\u{1}\u{7F}\t")
    }

    @Test func levelsFilter() async {
        let capture = LogCapture()
        let logger = capture.logger(level: .warn, format: .text)
        defer { logger.close() }
        #expect(logger.enables(.error) && logger.enables(.warn))
        #expect(!logger.enables(.info) && !logger.enables(.debug))
        logger.debug("d")
        logger.info("i")
        logger.warn("w")
        logger.error("e", ["k": 1])
        await logger.flush()
        #expect(capture.lines.count == 2)
        #expect(capture.lines.first?.contains(" WARN  w") == true)
        #expect(capture.lines.last?.hasSuffix(" ERROR e k=1\n") == true)
        #expect(LogLevel(name: "warn") == .warn && LogLevel(name: "WARN") == nil)
    }

    @Test func requestIDComesFromTheTask() async {
        let capture = LogCapture()
        let logger = capture.logger(format: .text)
        defer { logger.close() }
        logger.info("outside")
        RequestID.$current.withValue(RequestID(0xABC)) {
            logger.info("inside", ["k": "v"])
            logger.info("explicit", ["request_id": "given"])
        }
        await logger.flush()
        let lines = capture.lines
        #expect(lines.count == 3)
        #expect(!lines[0].contains("request_id"))
        #expect(lines[1].hasSuffix(" inside request_id=0000000000000abc k=v\n"))
        #expect(lines[2].hasSuffix(" explicit request_id=given\n"))
    }

    @Test func requestIDsAreUniqueHex() {
        let source = RequestIDSource(seed: 0)
        var seen = Set<String>()
        for _ in 0..<10_000 { seen.insert(source.next().description) }
        #expect(seen.count == 10_000)
        #expect(seen.allSatisfy { $0.count == 16 && $0.allSatisfy(\.isHexDigit) })
        #expect(RequestID(1).description == "0000000000000001")
        #expect(RequestID(.max).description == "ffffffffffffffff")
    }

    /// A stuck output: the writer blocks in it; logging goes on without waiting, keeps
    /// `capacity` lines, counts the rest, and reports them once the output moves again.
    @Test(.timeLimit(.minutes(1))) func aStuckOutputDropsAndReports() async throws {
        final class Shared: Sendable {
            let open = Mutex(false)
            let entered = Mutex(false)
            let lines = Mutex<[String]>([])
        }
        let shared = Shared()
        let logger = Logger(level: .info, format: .text, output: .lines { line in
            shared.entered.withLock { $0 = true }
            while !shared.open.withLock({ $0 }) { usleep(1000) }  // the logger's own thread, not a task's
            shared.lines.withLock { $0.append(line) }
        }, capacity: 10)
        defer { logger.close() }
        logger.info("first")
        let deadline = ContinuousClock.now + .seconds(20)
        while !shared.entered.withLock({ $0 }), ContinuousClock.now < deadline { try await Task.sleep(for: .milliseconds(2)) }
        #expect(shared.entered.withLock { $0 })

        let started = ContinuousClock.now
        for i in 0..<50 { logger.info("line", ["i": .int(i)]) }
        #expect(ContinuousClock.now - started < .seconds(30))  // never waited for the output (it is held for good)
        #expect(logger.droppedLines == 40)

        shared.open.withLock { $0 = true }
        await logger.flush(timeout: .seconds(20))
        let lines = shared.lines.withLock { $0 }
        #expect(lines.count == 12)
        #expect(lines.first?.hasSuffix(" INFO  first\n") == true)
        #expect(lines.dropFirst().first?.hasSuffix(" WARN  log lines dropped (output too slow) dropped=40\n") == true)
        #expect(lines.last?.hasSuffix(" INFO  line i=9\n") == true)
    }

    @Test func closedLoggersDrop() async {
        let capture = LogCapture()
        let logger = capture.logger()
        logger.info("kept")
        await logger.flush()
        logger.close()
        logger.info("late")
        #expect(logger.droppedLines == 1)
        #expect(capture.lines.count == 1)
    }
}
