import Foundation
import Testing
@testable import SchemaCompiler

/// Every corpus file, every file in Schema/ and the well-known types are compiled both by
/// SchemaLoader (in process) and by `protoc --descriptor_set_out`: the accept/reject decision
/// must be the same, and for accepted files our model must equal protoc's descriptor
/// (compared by compare_descriptors.py).
@Suite("Cross-check against protoc")
struct ProtocCrossCheckTests {
    @Test("Accept/reject decision matches protoc", arguments: CorpusFiles.all)
    func decisionMatchesProtoc(_ file: ProtoCase) async throws {
        guard let protoc = ExternalTools.protoc else { return ExternalTools.reportMissing("protoc") }
        let directory = try ExternalTools.makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let theirs = try await ExternalTools.runProtoc(protoc, on: file,
                                                 descriptorSetOut: (directory as NSString).appendingPathComponent("set.pb"))
        let ours = InProcessCompiler.compile(file)
        let weAccept = ours.errors.isEmpty

        if CorpusFiles.protocDecisionExclusions.contains(file.path) {
            // A deliberate difference (proto2): we reject, protoc accepts. If protoc starts
            // rejecting the file too, the exclusion is stale and should go.
            #expect(!weAccept, "\(file.path) is excluded because we reject it, but we accept it")
            #expect(theirs.succeeded, "\(file.path) is excluded because protoc accepts it, but protoc rejects it:\n\(theirs.stderr)")
            return
        }
        #expect(weAccept == theirs.succeeded, """
            \(file.path): we \(weAccept ? "accept" : "reject"), protoc \(theirs.succeeded ? "accepts" : "rejects").
            our errors:
            \(ours.errors.map(\.description).joined(separator: "\n"))
            protoc:
            \(theirs.stderr)
            """)
        // The corpus layout states the intent; a file in the wrong folder is a corpus bug.
        if file.isAcceptCase { #expect(weAccept, "\(file.path) is under accept/ but is rejected") }
        if file.isRejectCase { #expect(!weAccept, "\(file.path) is under reject/ but is accepted") }
    }

    @Test("Accepted files: our model equals protoc's descriptor",
          arguments: CorpusFiles.accept + CorpusFiles.schema + CorpusFiles.wellKnownTypes)
    func modelMatchesProtocDescriptor(_ file: ProtoCase) async throws {
        guard let protoc = ExternalTools.protoc else { return ExternalTools.reportMissing("protoc") }
        guard ExternalTools.pythonHasProtobuf else {
            return ExternalTools.reportMissing("\(ExternalTools.python) with python3-protobuf")
        }
        let directory = try ExternalTools.makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let setPath = (directory as NSString).appendingPathComponent("protoc.pb")
        let jsonPath = (directory as NSString).appendingPathComponent("ours.json")

        let theirs = try await ExternalTools.runProtoc(protoc, on: file, descriptorSetOut: setPath)
        try #require(theirs.succeeded, "protoc rejects \(file.path):\n\(theirs.stderr)")
        guard case .accepted(let files) = InProcessCompiler.compile(file) else {
            Issue.record("we reject \(file.path): \(InProcessCompiler.compile(file).errors)")
            return
        }
        try Data(DescriptorDump.json(files).utf8).write(to: URL(fileURLWithPath: jsonPath))

        let comparison = try await ExternalTools.run(ExternalTools.python, [CorpusFiles.compareScript, setPath, jsonPath, file.path])
        #expect(comparison.status == 0, "\(file.path) differs from protoc:\n\(comparison.stdout)\(comparison.stderr)")
    }

    @Test("The comparison script reports a difference")
    func comparisonScriptCanFail() async throws {
        guard let protoc = ExternalTools.protoc, ExternalTools.pythonHasProtobuf else {
            return ExternalTools.reportMissing("protoc or \(ExternalTools.python) with python3-protobuf")
        }
        let file = ProtoCase(root: CorpusFiles.corpusRoot, path: "accept/maps.proto")
        let directory = try ExternalTools.makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let setPath = (directory as NSString).appendingPathComponent("protoc.pb")
        let jsonPath = (directory as NSString).appendingPathComponent("ours.json")
        try #require(try await ExternalTools.runProtoc(protoc, on: file, descriptorSetOut: setPath).succeeded)
        guard case .accepted(let files) = InProcessCompiler.compile(file) else {
            Issue.record("accept/maps.proto must compile")
            return
        }
        // Rename one map entry the way a wrong MapEntryName would.
        let tampered = DescriptorDump.json(files).replacingOccurrences(of: "\"FooBarEntry\"", with: "\"Foo_barEntry\"")
        try #require(tampered != DescriptorDump.json(files))
        try Data(tampered.utf8).write(to: URL(fileURLWithPath: jsonPath))

        let comparison = try await ExternalTools.run(ExternalTools.python, [CorpusFiles.compareScript, setPath, jsonPath, file.path])
        #expect(comparison.status == 1)
        #expect(comparison.stdout.contains("protoc='FooBarEntry' ours='Foo_barEntry'"))
    }
}
