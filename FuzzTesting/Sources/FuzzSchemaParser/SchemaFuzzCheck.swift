import Foundation
import SchemaCompiler

// The FuzzSchemaParser check. This file exists twice, byte for byte:
// FuzzTesting/Sources/FuzzSchemaParser/SchemaFuzzCheck.swift (the fuzzer) and
// Tests/SchemaCompilerTests/SchemaFuzzCheck.swift (replayed by `swift test`, which cannot
// depend on the FuzzTesting package). SchemaFuzzRegressionTests fails if the copies differ:
// change both.
//
// Input: the text of `fuzz.proto` (bytes decoded as UTF-8 the way `SchemaLoader` reads a
// file, invalid sequences replaced). It is compiled in memory as portal-codegen compiles a
// file: lexed, parsed, its imports loaded, names resolved, validated. Imports can reach
// `dep.proto` (package `dep`), `public.proto` (which `import public`s dep.proto), the files
// of `schemaFuzzDependencies` (the well-known types, Schema/, and the imported files of the
// SchemaCompilerTests corpus, under their import paths) and `fuzz.proto` itself (an import
// cycle); every other import is not found (the import path is a directory that does not
// exist, so nothing is read from disk while fuzzing).
//
// Any rejection is fine; crashes, traps and hangs are the bugs. Checked besides:
//  - a rejected file reports at least one error, each with a message, in a known file, at a
//    line and column >= 1, and for fuzz.proto at most one line past its last line;
//  - an accepted file goes through everything portal-codegen does with it: the Swift
//    emitter, the registry emitter (with its imports) and the descriptor dump.

/// Files `fuzz.proto` may import, besides the well-known types.
let schemaFuzzFixedFiles: [String: String] = [
    "dep.proto": """
        syntax = "proto3";
        package dep;
        import "google/protobuf/timestamp.proto";
        message D {
          int32 x = 1;
          google.protobuf.Timestamp at = 2;
          enum E { E_UNSPECIFIED = 0; E_ONE = 1; }
          E e = 3;
          map<string, D> children = 4;
        }
        enum Top { TOP_UNSPECIFIED = 0; TOP_ONE = 1; }
        service S { rpc Get(D) returns (D); }
        """,
    "public.proto": """
        syntax = "proto3";
        package pub;
        import public "dep.proto";
        message P { dep.D d = 1; }
        """,
]

/// The files fuzz.proto may import besides `schemaFuzzFixedFiles`, by import path
/// (`google/protobuf/any.proto`, `portal/v1/common.proto`, `accept/imports/dep/base.proto`),
/// read from the repository at `root`. Empty if it is not there.
func schemaFuzzDependencies(repositoryRoot root: String) -> [String: String] {
    let roots = [("Tools/WellKnownTypes", ""), ("Schema", ""), ("Tests/SchemaCompilerTests/Corpus", "accept/imports/dep")]
    var files: [String: String] = [:]
    for (base, under) in roots {
        let top = (root as NSString).appendingPathComponent(base)
        let start = (top as NSString).appendingPathComponent(under)
        guard let walker = FileManager.default.enumerator(atPath: start) else { continue }
        while let relative = walker.nextObject() as? String {
            guard relative.hasSuffix(".proto") else { continue }
            let importPath = under.isEmpty ? relative : under + "/" + relative
            if let data = FileManager.default.contents(atPath: (top as NSString).appendingPathComponent(importPath)) {
                files[importPath] = String(decoding: data, as: UTF8.self)
            }
        }
    }
    return files
}

/// Recursive message types are reference cycles (a field's `.message(MessageDecl)` type is a
/// strong reference, and a message owns its fields), so every compiled file that imports
/// struct.proto or defines a recursive type would stay in memory. Once done with a model, the
/// check empties the messages of every file the loader kept. A file rejected after resolution
/// cannot be reached and leaks if it has a recursive type (a few hundred bytes), so the
/// fuzzer runs with leak detection off (ASAN_OPTIONS=detect_leaks=0).
func schemaFuzzRelease(_ files: some Sequence<ProtoFile>) {
    func release(_ m: MessageDecl) {
        for nested in m.messages { release(nested) }
        m.fields = []
        m.oneofs = []
        m.messages = []
    }
    for file in files {
        for m in file.messages { release(m) }
        file.messages = []
        file.services = []
    }
}

/// Compiles `input` as fuzz.proto; nil when it is accepted or rejected properly, else what broke.
/// `dependencies`: `schemaFuzzDependencies(repositoryRoot:)`.
func schemaFuzzCheck(_ input: [UInt8], dependencies: [String: String]) -> String? {
    let text = String(decoding: input, as: UTF8.self)
    var sources = dependencies.merging(schemaFuzzFixedFiles) { $1 }
    sources["fuzz.proto"] = text
    let loader = SchemaLoader(importPaths: ["/nonexistent/schema-fuzz-import-root"], sources: sources)
    defer { schemaFuzzRelease(loader.files.values) }
    let files: [ProtoFile]
    do {
        files = try loader.loadAll(["fuzz.proto"])
    } catch {
        if error.errors.isEmpty { return "rejected without an error" }
        let lastLine = text.utf8.reduce(1) { $1 == UInt8(ascii: "\n") ? $0 + 1 : $0 }
        for e in error.errors {
            let where_ = e.location
            if e.message.isEmpty { return "an error without a message at \(where_)" }
            guard sources[where_.file] != nil else { return "an error in unknown file \(where_.file): \(e.message)" }
            if where_.line < 1 || where_.column < 1 { return "an error at \(where_): \(e.message)" }
            if where_.file == "fuzz.proto" && where_.line > lastLine + 1 {
                return "an error at line \(where_.line) of a \(lastLine)-line file: \(e.message)"
            }
        }
        return nil
    }
    guard files.count == 1, files[0].path == "fuzz.proto" else { return "accepted, but \(files.count) files came back" }
    // The imported files are fixed, so only fuzz.proto is emitted (emitting them all each time
    // cost most of the run time); the registry sees every file, as portal-codegen's does.
    if SwiftEmitter(file: files[0]).emit().isEmpty { return "the Swift emitter wrote nothing" }
    _ = RegistryEmitter(files: loader.ordered, name: "FuzzRegistry").emit()
    if DescriptorDump.json(files).isEmpty { return "the descriptor dump is empty" }
    return nil
}
