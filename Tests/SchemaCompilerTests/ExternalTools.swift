import Foundation
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
        let check = try? run(python, ["-c", "from google.protobuf import descriptor_pb2"])
        return check?.succeeded == true
    }()

    /// Runs a program, with stdout and stderr captured through files (no pipe deadlocks).
    static func run(_ executable: String, _ arguments: [String]) throws -> ToolRun {
        let directory = try makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let outPath = (directory as NSString).appendingPathComponent("stdout")
        let errPath = (directory as NSString).appendingPathComponent("stderr")
        _ = FileManager.default.createFile(atPath: outPath, contents: nil)
        _ = FileManager.default.createFile(atPath: errPath, contents: nil)
        let out = try FileHandle(forWritingTo: URL(fileURLWithPath: outPath))
        let err = try FileHandle(forWritingTo: URL(fileURLWithPath: errPath))
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        process.standardOutput = out
        process.standardError = err
        try process.run()
        process.waitUntilExit()
        try out.close()
        try err.close()
        let read = { (path: String) in String(decoding: FileManager.default.contents(atPath: path) ?? Data(), as: UTF8.self) }
        return ToolRun(status: process.terminationStatus, stdout: read(outPath), stderr: read(errPath))
    }

    /// `protoc -I <root> [-I <well-known types>] --descriptor_set_out=<out> <file>`.
    static func runProtoc(_ protoc: String, on file: ProtoCase, descriptorSetOut: String) throws -> ToolRun {
        var arguments = CorpusFiles.importPaths(for: file).map { "--proto_path=\($0)" }
        arguments += ["--descriptor_set_out=\(descriptorSetOut)", file.diskPath]
        return try run(protoc, arguments)
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
