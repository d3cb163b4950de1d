import Foundation
import SchemaCompiler

/// portal-codegen: compiles proto3 schemas to Swift for PortalWire.
///
///     portal-codegen -I Schema --out DIR portal/v1/complaint.proto ...
///     portal-codegen -I Schema --registry PortalSchema --out DIR <all files>
///     portal-codegen -I Schema --descriptor-json file.proto     (model as JSON, for cross-checks)
///     portal-codegen -I Schema --check file.proto                (validate only)
///
/// Errors are printed as `file:line:col: message` and the exit status is 1.

struct Options {
    var importPaths: [String] = []
    var outDir: String?
    var registry: String?
    var descriptorJSON = false
    var check = false
    var files: [String] = []
}

func usage() -> Never {
    FileHandle.standardError.write(Data("""
    usage: portal-codegen [-I DIR]... [--out DIR] [--registry NAME] [--descriptor-json] [--check] FILE.proto...

    """.utf8))
    exit(2)
}

var options = Options()
var args = CommandLine.arguments.dropFirst()
while let arg = args.popFirst() {
    switch arg {
    case "-I", "--proto_path", "--import-path":
        guard let v = args.popFirst() else { usage() }
        options.importPaths.append(v)
    case _ where arg.hasPrefix("-I") && arg.count > 2:
        options.importPaths.append(String(arg.dropFirst(2)))
    case "--out":
        guard let v = args.popFirst() else { usage() }
        options.outDir = v
    case "--registry":
        guard let v = args.popFirst() else { usage() }
        options.registry = v
    case "--descriptor-json":
        options.descriptorJSON = true
    case "--check":
        options.check = true
    case "-h", "--help":
        usage()
    default:
        if arg.hasPrefix("-") { usage() }
        options.files.append(arg)
    }
}
if options.files.isEmpty { usage() }

let loader = SchemaLoader(importPaths: options.importPaths)
// Accept both import paths (`portal/v1/x.proto`) and disk paths under an import path.
let importNames = options.files.map { path -> String in
    if FileManager.default.fileExists(atPath: path), let rel = loader.importPath(forDiskPath: path) { return rel }
    return path
}

let files: [ProtoFile]
do {
    files = try loader.loadAll(importNames)
} catch {
    // `path:line:col: error: message`, with the path on disk so editors and build logs link it.
    for e in error.errors {
        let disk = options.importPaths.lazy
            .map { ($0 as NSString).appendingPathComponent(e.location.file) }
            .first { FileManager.default.fileExists(atPath: $0) } ?? e.location.file
        let line = "\(disk):\(e.location.line):\(e.location.column): error: \(e.message)\n"
        FileHandle.standardError.write(Data(line.utf8))
    }
    exit(1)
}

if options.check { exit(0) }
if options.descriptorJSON {
    print(DescriptorDump.json(files))
    exit(0)
}
guard let outDir = options.outDir else { usage() }
try FileManager.default.createDirectory(atPath: outDir, withIntermediateDirectories: true)

// Always written (even if unchanged) so the build system sees outputs newer than inputs.
func writeOutput(_ text: String, to path: String) throws {
    try Data(text.utf8).write(to: URL(fileURLWithPath: path))
}

if let registry = options.registry {
    try writeOutput(RegistryEmitter(files: files, name: registry).emit(),
                       to: (outDir as NSString).appendingPathComponent(registry + ".swift"))
} else {
    for file in files {
        let path = (outDir as NSString).appendingPathComponent(SwiftEmitter.outputName(for: file.path))
        try writeOutput(SwiftEmitter(file: file).emit(), to: path)
    }
}
