import Foundation
import PortalRPC

/// The dashboards and the public statistics page (`Resources/web/`: HTML, CSS and JavaScript,
/// no build step), loaded once into the gateway's static-file table.
///
/// `web/index.html` is served at `/`, `web/dashboard/index.html` at `/dashboard/`, and every
/// other file at its path under `web/`. Hidden files are skipped.
public enum WebAssets {
    /// The bundled files, or those under `directory` (a development copy) when given.
    public static func load(directory: String? = nil) throws -> HTTPStaticFiles {
        guard let root = directory.map({ URL(fileURLWithPath: $0, isDirectory: true) })
                ?? Bundle.module.url(forResource: "web", withExtension: nil) else {
            throw WebAssetsError(message: "the bundled web folder is missing")
        }
        var files = HTTPStaticFiles()
        let rootPath = root.standardizedFileURL.path
        guard let walker = FileManager.default.enumerator(at: root, includingPropertiesForKeys: [.isRegularFileKey],
                                                          options: [.skipsHiddenFiles]) else {
            throw WebAssetsError(message: "cannot read \(rootPath)")
        }
        for case let url as URL in walker {
            guard (try? url.resourceValues(forKeys: [.isRegularFileKey]))?.isRegularFile == true else { continue }
            let path = url.standardizedFileURL.path
            guard path.hasPrefix(rootPath + "/") else { continue }
            let data = try Data(contentsOf: url)
            files.add(path: String(path.dropFirst(rootPath.count)), body: [UInt8](data))
        }
        return files
    }
}

public struct WebAssetsError: Error, CustomStringConvertible, Sendable {
    public var message: String
    public var description: String { message }
}
