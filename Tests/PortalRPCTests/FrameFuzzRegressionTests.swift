import Foundation
import Testing

// Replays the FuzzFrameDecoder inputs in the normal test run: every file in
// Tests/PortalRPCTests/FrameFuzzRegressions/ (inputs that once crashed the fuzzer or broke one
// of its checks) and in FuzzTesting/Corpus/FuzzFrameDecoder/ (the committed seed corpus) goes
// through `frameFuzzCheck`, the fuzzer's own check (FrameFuzzCheck.swift, a symbolic link to the
// fuzzer's file). Files are found relative to this source file, so no resources are copied.
// See FuzzTesting/README.md.

@Suite struct FrameFuzzRegressionTests {
    static let testsDirectory = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
    static let repositoryRoot = testsDirectory.deletingLastPathComponent().deletingLastPathComponent()
    static let regressionsDirectory = testsDirectory.appendingPathComponent("FrameFuzzRegressions")
    static let corpusDirectory = repositoryRoot.appendingPathComponent("FuzzTesting/Corpus/FuzzFrameDecoder")

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

    func replay(_ file: URL) throws {
        let problem = frameFuzzCheck([UInt8](try Data(contentsOf: file)))
        #expect(problem == nil, "\(file.lastPathComponent): \(problem ?? "")")
    }
}
