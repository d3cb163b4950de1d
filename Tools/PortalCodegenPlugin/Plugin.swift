import Foundation
import PackagePlugin

/// Runs portal-codegen at build time for a target that has a `portal-codegen.json`:
///
///     { "roots": ["../../Schema", "../../Tools/WellKnownTypes"], "registry": "PortalSchema" }
///
/// Every `.proto` file under each root (paths relative to the target folder) becomes one
/// build command with one predictable output, `<import path with / as _>.pb.swift`, in the
/// plugin work directory. The roots are also the import paths. Every schema file, the config
/// and the generator executable are inputs, so editing any of them regenerates; a schema error
/// fails the build with the compiler's `file:line:col: message`.
///
/// SwiftPM evaluates this plugin when the package graph changes: after adding a new `.proto`
/// file, touch `Package.swift` (or run `swift package clean`) so the new file is picked up.
@main
struct PortalCodegenPlugin: BuildToolPlugin {
    struct Config: Decodable {
        var roots: [String]
        var registry: String?
    }

    enum PluginError: Error, CustomStringConvertible {
        case missingConfig(String)
        var description: String {
            switch self {
            case .missingConfig(let target):
                return "target \(target) applies PortalCodegenPlugin but has no portal-codegen.json"
            }
        }
    }

    func createBuildCommands(context: PluginContext, target: Target) async throws -> [Command] {
        let targetDir = target.directoryURL
        let configURL = targetDir.appendingPathComponent("portal-codegen.json")
        guard let data = try? Data(contentsOf: configURL) else { throw PluginError.missingConfig(target.name) }
        let config = try JSONDecoder().decode(Config.self, from: data)
        let generator = try context.tool(named: "portal-codegen").url
        let outDir = context.pluginWorkDirectoryURL

        let roots = config.roots.map { targetDir.appendingPathComponent($0).standardizedFileURL }
        var protoFiles: [(root: URL, relative: String)] = []
        for root in roots {
            guard let walker = FileManager.default.enumerator(at: root, includingPropertiesForKeys: nil) else { continue }
            var found: [String] = []
            for case let url as URL in walker where url.pathExtension == "proto" {
                let full = url.standardizedFileURL.path
                found.append(String(full.dropFirst(root.path.count + 1)))
            }
            for rel in found.sorted() { protoFiles.append((root, rel)) }
        }

        let importArgs = roots.flatMap { ["-I", $0.path] }
        let allInputs = protoFiles.map { $0.root.appendingPathComponent($0.relative) } + [configURL, generator]
        var commands: [Command] = []
        for proto in protoFiles {
            let output = outDir.appendingPathComponent(outputName(for: proto.relative))
            commands.append(.buildCommand(
                displayName: "portal-codegen \(proto.relative)",
                executable: generator,
                arguments: importArgs + ["--out", outDir.path, proto.relative],
                inputFiles: allInputs,
                outputFiles: [output]))
        }
        if let registry = config.registry {
            commands.append(.buildCommand(
                displayName: "portal-codegen registry \(registry)",
                executable: generator,
                arguments: importArgs + ["--out", outDir.path, "--registry", registry] + protoFiles.map(\.relative),
                inputFiles: allInputs,
                outputFiles: [outDir.appendingPathComponent(registry + ".swift")]))
        }
        return commands
    }

    /// Must match `SwiftEmitter.outputName(for:)`.
    func outputName(for protoPath: String) -> String {
        var base = protoPath
        if base.hasSuffix(".proto") { base.removeLast(6) }
        return String(base.map { $0 == "/" || $0 == "-" || $0 == "." ? "_" : $0 }) + ".pb.swift"
    }
}
