/// Swift names for schema declarations, following swift-protobuf's conventions so Swift
/// users meet familiar shapes: `portal.v1.Complaint` -> `Portal_V1_Complaint`, nested types
/// nested, fields lowerCamelCase, enum cases with the enum's prefix stripped.
enum SwiftNaming {
    static let keywords: Set<String> = [
        "associatedtype", "class", "deinit", "enum", "extension", "fileprivate", "func", "import",
        "init", "inout", "internal", "let", "open", "operator", "private", "precedencegroup",
        "protocol", "public", "rethrows", "static", "struct", "subscript", "typealias", "var",
        "break", "case", "catch", "continue", "default", "defer", "do", "else", "fallthrough",
        "for", "guard", "if", "in", "repeat", "return", "throw", "switch", "where", "while",
        "Any", "as", "false", "is", "nil", "super", "throws", "true", "try", "some", "any",
        "await", "consume", "copy", "discard", "each", "borrowing", "consuming",
    ]

    /// Member names our generated types (or Swift) already use.
    static let reservedMembers: Set<String> = [
        "unknownFields", "encodedSize", "hashValue", "serializedBytes", "merge", "decodeFields",
        "encodeFields", "computeEncodedSize", "append", "init", "self", "Type", "Protocol",
        "protoMessageName", "description", "debugDescription", "hash",
    ]

    /// Type names that cannot be used as nested type names.
    static let reservedTypes: Set<String> = ["Type", "Protocol", "Self", "Any", "Error", "Sendable"]

    /// `protobuf_test_messages` -> `ProtobufTestMessages`.
    static func upperCamel(_ s: String) -> String { FieldDecl.camelCase(s, upperFirst: true) }

    /// `portal.v1` -> `Portal_V1_`; a file's `swift_prefix` option wins.
    static func typePrefix(_ file: ProtoFile) -> String {
        if let opt = file.options.last(where: { $0.name == "swift_prefix" }), case .string(let b) = opt.value {
            return String(decoding: b, as: UTF8.self)
        }
        guard let package = file.package else { return "" }
        return package.split(separator: ".").map { upperCamel(String($0)) }.joined(separator: "_") + "_"
    }

    /// A field, oneof or method name as a lowerCamelCase identifier: underscores are dropped
    /// and the letter after each is upper-cased; a leading upper-case run is lower-cased.
    /// Lower-casing the result and removing underscores gives back protoc's proto3 JSON-name
    /// key, which protoc keeps unique within a message, so field names never collide.
    static func lowerCamel(_ s: String) -> String {
        var camel = ""
        var upper = false
        for ch in s {
            if ch == "_" {
                upper = !camel.isEmpty
            } else if upper {
                camel += ch.uppercased()
                upper = false
            } else {
                camel.append(ch)
            }
        }
        // Lower-case the leading run of capitals ("URLPath" -> "urlPath", "FIELD" -> "field").
        let chars = Array(camel)
        var i = 0
        while i < chars.count && chars[i].isUppercase { i += 1 }
        var out = ""
        if i == 0 {
            out = camel
        } else if i == chars.count || !chars[i].isLetter {
            out = String(chars[..<i]).lowercased() + String(chars[i...])
        } else if i == 1 {
            out = chars[0].lowercased() + String(chars[1...])
        } else {
            out = String(chars[..<(i - 1)]).lowercased() + String(chars[(i - 1)...])
        }
        if let first = out.first, first.isNumber { out = "_" + out }
        if out.isEmpty { out = "_" }
        return out
    }

    /// A stored-property or case identifier, escaped or renamed where Swift or our own
    /// members need it.
    static func memberName(_ s: String) -> String {
        let base = lowerCamel(s)
        if reservedMembers.contains(base) { return base + "_p" }
        return base
    }

    /// Escapes a keyword with backticks for use in declarations and references.
    static func escaped(_ identifier: String) -> String {
        keywords.contains(identifier) ? "`\(identifier)`" : identifier
    }

    static func nestedTypeName(_ s: String) -> String {
        reservedTypes.contains(s) ? s + "Message" : s
    }

    /// Enum case names: the enum-name prefix stripped (when every value allows it), then
    /// lowerCamelCase. Falls back to unstripped names if stripping would collide.
    static func enumCaseNames(_ e: EnumDecl) -> [String] {
        func convert(_ name: String) -> String {
            let words = name.split(separator: "_", omittingEmptySubsequences: true)
            var out = ""
            for (i, word) in words.enumerated() {
                let w = word.allSatisfy { !$0.isLowercase } ? word.lowercased() : String(word)
                if i == 0 {
                    out += w.prefix(1).lowercased() + w.dropFirst()
                } else {
                    out += w.prefix(1).uppercased() + w.dropFirst()
                }
            }
            if out.isEmpty { out = "_" }
            if let first = out.first, first.isNumber { out = "_" + out }
            if out == "allCases" || out == "rawValue" || out == "protoName" || out == "init" || out == "self" || out == "Type" { out += "_" }
            return out
        }
        let stripped = e.values.map { v -> String in
            let s = Validator.stripPrefix(v.name, enumName: upperSnake(e.name))
            if let c = s.first, c.isNumber { return convert(v.name) }
            return convert(s)
        }
        if Set(stripped).count == stripped.count { return stripped }
        let plain = e.values.map { convert($0.name) }
        if Set(plain).count == plain.count { return plain }
        return e.values.map { $0.name }  // still unique: protoc rejects duplicate value names
    }

    /// `ComplaintStatus` -> `COMPLAINT_STATUS` (prefix stripping matches either spelling).
    static func upperSnake(_ s: String) -> String {
        var out = ""
        for (i, ch) in s.enumerated() {
            if ch.isUppercase && i > 0 { out += "_" }
            out += ch.uppercased()
        }
        return out
    }
}
