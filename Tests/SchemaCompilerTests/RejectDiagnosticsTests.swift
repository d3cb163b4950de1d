import Foundation
import Testing
@testable import SchemaCompiler

/// Each reject file names (a substring of) the error we must report, and optionally its
/// line; every error must read `relative/path.proto:LINE:COL: message`.
@Suite("Reject corpus diagnostics")
struct RejectDiagnosticsTests {
    /// `import/path.proto:12:5: message` — a relative path, 1-based line and column.
    static var errorFormat: Regex<Substring> { #/[A-Za-z0-9_][A-Za-z0-9_./-]*\.proto:[1-9][0-9]*:[1-9][0-9]*: \S.*/# }

    @Test("Our error matches the file's expect-error (and expect-line)", arguments: CorpusFiles.reject)
    func errorMatchesExpectation(_ file: ProtoCase) throws {
        let expectation = try CorpusFiles.expectation(for: file)
        let errors = InProcessCompiler.compile(file).errors
        try #require(!errors.isEmpty, "\(file.path) was accepted")

        for error in errors {
            #expect(error.description.wholeMatch(of: Self.errorFormat) != nil,
                    "not formatted path:line:col: message: \(error.description)")
            #expect(!error.location.file.hasPrefix("/"), "error path is not relative: \(error.description)")
        }
        let match = try #require(errors.first { $0.message.contains(expectation.substring) }, """
            no error of \(file.path) contains "\(expectation.substring)"; errors:
            \(errors.map(\.description).joined(separator: "\n"))
            """)
        if let line = expectation.line {
            #expect(match.location.file == file.path, "error reported in another file: \(match)")
            #expect(match.location.line == line, "expected line \(line): \(match)")
        }
    }

    @Test("Errors print as file:line:col: message")
    func errorDescriptionFormat() {
        let error = SchemaError(SchemaCompiler.SourceLocation(file: "portal/v1/x.proto", line: 3, column: 14), "Boom.")
        #expect(error.description == "portal/v1/x.proto:3:14: Boom.")
        let all = SchemaErrors([error, SchemaError(SchemaCompiler.SourceLocation(file: "a.proto", line: 1, column: 1), "Two.")])
        #expect(all.description == "portal/v1/x.proto:3:14: Boom.\na.proto:1:1: Two.")
    }

    @Test("An import cycle is reported at the import that starts it")
    func importCycleLocation() throws {
        let outcome = try InProcessCompiler.compile([
            "a.proto": "syntax = \"proto3\";\nimport \"b.proto\";\n",
            "b.proto": "syntax = \"proto3\";\n\nimport \"a.proto\";\n",
        ], main: "a.proto")
        let cycle = try #require(outcome.errors.first { $0.message.hasPrefix("File recursively imports itself") })
        #expect(cycle.description == "a.proto:2:1: File recursively imports itself: a.proto -> b.proto -> a.proto")
    }

    @Test("A missing import names the importing statement")
    func missingImportLocation() throws {
        let outcome = try InProcessCompiler.compile("syntax = \"proto3\";\n\nimport \"nowhere/x.proto\";\n")
        #expect(outcome.errors.map(\.description) == ["test.proto:3:1: Import \"nowhere/x.proto\" was not found or had errors."])
    }
}

/// Guards the corpus itself: its size, its headers, and that the exclusions exist.
@Suite("Corpus inventory")
struct CorpusInventoryTests {
    @Test("The corpus and Schema/ are where the tests expect them")
    func corpusIsPresent() {
        #expect(CorpusFiles.accept.count >= 40, "accept corpus has \(CorpusFiles.accept.count) files")
        #expect(CorpusFiles.reject.count >= 60, "reject corpus has \(CorpusFiles.reject.count) files")
        #expect(CorpusFiles.schema.count >= 4, "Schema/ has \(CorpusFiles.schema.count) files")
        #expect(CorpusFiles.wellKnownTypes.count >= 7)
    }

    @Test("Every reject file has an expect-error header", arguments: CorpusFiles.reject)
    func rejectHeader(_ file: ProtoCase) throws {
        let expectation = try CorpusFiles.expectation(for: file)
        #expect(expectation.substring.count > 5)
    }

    @Test("Excluded files exist")
    func exclusionsExist() {
        for path in CorpusFiles.protocDecisionExclusions {
            #expect(CorpusFiles.reject.contains { $0.path == path }, "\(path) is not in the corpus")
        }
    }

    @Test("Accept files carry no expect-error header", arguments: CorpusFiles.accept)
    func acceptHasNoHeader(_ file: ProtoCase) throws {
        let data = try #require(FileManager.default.contents(atPath: file.diskPath))
        #expect(!String(decoding: data, as: UTF8.self).contains("expect-error:"))
    }
}
