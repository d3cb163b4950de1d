import Foundation
import ChildProcess
import Testing

/// The result of running a program to completion.
struct ToolRun {
    var status: Int32
    var stdout: String
    var stderr: String
    var succeeded: Bool { status == 0 }
}

extension ToolRun {
    init(_ r: ChildProcess.Result) {
        self.init(status: r.status, stdout: r.stdoutText, stderr: r.stderrText)
    }
}

/// protoc and Debian's python3 (with python3-protobuf), run through `ChildProcess`
/// (posix_spawn; Foundation's `Process.run()` crashes intermittently on Linux).
enum ExternalTools {
    static let protocCandidates = ["/usr/bin/protoc", "/usr/local/bin/protoc"]
    /// Debian's interpreter: the pyenv `python3` on PATH has no protobuf module.
    static let python = "/usr/bin/python3"

    static var protoc: String? {
        if let env = ProcessInfo.processInfo.environment["PROTOC"], FileManager.default.isExecutableFile(atPath: env) {
            return env
        }
        return protocCandidates.first { FileManager.default.isExecutableFile(atPath: $0) }
    }

    /// Whether /usr/bin/python3 can import `google.protobuf.descriptor_pb2`.
    static let pythonHasProtobuf: Bool = {
        guard FileManager.default.isExecutableFile(atPath: python) else { return false }
        let check = try? runBlocking(python, ["-c", "from google.protobuf import descriptor_pb2"])
        return check?.succeeded == true
    }()

    /// Runs a program to completion, stdout and stderr captured through files (no pipe
    /// deadlocks), waiting on a thread of its own: a blocked cooperative thread would starve
    /// the other suites' tasks (the RPC tests' handlers among them) on a small machine.
    static func run(_ executable: String, _ arguments: [String]) async throws -> ToolRun {
        ToolRun(try await ChildProcess.run(executable, arguments))
    }

    /// The blocking form, for the one-time interpreter check in a static initializer.
    static func runBlocking(_ executable: String, _ arguments: [String]) throws -> ToolRun {
        ToolRun(try ChildProcess.runBlocking(executable, arguments))
    }

    /// `protoc -I <root> [-I <well-known types>] --descriptor_set_out=<out> <file>`.
    static func runProtoc(_ protoc: String, on file: ProtoCase, descriptorSetOut: String) async throws -> ToolRun {
        var arguments = CorpusFiles.importPaths(for: file).map { "--proto_path=\($0)" }
        arguments += ["--descriptor_set_out=\(descriptorSetOut)", file.diskPath]
        return try await run(protoc, arguments)
    }

    static func makeTemporaryDirectory() throws -> String {
        let path = (NSTemporaryDirectory() as NSString).appendingPathComponent("SchemaCompilerTests-\(UUID().uuidString)")
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        return path
    }

    /// A missing tool fails the test when `CI` is set; locally it is recorded as a known issue.
    static func reportMissing(_ what: String, sourceLocation: SourceLocation = #_sourceLocation) {
        let message = "\(what) is not installed; the protoc cross-check cannot run."
        if ProcessInfo.processInfo.environment["CI"] != nil {
            Issue.record(Comment(rawValue: message), sourceLocation: sourceLocation)
        } else {
            withKnownIssue(Comment(rawValue: message)) {
                Issue.record(Comment(rawValue: message), sourceLocation: sourceLocation)
            }
        }
    }
}
