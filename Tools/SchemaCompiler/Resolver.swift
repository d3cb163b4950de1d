/// Registers a file's names and resolves its type references with protoc's scoping rules:
/// search the innermost scope first, then each enclosing scope; for `A.B`, find `A` first and
/// then look for `B` inside it only.
enum Resolver {
    static func resolve(_ file: ProtoFile, symbols: SymbolTable, errors: inout [SchemaError]) {
        var r = Run(file: file, symbols: symbols)
        r.register()
        if r.errors.isEmpty { r.resolveReferences() }
        errors += r.errors
    }

    /// The files whose symbols `file` may use: itself, its imports, and anything those
    /// import publicly (transitively).
    static func visibleFiles(_ file: ProtoFile) -> Set<String> {
        var visible: Set<String> = [file.path]
        func addPublic(_ f: ProtoFile) {
            for (i, imp) in f.imports.enumerated() where imp.kind == .public && i < f.dependencies.count {
                let dep = f.dependencies[i]
                if visible.insert(dep.path).inserted { addPublic(dep) }
            }
        }
        for dep in file.dependencies {
            visible.insert(dep.path)
            addPublic(dep)
        }
        return visible
    }

    private struct Run {
        let file: ProtoFile
        let symbols: SymbolTable
        var errors: [SchemaError] = []
        let visible: Set<String>

        init(file: ProtoFile, symbols: SymbolTable) {
            self.file = file
            self.symbols = symbols
            self.visible = Resolver.visibleFiles(file)
        }

        mutating func add(_ name: String, _ kind: SymbolTable.Kind, _ loc: SourceLocation, note: String = "") {
            if let message = symbols.add(name, kind, file: file, location: loc) {
                errors.append(SchemaError(loc, message + note))
            }
        }

        // MARK: Registration

        mutating func register() {
            if let package = file.package {
                var prefix = ""
                for part in package.split(separator: ".") {
                    prefix += prefix.isEmpty ? String(part) : "." + part
                    add(prefix, .package, file.packageLocation ?? file.syntaxLocation)
                }
            }
            let scope = file.package ?? ""
            for m in file.messages { registerMessage(m, scope: scope) }
            for e in file.enums { registerEnum(e, scope: scope) }
            for s in file.services {
                s.fullName = join(scope, s.name)
                s.file = file
                add(s.fullName, .service, s.location)
                for m in s.methods { add(join(s.fullName, m.name), .method, m.location) }
            }
        }

        func join(_ scope: String, _ name: String) -> String { scope.isEmpty ? name : scope + "." + name }

        mutating func registerMessage(_ m: MessageDecl, scope: String) {
            m.fullName = join(scope, m.name)
            m.file = file
            add(m.fullName, .message(m), m.location)
            // protoc's order (BuildMessage): oneofs (synthetic ones too), fields, nested types.
            for o in m.oneofs { add(join(m.fullName, o.name), .oneof, o.location) }
            for f in m.fields { add(join(m.fullName, f.name), .field, f.location) }
            for nested in m.messages { registerMessage(nested, scope: m.fullName) }
            for e in m.enums { registerEnum(e, scope: m.fullName) }
        }

        mutating func registerEnum(_ e: EnumDecl, scope: String) {
            e.fullName = join(scope, e.name)
            e.file = file
            add(e.fullName, .enumeration(e), e.location)
            for v in e.values {
                let name = join(scope, v.name)
                let note = " Note that enum values use C++ scoping rules, meaning that enum values are siblings of their type, not children of it.  Therefore, \"\(v.name)\" must be unique within \(scope.isEmpty ? "the global scope" : "\"\(scope)\""), not just within \"\(e.name)\"."
                add(name, .enumValue, v.location, note: note)
            }
        }

        // MARK: References

        mutating func resolveReferences() {
            for m in file.messages { resolveMessage(m) }
            for s in file.services {
                for method in s.methods {
                    let relative = s.fullName + "." + method.name
                    method.input = resolveMessageType(method.inputName, relativeTo: relative, at: method.inputLocation)
                    method.output = resolveMessageType(method.outputName, relativeTo: relative, at: method.outputLocation)
                }
            }
        }

        /// Method types are looked up like protoc's `CrossLinkMethod` (LOOKUP_ALL): any symbol
        /// stops the scope walk, so a method named like its message type shadows it.
        mutating func resolveMessageType(_ name: String, relativeTo: String, at loc: SourceLocation) -> MessageDecl? {
            guard let symbol = resolveType(name, relativeTo: relativeTo, at: loc, typesOnly: false) else { return nil }
            guard case .message(let m) = symbol.kind else {
                errors.append(SchemaError(loc, "\"\(name)\" is not a message type."))
                return nil
            }
            return m
        }

        mutating func resolveMessage(_ m: MessageDecl) {
            for f in m.fields {
                guard case .named(let name) = f.type else { continue }
                guard let symbol = resolveType(name, relativeTo: m.fullName + "." + f.name, at: f.typeLocation,
                                               typesOnly: true) else { continue }
                switch symbol.kind {
                case .message(let target): f.type = .message(target)
                case .enumeration(let target): f.type = .enumeration(target)
                default: break
                }
            }
            for nested in m.messages { resolveMessage(nested) }
        }

        /// protoc's `LookupSymbol`, with its error messages. Field types use LOOKUP_TYPES
        /// (`typesOnly`: non-type symbols are skipped while walking out), method types LOOKUP_ALL.
        mutating func resolveType(_ name: String, relativeTo: String, at loc: SourceLocation,
                                  typesOnly: Bool) -> SymbolTable.Symbol? {
            var undeclared: String?
            func find(_ full: String) -> SymbolTable.Symbol? {
                guard let s = symbols.lookup(full) else { return nil }
                guard symbols.isVisible(full, s, visible: visible) else {
                    if !s.kind.isPackage { undeclared = s.file.path }
                    return nil
                }
                return s
            }
            var result: SymbolTable.Symbol?
            var resolvedButMissing: String?
            if name.hasPrefix(".") {
                result = find(String(name.dropFirst()))
            } else {
                let firstPart = name.split(separator: ".", maxSplits: 1).first.map(String.init) ?? name
                let isCompound = firstPart.count < name.count
                var scope = relativeTo
                search: while true {
                    guard let dot = scope.lastIndex(of: ".") else {
                        result = find(name)
                        break search
                    }
                    scope = String(scope[..<dot])
                    let candidate = scope + "." + firstPart
                    if let found = find(candidate) {
                        if isCompound {
                            if found.kind.isAggregate {
                                let full = scope + "." + name
                                result = find(full)
                                if result == nil { resolvedButMissing = full }
                                break search
                            }
                        } else if found.kind.isType || !typesOnly {
                            result = found
                            break search
                        }
                    }
                }
            }
            if let result {
                if !result.kind.isType && typesOnly {
                    errors.append(SchemaError(loc, "\"\(name)\" is not a type."))
                    return nil
                }
                return result
            }
            if let undeclared {
                errors.append(SchemaError(loc, "\"\(name)\" seems to be defined in \"\(undeclared)\", which is not imported by \"\(file.path)\".  To use it here, please add the necessary import."))
            } else if let resolvedButMissing {
                errors.append(SchemaError(loc, "\"\(name)\" is resolved to \"\(resolvedButMissing)\", which is not defined. The innermost scope is searched first in name resolution. Consider using a leading '.'(i.e., \".\(name)\") to start from the outermost scope."))
            } else {
                errors.append(SchemaError(loc, "\"\(name)\" is not defined."))
            }
            return nil
        }
    }
}
