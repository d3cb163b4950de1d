/// The parsed and (after `Resolver`) resolved model of a set of `.proto` files. Classes, so
/// that resolution can annotate nodes in place and nodes can refer to each other.

/// The 15 scalar types, with their `FieldDescriptorProto.Type` numbers.
public enum ScalarType: String, CaseIterable, Sendable {
    case double, float, int64, uint64, int32, fixed64, fixed32, bool, string, bytes
    case uint32, sfixed32, sfixed64, sint32, sint64

    public var descriptorType: Int {
        switch self {
        case .double: return 1
        case .float: return 2
        case .int64: return 3
        case .uint64: return 4
        case .int32: return 5
        case .fixed64: return 6
        case .fixed32: return 7
        case .bool: return 8
        case .string: return 9
        case .bytes: return 12
        case .uint32: return 13
        case .sfixed32: return 15
        case .sfixed64: return 16
        case .sint32: return 17
        case .sint64: return 18
        }
    }

    /// Numeric types (and bool) can be packed; string and bytes cannot.
    public var isPackable: Bool { self != .string && self != .bytes }

    /// Valid as a map key: integral types, bool and string.
    public var isValidMapKey: Bool {
        switch self {
        case .double, .float, .bytes: return false
        default: return true
        }
    }
}

/// A field's type before and after resolution.
public enum FieldType {
    case scalar(ScalarType)
    /// A type name as written; replaced by `.message` or `.enumeration` during resolution.
    case named(String)
    case message(MessageDecl)
    case enumeration(EnumDecl)

    public var descriptorType: Int {
        switch self {
        case .scalar(let s): return s.descriptorType
        case .message: return 11
        case .enumeration: return 14
        case .named: return 0
        }
    }
}

public enum FieldLabel: Sendable {
    /// proto3 singular field with implicit presence.
    case singular
    /// proto3 `optional`: explicit presence through a synthetic oneof.
    case optional
    case repeated
}

public enum OptionValue: Equatable, Sendable {
    case identifier(String)
    case integer(negative: Bool, magnitude: UInt64, overflow: Bool)
    case float(Double)
    case string([UInt8])
    case aggregate
}

/// `option name = value;` or a `[name = value]` field option.
public struct OptionStatement: Sendable {
    public var name: String
    /// The name was `(extension)`-qualified: a custom option.
    public var isCustom: Bool
    public var value: OptionValue
    public var location: SourceLocation
    public var valueLocation: SourceLocation
}

public struct ReservedRange: Sendable {
    public var start: Int
    /// Inclusive end as written (`max` already replaced by the scope's maximum).
    public var end: Int
    public var location: SourceLocation
}

public final class ProtoFile {
    public let path: String
    public var syntax: String = "proto2"
    public var package: String?
    public var imports: [Import] = []
    public var options: [OptionStatement] = []
    public var messages: [MessageDecl] = []
    public var enums: [EnumDecl] = []
    public var services: [ServiceDecl] = []
    public var syntaxLocation: SourceLocation
    /// Where the `package` statement is (nil without one).
    public var packageLocation: SourceLocation?

    public struct Import: Sendable {
        public enum Kind: Sendable { case normal, `public`, weak }
        public var path: String
        public var kind: Kind
        public var location: SourceLocation
    }

    /// Files this one imports, in import order (filled by the loader).
    public var dependencies: [ProtoFile] = []

    init(path: String) {
        self.path = path
        self.syntaxLocation = SourceLocation(file: path, line: 1, column: 1)
    }

    /// The package followed by a dot, or empty.
    public var packagePrefix: String { package.map { $0 + "." } ?? "" }
}

public final class MessageDecl {
    public let name: String
    public var fullName: String = ""
    public let location: SourceLocation
    public var comment: String?
    public var fields: [FieldDecl] = []
    public var oneofs: [OneofDecl] = []
    public var messages: [MessageDecl] = []
    public var enums: [EnumDecl] = []
    public var reservedRanges: [ReservedRange] = []
    public var reservedNames: [(String, SourceLocation)] = []
    public var extensionRanges: [SourceLocation] = []
    public var options: [OptionStatement] = []
    /// Synthesised for a `map<K, V>` field.
    public var isMapEntry = false
    public weak var parent: MessageDecl?
    /// The declaring file, set by the resolver. Weak like `parent`: the file owns its
    /// declarations, and a strong reference back made every compiled file a reference cycle
    /// that was never freed (found by FuzzSchemaParser under LeakSanitizer).
    public internal(set) weak var file: ProtoFile!

    init(name: String, location: SourceLocation) {
        self.name = name
        self.location = location
    }

    public var mapKey: FieldDecl? { isMapEntry ? fields.first { $0.number == 1 } : nil }
    public var mapValue: FieldDecl? { isMapEntry ? fields.first { $0.number == 2 } : nil }
}

public final class FieldDecl {
    public let name: String
    public var number: Int
    public var label: FieldLabel
    public var type: FieldType
    public let location: SourceLocation
    public var numberLocation: SourceLocation
    public var typeLocation: SourceLocation
    public var comment: String?
    public var options: [OptionStatement] = []
    /// Index into the message's `oneofs` (synthetic oneofs included).
    public var oneofIndex: Int?
    /// For `map<K, V>` fields: the synthesised entry message (also listed in `messages`).
    public var mapEntry: MessageDecl?
    public var hasLabelKeyword = false

    init(name: String, number: Int, label: FieldLabel, type: FieldType, location: SourceLocation,
         numberLocation: SourceLocation, typeLocation: SourceLocation) {
        self.name = name
        self.number = number
        self.label = label
        self.type = type
        self.location = location
        self.numberLocation = numberLocation
        self.typeLocation = typeLocation
    }

    /// protoc's default `json_name`: underscores dropped, the next letter upper-cased.
    public var jsonName: String { FieldDecl.camelCase(name, upperFirst: false) }

    /// protoc's underscore-to-camel-case rule (`ToJsonName`, `MapEntryName`, and our type
    /// prefixes): each `_` is dropped and the ASCII letter after it upper-cased.
    static func camelCase(_ s: String, upperFirst: Bool) -> String {
        var out = ""
        var upper = upperFirst
        for ch in s {
            if ch == "_" {
                upper = true
            } else if upper {
                out += ch.isASCII ? ch.uppercased() : String(ch)
                upper = false
            } else {
                out.append(ch)
            }
        }
        return out
    }

    public func option(_ name: String) -> OptionValue? {
        options.last { $0.name == name && !$0.isCustom }?.value
    }

    /// Repeated numeric fields are packed in proto3 unless `[packed = false]`.
    public var isPacked: Bool {
        guard label == .repeated, mapEntry == nil else { return false }
        switch type {
        case .scalar(let s) where s.isPackable: break
        case .enumeration: break
        default: return false
        }
        if case .identifier("false")? = option("packed") { return false }
        return true
    }

    public var isDeprecated: Bool { option("deprecated") == .identifier("true") }
}

public final class OneofDecl {
    public let name: String
    public let location: SourceLocation
    public var comment: String?
    public var fields: [FieldDecl] = []
    public var options: [OptionStatement] = []
    /// The oneof protoc synthesises for a proto3 `optional` field.
    public var isSynthetic = false

    init(name: String, location: SourceLocation) {
        self.name = name
        self.location = location
    }
}

public final class EnumDecl {
    public let name: String
    public var fullName: String = ""
    public let location: SourceLocation
    public var comment: String?
    public var values: [EnumValueDecl] = []
    public var options: [OptionStatement] = []
    public var reservedRanges: [ReservedRange] = []
    public var reservedNames: [(String, SourceLocation)] = []
    public weak var parent: MessageDecl?
    public internal(set) weak var file: ProtoFile!  // weak: see MessageDecl.file

    init(name: String, location: SourceLocation) {
        self.name = name
        self.location = location
    }

    public var allowsAlias: Bool {
        options.last { $0.name == "allow_alias" }?.value == .identifier("true")
    }
}

public struct EnumValueDecl {
    public var name: String
    public var number: Int32
    public var location: SourceLocation
    public var comment: String?
    public var options: [OptionStatement] = []
}

public final class ServiceDecl {
    public let name: String
    public var fullName: String = ""
    public let location: SourceLocation
    public var comment: String?
    public var methods: [MethodDecl] = []
    public var options: [OptionStatement] = []
    public internal(set) weak var file: ProtoFile!  // weak: see MessageDecl.file

    init(name: String, location: SourceLocation) {
        self.name = name
        self.location = location
    }
}

public final class MethodDecl {
    public let name: String
    public let location: SourceLocation
    public var comment: String?
    public var inputName: String
    public var outputName: String
    public var inputLocation: SourceLocation
    public var outputLocation: SourceLocation
    public var clientStreaming: Bool
    public var serverStreaming: Bool
    public var options: [OptionStatement] = []
    public var input: MessageDecl?
    public var output: MessageDecl?

    init(name: String, location: SourceLocation, inputName: String, outputName: String,
         inputLocation: SourceLocation, outputLocation: SourceLocation,
         clientStreaming: Bool, serverStreaming: Bool) {
        self.name = name
        self.location = location
        self.inputName = inputName
        self.outputName = outputName
        self.inputLocation = inputLocation
        self.outputLocation = outputLocation
        self.clientStreaming = clientStreaming
        self.serverStreaming = serverStreaming
    }
}
