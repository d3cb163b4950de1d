import Foundation
import Synchronization
import Testing

/// The result of running a program to completion.
struct ToolRun {
    var status: Int32
    var stdout: String
    var stderr: String
    var succeeded: Bool { status == 0 }
}

/// protoc and Debian's python3 (with python3-protobuf), run through Foundation `Process`.
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

    /// Runs a program to completion, with stdout and stderr captured through files (no pipe
    /// deadlocks). Waits without holding a thread: a blocked cooperative thread would starve
    /// the other suites' tasks (the RPC tests' handlers among them) on a small machine.
    static func run(_ executable: String, _ arguments: [String]) async throws -> ToolRun {
        let launched = try launch(executable, arguments)
        await withCheckedContinuation { (c: CheckedContinuation<Void, Never>) in
            launched.exited.withLock { state in
                if state.done { c.resume() } else { state.waiter = c }
            }
        }
        return try launched.result()
    }

    /// The blocking form, for the one-time interpreter check in a static initializer.
    static func runBlocking(_ executable: String, _ arguments: [String]) throws -> ToolRun {
        let launched = try launch(executable, arguments)
        launched.process.waitUntilExit()
        return try launched.result()
    }

    final class Launched: Sendable {
        let process: Process
        let directory: String
        let exited = Mutex<(done: Bool, waiter: CheckedContinuation<Void, Never>?)>((false, nil))
        let out: FileHandle
        let err: FileHandle

        init(process: Process, directory: String, out: FileHandle, err: FileHandle) {
            self.process = process
            self.directory = directory
            self.out = out
            self.err = err
        }

        func result() throws -> ToolRun {
            defer { try? FileManager.default.removeItem(atPath: directory) }
            try out.close()
            try err.close()
            let read = { (name: String) in
                String(decoding: FileManager.default.contents(atPath: (self.directory as NSString).appendingPathComponent(name)) ?? Data(),
                       as: UTF8.self)
            }
            return ToolRun(status: process.terminationStatus, stdout: read("stdout"), stderr: read("stderr"))
        }
    }

    private static func launch(_ executable: String, _ arguments: [String]) throws -> Launched {
        let directory = try makeTemporaryDirectory()
        let outPath = (directory as NSString).appendingPathComponent("stdout")
        let errPath = (directory as NSString).appendingPathComponent("stderr")
        _ = FileManager.default.createFile(atPath: outPath, contents: nil)
        _ = FileManager.default.createFile(atPath: errPath, contents: nil)
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        let launched = Launched(process: process, directory: directory,
                                out: try FileHandle(forWritingTo: URL(fileURLWithPath: outPath)),
                                err: try FileHandle(forWritingTo: URL(fileURLWithPath: errPath)))
        process.standardOutput = launched.out
        process.standardError = launched.err
        process.terminationHandler = { _ in
            let waiter = launched.exited.withLock { state -> CheckedContinuation<Void, Never>? in
                state.done = true
                defer { state.waiter = nil }
                return state.waiter
            }
            waiter?.resume()
        }
        try process.run()
        return launched
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
