import Foundation
import SchemaCompiler
import Testing

// Replays the FuzzSchemaParser inputs in the normal test run: every file in
// Tests/SchemaCompilerTests/SchemaFuzzRegressions/ (inputs that once crashed the fuzzer, hung,
// or broke one of its checks) and in FuzzTesting/Corpus/FuzzSchemaParser/ (the committed seed
// corpus) goes through `schemaFuzzCheck`, the fuzzer's own check (SchemaFuzzCheck.swift, a
// symbolic link to the fuzzer's file), with the same in-memory imports. Files are found relative to
// this source file. See FuzzTesting/README.md.

@Suite struct SchemaFuzzRegressionTests {
    static let testsDirectory = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
    static let repositoryRoot = testsDirectory.deletingLastPathComponent().deletingLastPathComponent()
    static let regressionsDirectory = testsDirectory.appendingPathComponent("SchemaFuzzRegressions")
    static let corpusDirectory = repositoryRoot.appendingPathComponent("FuzzTesting/Corpus/FuzzSchemaParser")
    static let dependencies = schemaFuzzDependencies(repositoryRoot: repositoryRoot.path)

    /// Every input file (not README.md) of a directory, sorted.
    static func inputs(in directory: URL) -> [String] {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: directory.path)) ?? []
        return names.filter { !$0.hasPrefix(".") && !$0.hasSuffix(".md") }.sorted()
    }

    static let regressionInputs = inputs(in: regressionsDirectory)
    static let corpusInputs = inputs(in: corpusDirectory)

    @Test func inputsAreFound() {
        // Guards against the replay silently checking nothing after a move.
        #expect(Self.corpusInputs.count >= 20, "seed corpus not found at \(Self.corpusDirectory.path)")
        #expect(Self.dependencies.count >= 20, "schemas not found under \(Self.repositoryRoot.path)")
        #expect(Self.dependencies["google/protobuf/timestamp.proto"] != nil)
        #expect(FileManager.default.fileExists(atPath: Self.regressionsDirectory.path))
    }

    @Test(arguments: regressionInputs)
    func regression(_ name: String) throws {
        try replay(Self.regressionsDirectory.appendingPathComponent(name))
    }

    @Test(arguments: corpusInputs)
    func corpus(_ name: String) throws {
        try replay(Self.corpusDirectory.appendingPathComponent(name))
    }

    /// FuzzSchemaParser's first finding (LeakSanitizer): declarations held their file strongly
    /// (`MessageDecl.file`, `EnumDecl.file`, `ServiceDecl.file`), so every compiled file was a
    /// reference cycle and never freed. Compiled from memory through `SchemaLoader(sources:)`.
    @Test func compiledFileIsFreedOnceReleased() throws {
        weak var released: ProtoFile?
        do {
            let source = """
                syntax = "proto3";
                package leak;
                message A { int32 x = 1; B b = 2; enum E { E_ZERO = 0; } }
                message B { A.E e = 1; }
                enum Top { TOP_ZERO = 0; }
                service S { rpc M(A) returns (B); }
                """
            let loader = SchemaLoader(importPaths: ["/nonexistent"], sources: ["leak.proto": source])
            let files = try loader.loadAll(["leak.proto"])
            let file = try #require(files.first)
            #expect(file.messages[0].file === file && file.enums[0].file === file && file.services[0].file === file)
            #expect(!SwiftEmitter(file: file).emit().isEmpty)
            released = file
        }
        #expect(released == nil, "a compiled ProtoFile is still alive after its loader and model were dropped")
    }

    func replay(_ file: URL) throws {
        let problem = schemaFuzzCheck([UInt8](try Data(contentsOf: file)), dependencies: Self.dependencies)
        #expect(problem == nil, "\(file.lastPathComponent): \(problem ?? "")")
    }
}
