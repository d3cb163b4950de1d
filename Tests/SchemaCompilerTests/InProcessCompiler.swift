import Foundation
@testable import SchemaCompiler

/// Compiles schemas with `SchemaLoader` in this process, from disk or from source text.
enum InProcessCompiler {
    /// The outcome of compiling one file: the loaded files or every error.
    enum Outcome {
        case accepted([ProtoFile])
        case rejected([SchemaError])

        var errors: [SchemaError] {
            if case .rejected(let errors) = self { return errors }
            return []
        }
    }

    static func compile(_ file: ProtoCase) -> Outcome {
        let loader = SchemaLoader(importPaths: CorpusFiles.importPaths(for: file))
        do {
            return .accepted(try loader.loadAll([file.path]))
        } catch {
            return .rejected(error.errors)
        }
    }

    /// Writes `files` (name -> source) to a fresh directory and compiles `main`.
    static func compile(_ files: [String: String], main: String) throws -> Outcome {
        let directory = try ExternalTools.makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        for (name, source) in files {
            let path = (directory as NSString).appendingPathComponent(name)
            try FileManager.default.createDirectory(atPath: (path as NSString).deletingLastPathComponent,
                                                    withIntermediateDirectories: true)
            try Data(source.utf8).write(to: URL(fileURLWithPath: path))
        }
        let loader = SchemaLoader(importPaths: [directory, CorpusFiles.wellKnownTypesRoot])
        do {
            return .accepted(try loader.loadAll([main]))
        } catch {
            return .rejected(error.errors)
        }
    }

    /// Compiles one proto3 file given as source text; the file is `test.proto`.
    static func compile(_ source: String) throws -> Outcome {
        try compile(["test.proto": source], main: "test.proto")
    }

    /// Compiles `source`, which must be accepted, and returns its model.
    static func model(_ source: String) throws -> ProtoFile {
        switch try compile(source) {
        case .accepted(let files):
            guard let file = files.first else { throw CompileFailure(description: "no file returned") }
            return file
        case .rejected(let errors):
            throw CompileFailure(description: errors.map(\.description).joined(separator: "\n"))
        }
    }

    /// Parses (only) `source`, returning the unresolved model and parse errors.
    static func parse(_ source: String, path: String = "test.proto") -> (ProtoFile, [SchemaError]) {
        Parser.parse(source: source, path: path)
    }

    /// Lexes `source` and returns its tokens (without the end-of-file token) and errors.
    static func lex(_ source: String) -> ([Token], [SchemaError]) {
        var lexer = Lexer(source: source, file: "test.proto")
        let tokens = lexer.tokenize()
        return (tokens.filter { $0.kind != .endOfFile }, lexer.errors)
    }

    struct CompileFailure: Error, CustomStringConvertible {
        var description: String
    }
}
