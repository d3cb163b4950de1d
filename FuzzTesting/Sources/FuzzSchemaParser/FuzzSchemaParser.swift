import Foundation
import FuzzCommon
import SchemaCompiler

/// What fuzz.proto may import: the well-known types, Schema/ and the SchemaCompilerTests
/// corpus's imported files, read once from the repository this file is in.
let dependencies: [String: String] = {
    let root = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().path
    let files = schemaFuzzDependencies(repositoryRoot: root)
    guard files.count >= 20 else { fatalError("the schemas were not found under \(root)") }
    return files
}()

/// libFuzzer entry point: the input is the text of a .proto file, compiled in memory by
/// `schemaFuzzCheck` (SchemaFuzzCheck.swift, which also says what it checks). Rejections are
/// fine; a crash, a hang or a violated check is saved by libFuzzer.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzSchemaParser(_ start: UnsafePointer<UInt8>?, _ count: Int) -> CInt {
    let input = UnsafeRawBufferPointer(start: start, count: count)
    if let problem = schemaFuzzCheck(Array(input), dependencies: dependencies) {
        fatalError("\(problem); input \(fuzzHex(input))")
    }
    return 0
}

@main
enum FuzzSchemaParserMain {
    static func main() { fuzzMain(fuzzSchemaParser) }
}
