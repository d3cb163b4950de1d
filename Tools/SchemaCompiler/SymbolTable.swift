/// Every fully-qualified name defined by the loaded files, as protoc's descriptor pool
/// keeps them: packages (each prefix), messages, enums, enum values (siblings of their enum,
/// C++ scoping), fields, oneofs, services and methods.
final class SymbolTable {
    enum Kind {
        case package
        case message(MessageDecl)
        case enumeration(EnumDecl)
        case enumValue
        case field
        case oneof
        case service
        case method

        var isType: Bool {
            switch self {
            case .message, .enumeration: return true
            default: return false
            }
        }
        /// Names that can have children (protoc's `IsAggregate`).
        var isAggregate: Bool {
            switch self {
            case .package, .message, .enumeration, .service: return true
            default: return false
            }
        }
        var isPackage: Bool {
            if case .package = self { return true }
            return false
        }
    }

    struct Symbol {
        var kind: Kind
        var file: ProtoFile
        var location: SourceLocation
    }

    private(set) var symbols: [String: Symbol] = [:]
    /// Packages declared by each file path (a package symbol is visible through any of them).
    private var packageFiles: [String: [String]] = [:]

    func lookup(_ name: String) -> Symbol? { symbols[name] }

    /// Adds a symbol; returns an error message if the name is taken.
    func add(_ fullName: String, _ kind: Kind, file: ProtoFile, location: SourceLocation) -> String? {
        if let existing = symbols[fullName] {
            if existing.kind.isPackage, kind.isPackage {
                packageFiles[fullName, default: []].append(file.path)
                return nil
            }
            let where_ = existing.file === file ? "" : " in file \"\(existing.file.path)\""
            if existing.kind.isPackage || kind.isPackage {
                return "\"\(fullName)\" is already defined (as something other than a package)\(where_)."
            }
            if let dot = fullName.lastIndex(of: ".") {
                let scope = fullName[..<dot]
                let short = fullName[fullName.index(after: dot)...]
                return "\"\(short)\" is already defined in \"\(scope)\"\(where_)."
            }
            return "\"\(fullName)\" is already defined\(where_)."
        }
        symbols[fullName] = Symbol(kind: kind, file: file, location: location)
        if kind.isPackage { packageFiles[fullName, default: []].append(file.path) }
        return nil
    }

    /// Whether `symbol` may be used from a file that sees `visible` files.
    func isVisible(_ name: String, _ symbol: Symbol, visible: Set<String>) -> Bool {
        if symbol.kind.isPackage {
            return packageFiles[name, default: []].contains { visible.contains($0) }
        }
        return visible.contains(symbol.file.path)
    }
}
