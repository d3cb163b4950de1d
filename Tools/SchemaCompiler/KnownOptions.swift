/// The options protoc 3.21's `descriptor.proto` defines for each kind of declaration, with
/// their value types, so unknown names and ill-typed values are rejected as protoc does.
enum KnownOptions {
    enum ValueType {
        case bool
        case string
        case enumeration(typeName: String, values: Set<String>)
    }

    enum Scope: String {
        case file = "FileOptions"
        case message = "MessageOptions"
        case field = "FieldOptions"
        case oneof = "OneofOptions"
        case enumeration = "EnumOptions"
        case enumValue = "EnumValueOptions"
        case service = "ServiceOptions"
        case method = "MethodOptions"
    }

    static func options(for scope: Scope) -> [String: ValueType] {
        switch scope {
        case .file:
            var o: [String: ValueType] = [:]
            for s in ["java_package", "java_outer_classname", "go_package", "objc_class_prefix",
                      "csharp_namespace", "swift_prefix", "php_class_prefix", "php_namespace",
                      "php_metadata_namespace", "ruby_package"] { o[s] = .string }
            for b in ["java_multiple_files", "java_generate_equals_and_hash", "java_string_check_utf8",
                      "cc_generic_services", "java_generic_services", "py_generic_services",
                      "php_generic_services", "deprecated", "cc_enable_arenas"] { o[b] = .bool }
            o["optimize_for"] = .enumeration(typeName: "google.protobuf.FileOptions.OptimizeMode",
                                             values: ["SPEED", "CODE_SIZE", "LITE_RUNTIME"])
            return o
        case .message:
            return ["message_set_wire_format": .bool, "no_standard_descriptor_accessor": .bool,
                    "deprecated": .bool, "map_entry": .bool]
        case .field:
            return ["ctype": .enumeration(typeName: "google.protobuf.FieldOptions.CType",
                                          values: ["STRING", "CORD", "STRING_PIECE"]),
                    "packed": .bool,
                    "jstype": .enumeration(typeName: "google.protobuf.FieldOptions.JSType",
                                           values: ["JS_NORMAL", "JS_STRING", "JS_NUMBER"]),
                    "lazy": .bool, "unverified_lazy": .bool, "deprecated": .bool, "weak": .bool,
                    "json_name": .string]
        case .oneof:
            return [:]
        case .enumeration:
            return ["allow_alias": .bool, "deprecated": .bool]
        case .enumValue:
            return ["deprecated": .bool]
        case .service:
            return ["deprecated": .bool]
        case .method:
            return ["deprecated": .bool,
                    "idempotency_level": .enumeration(typeName: "google.protobuf.MethodOptions.IdempotencyLevel",
                                                      values: ["IDEMPOTENCY_UNKNOWN", "NO_SIDE_EFFECTS", "IDEMPOTENT"])]
        }
    }

    /// Checks a list of option statements; returns errors in protoc's wording.
    static func check(_ statements: [OptionStatement], scope: Scope) -> [SchemaError] {
        let known = options(for: scope)
        var errors: [SchemaError] = []
        var seen: Set<String> = []
        for option in statements {
            if option.isCustom {
                errors.append(SchemaError(option.location, "Option \"\(option.name)\" unknown. Ensure that your proto definition file imports the proto which defines the option."))
                continue
            }
            if option.name == "default" && scope == .field {
                errors.append(SchemaError(option.location, "Explicit default values are not allowed in proto3."))
                continue
            }
            guard let type = known[option.name] else {
                errors.append(SchemaError(option.location, "Option \"\(option.name)\" unknown. Ensure that your proto definition file imports the proto which defines the option."))
                continue
            }
            if !seen.insert(option.name).inserted {
                errors.append(SchemaError(option.location, "Option \"\(option.name)\" was already set."))
                continue
            }
            let qualified = "google.protobuf.\(scope.rawValue).\(option.name)"
            switch (type, option.value) {
            case (.bool, .identifier(let v)) where v == "true" || v == "false":
                break
            case (.bool, .identifier):
                errors.append(SchemaError(option.valueLocation, "Value must be \"true\" or \"false\" for boolean option \"\(qualified)\"."))
            case (.bool, _):
                errors.append(SchemaError(option.valueLocation, "Value must be identifier for boolean option \"\(qualified)\"."))
            case (.string, .string):
                break
            case (.string, _):
                errors.append(SchemaError(option.valueLocation, "Value must be quoted string for string option \"\(qualified)\"."))
            case (.enumeration(let typeName, let values), .identifier(let v)):
                if !values.contains(v) {
                    errors.append(SchemaError(option.valueLocation, "Enum type \"\(typeName)\" has no value named \"\(v)\" for option \"\(qualified)\"."))
                }
            case (.enumeration, _):
                errors.append(SchemaError(option.valueLocation, "Value must be identifier for enum-valued option \"\(qualified)\"."))
            }
        }
        return errors
    }

    /// protoc's `ValidateFieldOptions`: options that only fit some field types.
    static func checkFieldUsage(_ f: FieldDecl) -> [SchemaError] {
        var errors: [SchemaError] = []
        if case .named = f.type { return errors }  // unresolved: the resolver reported it
        let isTrue = { (name: String) in f.option(name) == .identifier("true") }
        if isTrue("lazy") || isTrue("unverified_lazy") {
            if case .message = f.type {} else {
                errors.append(SchemaError(f.location, "[lazy = true] can only be specified for submessage fields."))
            }
        }
        if isTrue("packed") && !isPackable(f) {
            errors.append(SchemaError(f.location, "[packed = true] can only be specified for repeated primitive fields."))
        }
        if case .identifier(let js)? = f.option("jstype"), js != "JS_NORMAL" {
            switch f.type {
            case .scalar(.int64), .scalar(.uint64), .scalar(.sint64), .scalar(.fixed64), .scalar(.sfixed64):
                break
            default:
                errors.append(SchemaError(f.location, "jstype is only allowed on int64, uint64, sint64, fixed64 or sfixed64 fields."))
            }
        }
        return errors
    }

    /// Repeated scalar (not string or bytes) or enum fields.
    static func isPackable(_ f: FieldDecl) -> Bool {
        guard f.label == .repeated else { return false }
        switch f.type {
        case .scalar(let s): return s.isPackable
        case .enumeration: return true
        default: return false
        }
    }
}

extension ProtoFile {
    /// `option optimize_for = LITE_RUNTIME;`
    public var isLite: Bool {
        options.last { $0.name == "optimize_for" && !$0.isCustom }?.value == .identifier("LITE_RUNTIME")
    }
}

extension MessageDecl {
    /// `option map_entry = true;` written by hand (protoc then treats the message as a map
    /// entry wherever a field uses it).
    public var hasMapEntryOption: Bool {
        options.last { $0.name == "map_entry" && !$0.isCustom }?.value == .identifier("true")
    }
}
