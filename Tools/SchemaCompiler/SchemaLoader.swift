import Foundation

/// Finds, reads and parses `.proto` files and their imports through a list of import paths,
/// the way `protoc -I` does, then resolves and validates them in dependency order.
public final class SchemaLoader {
    public let importPaths: [String]
    /// Files given as text by import path, found before the import paths are searched (the
    /// schema-parser fuzzer compiles its input this way, without touching the disk).
    public let sources: [String: String]
    /// Every loaded file by import path (`portal/v1/complaint.proto`).
    public private(set) var files: [String: ProtoFile] = [:]
    /// Files in dependency order (each after everything it imports).
    public private(set) var ordered: [ProtoFile] = []
    private var failed: Set<String> = []
    private var loading: [String] = []
    /// For each file in `loading`, the import statement that requested it (nil for a root).
    private var loadingFrom: [SourceLocation?] = []
    private(set) var errors: [SchemaError] = []

    public init(importPaths: [String], sources: [String: String] = [:]) {
        self.importPaths = importPaths.isEmpty ? ["."] : importPaths
        self.sources = sources
    }

    /// Maps a path on disk to its import path (relative to the first import path containing it).
    public func importPath(forDiskPath disk: String) -> String? {
        let absolute = URL(fileURLWithPath: disk).standardizedFileURL.path
        for root in importPaths {
            var base = URL(fileURLWithPath: root).standardizedFileURL.path
            if !base.hasSuffix("/") { base += "/" }
            if absolute.hasPrefix(base) { return String(absolute.dropFirst(base.count)) }
        }
        return nil
    }

    private func diskPath(for importPath: String) -> String? {
        for root in importPaths {
            let candidate = (root as NSString).appendingPathComponent(importPath)
            if FileManager.default.fileExists(atPath: candidate) { return candidate }
        }
        return nil
    }

    /// Loads `importPath` and everything it imports. Returns nil if it or an import failed.
    @discardableResult
    public func load(_ importPath: String, from location: SourceLocation? = nil) -> ProtoFile? {
        if let file = files[importPath] { return file }
        if failed.contains(importPath) { return nil }
        if let cycleStart = loading.firstIndex(of: importPath) {
            let chain = (loading[cycleStart...] + [importPath]).joined(separator: " -> ")
            // Reported, like protoc, at the import that starts the cycle in its first file.
            let start = cycleStart + 1 < loadingFrom.count ? loadingFrom[cycleStart + 1] : location
            errors.append(SchemaError(start ?? SourceLocation(file: importPath, line: 1, column: 1),
                                      "File recursively imports itself: \(chain)"))
            return nil
        }
        guard SchemaLoader.isCanonical(importPath) else {
            errors.append(SchemaError(location ?? SourceLocation(file: importPath, line: 1, column: 1),
                                      "Backslashes, consecutive slashes, \".\", or \"..\" are not allowed in the virtual path \"\(importPath)\"."))
            failed.insert(importPath)
            return nil
        }
        guard let source = sources[importPath] ?? diskPath(for: importPath).flatMap({
            FileManager.default.contents(atPath: $0).map { String(decoding: $0, as: UTF8.self) }
        }) else {
            if let location {
                errors.append(SchemaError(location, "Import \"\(importPath)\" was not found or had errors."))
            } else {
                errors.append(SchemaError(SourceLocation(file: importPath, line: 1, column: 1),
                                          "File not found in any import path."))
            }
            failed.insert(importPath)
            return nil
        }
        let (file, parseErrors) = Parser.parse(source: source, path: importPath)
        errors += parseErrors
        guard parseErrors.isEmpty else {
            failed.insert(importPath)
            return nil
        }
        loading.append(importPath)
        loadingFrom.append(location)
        defer {
            loading.removeLast()
            loadingFrom.removeLast()
        }
        var seen: Set<String> = []
        var ok = true
        for imp in file.imports {
            if !seen.insert(imp.path).inserted {
                errors.append(SchemaError(imp.location, "Import \"\(imp.path)\" was listed twice."))
                ok = false
                continue
            }
            if let dep = load(imp.path, from: imp.location) {
                file.dependencies.append(dep)
            } else {
                if !errors.contains(where: { $0.location == imp.location }) {
                    errors.append(SchemaError(imp.location, "Import \"\(imp.path)\" was not found or had errors."))
                }
                ok = false
            }
        }
        guard ok else {
            failed.insert(importPath)
            return nil
        }
        let before = errors.count
        // Validate even when some names did not resolve, so one run reports every error
        // (as protoc does); checks that need a resolved type skip unresolved ones.
        Resolver.resolve(file, symbols: symbols, errors: &errors)
        Validator.validate(file, errors: &errors)
        guard errors.count == before else {
            failed.insert(importPath)
            return nil
        }
        files[importPath] = file
        ordered.append(file)
        return file
    }

    let symbols = SymbolTable()

    /// protoc's virtual-path rule (`DiskSourceTree`): the path must equal its canonical form
    /// (no empty or `.` components) and must not contain `..`, so one file has one name.
    static func isCanonical(_ path: String) -> Bool {
        let parts = path.split(separator: "/").filter { $0 != "." }
        var canonical = (path.hasPrefix("/") ? "/" : "") + parts.joined(separator: "/")
        if path.hasSuffix("/") && !canonical.isEmpty && !canonical.hasSuffix("/") { canonical += "/" }
        return canonical == path && !parts.contains("..")
    }

    /// Loads every file and throws all errors found (in the order found: imports first).
    public func loadAll(_ importPaths: [String]) throws(SchemaErrors) -> [ProtoFile] {
        var result: [ProtoFile] = []
        for path in importPaths {
            if let f = load(path) { result.append(f) }
        }
        if !errors.isEmpty { throw SchemaErrors(errors) }
        return result
    }
}
