import Foundation
import Testing

/// One `.proto` file to compile: an import root and the file's path under it (its import
/// path, which is also how errors name it).
struct ProtoCase: Sendable, CustomTestStringConvertible {
    /// Import root the path is relative to (`Corpus/`, `Schema/` or the well-known types).
    var root: String
    /// Import path, e.g. `reject/maps/float_key.proto`.
    var path: String

    var testDescription: String { path }
    var diskPath: String { (root as NSString).appendingPathComponent(path) }
    var isAcceptCase: Bool { path.hasPrefix("accept/") }
    var isRejectCase: Bool { path.hasPrefix("reject/") }
}

/// What a reject file promises about our error: `// expect-error: <substring>` on line 1 and
/// optionally `// expect-line: N` on line 2.
struct RejectExpectation: Sendable {
    var substring: String
    var line: Int?
}

/// The tricky-schema corpus under `Corpus/` and the real schemas, found relative to this
/// source file so the tests read the files in the repository.
enum CorpusFiles {
    static let testsDirectory = URL(fileURLWithPath: #filePath).deletingLastPathComponent().path
    static let repositoryRoot = URL(fileURLWithPath: testsDirectory)
        .deletingLastPathComponent().deletingLastPathComponent().path
    static let corpusRoot = (testsDirectory as NSString).appendingPathComponent("Corpus")
    static let schemaRoot = (repositoryRoot as NSString).appendingPathComponent("Schema")
    static let wellKnownTypesRoot = (repositoryRoot as NSString).appendingPathComponent("Tools/WellKnownTypes")
    static let compareScript = (testsDirectory as NSString).appendingPathComponent("compare_descriptors.py")

    /// Files whose accept/reject decision is deliberately not protoc's: proto2 is rejected on
    /// purpose (portal-codegen compiles proto3 only), while protoc accepts it.
    static let protocDecisionExclusions: Set<String> = ["reject/proto3/proto2_file.proto"]

    /// Every `.proto` file under `root`, as sorted import paths.
    static func protoFiles(under root: String, prefix: String = "") -> [String] {
        let base = (root as NSString).appendingPathComponent(prefix)
        guard let walker = FileManager.default.enumerator(atPath: base) else { return [] }
        var paths: [String] = []
        while let relative = walker.nextObject() as? String {
            if relative.hasSuffix(".proto") { paths.append((prefix as NSString).appendingPathComponent(relative)) }
        }
        return paths.sorted()
    }

    static let accept: [ProtoCase] = protoFiles(under: corpusRoot, prefix: "accept").map { ProtoCase(root: corpusRoot, path: $0) }
    static let reject: [ProtoCase] = protoFiles(under: corpusRoot, prefix: "reject").map { ProtoCase(root: corpusRoot, path: $0) }
    static let schema: [ProtoCase] = protoFiles(under: schemaRoot).map { ProtoCase(root: schemaRoot, path: $0) }
    static let wellKnownTypes: [ProtoCase] = protoFiles(under: wellKnownTypesRoot).map { ProtoCase(root: wellKnownTypesRoot, path: $0) }

    /// Everything the cross-check runs on.
    static let all: [ProtoCase] = accept + reject + schema + wellKnownTypes

    /// Import paths for compiling `file`: its root, then the well-known types.
    static func importPaths(for file: ProtoCase) -> [String] {
        file.root == wellKnownTypesRoot ? [file.root] : [file.root, wellKnownTypesRoot]
    }

    /// Reads the `expect-error` / `expect-line` header of a reject file.
    static func expectation(for file: ProtoCase) throws -> RejectExpectation {
        let data = try #require(FileManager.default.contents(atPath: file.diskPath), "cannot read \(file.diskPath)")
        let lines = String(decoding: data, as: UTF8.self).split(separator: "\n", maxSplits: 2, omittingEmptySubsequences: false)
        let errorPrefix = "// expect-error: "
        let linePrefix = "// expect-line: "
        let first = try #require(lines.first.map(String.init), "\(file.path) is empty")
        try #require(first.hasPrefix(errorPrefix), "\(file.path) must start with `\(errorPrefix)<substring>`")
        let substring = String(first.dropFirst(errorPrefix.count))
        try #require(!substring.isEmpty, "\(file.path) has an empty expect-error")
        var line: Int?
        if lines.count > 1, lines[1].hasPrefix(linePrefix) {
            let parsed: Int? = Int(String(lines[1].dropFirst(linePrefix.count)))
            let value: Int = try #require(parsed, "\(file.path): bad expect-line")
            line = value
        }
        return RejectExpectation(substring: substring, line: line)
    }
}
