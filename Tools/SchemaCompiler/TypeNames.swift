/// Swift spellings of schema types and fields, shared by the emitters.
final class TypeNames {
    private var reachable: [ObjectIdentifier: Set<ObjectIdentifier>] = [:]
    private var memberNames: [ObjectIdentifier: String] = [:]

    /// Assigns every field and oneof of `m` (and its nested messages) a Swift member name,
    /// unique within the message: names that converge after camel-casing (a oneof `_x_y`
    /// and a field `x_y`) get `_` appended in declaration order, fields first.
    func prepare(_ m: MessageDecl) {
        var used: Set<String> = []
        func unique(_ base: String) -> String {
            var name = base
            while used.contains(name) { name += "_" }
            used.insert(name)
            return name
        }
        for f in m.fields { memberNames[ObjectIdentifier(f)] = unique(SwiftNaming.memberName(f.name)) }
        for o in m.oneofs where !o.isSynthetic { memberNames[ObjectIdentifier(o)] = unique(SwiftNaming.memberName(o.name)) }
        m.messages.forEach(prepare)
    }

    func localName(_ m: MessageDecl) -> String { localName(m.name, file: m.file, nested: m.parent != nil) }

    func localName(_ e: EnumDecl) -> String { localName(e.name, file: e.file, nested: e.parent != nil) }

    private func localName(_ name: String, file: ProtoFile, nested: Bool) -> String {
        let prefix = nested ? "" : SwiftNaming.typePrefix(file)
        return prefix.isEmpty ? SwiftNaming.nestedTypeName(name) : prefix + name
    }

    func qualifiedName(_ m: MessageDecl) -> String {
        guard let parent = m.parent else { return localName(m) }
        return qualifiedName(parent) + "." + localName(m)
    }

    func qualifiedName(_ e: EnumDecl) -> String {
        guard let parent = e.parent else { return localName(e) }
        return qualifiedName(parent) + "." + localName(e)
    }

    func fieldName(_ f: FieldDecl) -> String { memberNames[ObjectIdentifier(f)] ?? SwiftNaming.memberName(f.name) }

    func oneofProperty(_ o: OneofDecl) -> String { memberNames[ObjectIdentifier(o)] ?? SwiftNaming.memberName(o.name) }

    func oneofEnum(_ o: OneofDecl) -> String { "OneOf_" + SwiftNaming.upperCamel(o.name) }

    func boxStorage(_ f: FieldDecl) -> String { "_" + fieldName(f) + "Storage" }

    // MARK: Field groups

    /// A message with at least this many repeated (and map) fields keeps them in groups
    /// (`ProtoFieldGroup`): each group is one pointer, nil until one of its fields is written,
    /// so making and destroying a message costs a release per group instead of one per field.
    static let fieldGroupThreshold = 16

    /// Repeated fields per group: a written group costs an allocation plus a release per field
    /// when destroyed; an unwritten one a release of nil.
    static let fieldGroupSize = 8

    /// The group of each repeated field of `m`, by field-number order; empty when `m` has
    /// fewer than `fieldGroupThreshold` repeated fields (they are then stored inline).
    func fieldGroups(_ m: MessageDecl) -> [ObjectIdentifier: Int] {
        let repeated = m.fields.filter { $0.label == .repeated }.sorted { $0.number < $1.number }
        guard repeated.count >= TypeNames.fieldGroupThreshold else { return [:] }
        var groups: [ObjectIdentifier: Int] = [:]
        for (i, f) in repeated.enumerated() { groups[ObjectIdentifier(f)] = i / TypeNames.fieldGroupSize }
        return groups
    }

    /// The message's stored handle on group `i`, and the storage class behind it.
    func fieldGroupProperty(_ i: Int) -> String { "_fieldGroup\(i)" }
    func fieldGroupClass(_ i: Int) -> String { "_FieldGroup\(i)" }

    /// The Swift type of a repeated or map field.
    func repeatedType(_ f: FieldDecl) -> String {
        if let entry = f.mapEntry { return "[\(valueType(entry.mapKey!)): \(valueType(entry.mapValue!))]" }
        return "[\(valueType(f))]"
    }

    /// The Swift type of one value of the field (the element type for repeated fields).
    func valueType(_ f: FieldDecl) -> String {
        switch f.type {
        case .scalar(let s): return ScalarCodec.of(s).swiftType
        case .enumeration(let e): return qualifiedName(e)
        case .message(let m): return qualifiedName(m)
        case .named(let n): return n  // unreachable after resolution
        }
    }

    func defaultValue(_ f: FieldDecl) -> String {
        switch f.type {
        case .scalar(let s): return ScalarCodec.of(s).defaultValue
        case .enumeration(let e): return qualifiedName(e) + "()"
        case .message(let m): return qualifiedName(m) + "()"
        case .named: return ""
        }
    }

    /// Explicit presence: proto3 `optional`, and every singular message field.
    func hasPresence(_ f: FieldDecl) -> Bool {
        if f.label == .optional { return true }
        if f.label == .singular, case .message = f.type { return true }
        return false
    }

    /// A singular message field (or oneof member) whose type can contain the enclosing
    /// message must live on the heap.
    func needsBox(_ f: FieldDecl, in m: MessageDecl) -> Bool {
        guard f.label != .repeated, case .message(let target) = f.type else { return false }
        return reachableTypes(from: target).contains(ObjectIdentifier(m)) || target === m
    }

    /// Messages reachable from `m` through singular (inline) message fields, `m` included.
    private func reachableTypes(from m: MessageDecl) -> Set<ObjectIdentifier> {
        if let cached = reachable[ObjectIdentifier(m)] { return cached }
        var seen: Set<ObjectIdentifier> = []
        var stack = [m]
        while let next = stack.popLast() {
            guard seen.insert(ObjectIdentifier(next)).inserted else { continue }
            for f in next.fields where f.label != .repeated {
                if case .message(let t) = f.type { stack.append(t) }
            }
        }
        reachable[ObjectIdentifier(m)] = seen
        return seen
    }
}
