import Foundation

/// The semantic checks protoc makes after names resolve: field numbers, reserved ranges and
/// names, proto3 rules, enums, maps, options. Messages follow protoc's wording.
enum Validator {
    static let maxFieldNumber = 536_870_911

    static func validate(_ file: ProtoFile, errors: inout [SchemaError]) {
        if file.syntax != "proto3" {
            errors.append(SchemaError(file.syntaxLocation, "portal-codegen compiles proto3 only; this file is \(file.syntax) (add `syntax = \"proto3\";`)."))
            return
        }
        errors += KnownOptions.check(file.options, scope: .file)
        for m in file.messages { validateMessage(m, errors: &errors) }
        for e in file.enums { validateEnum(e, errors: &errors) }
        for s in file.services {
            errors += KnownOptions.check(s.options, scope: .service)
            for m in s.methods { errors += KnownOptions.check(m.options, scope: .method) }
        }
    }

    static func validateMessage(_ m: MessageDecl, errors: inout [SchemaError]) {
        errors += KnownOptions.check(m.options, scope: .message)
        for o in m.options where !o.isCustom {
            if o.name == "map_entry" {
                errors.append(SchemaError(o.location, "map_entry should not be set explicitly. Use map<KeyType, ValueType> instead."))
            }
            if o.name == "message_set_wire_format", o.value == .identifier("true") {
                errors.append(SchemaError(o.location, "MessageSet is not supported in proto3."))
            }
        }
        for loc in m.extensionRanges {
            errors.append(SchemaError(loc, "Extension ranges are not allowed in proto3."))
        }
        validateReserved(m.reservedRanges, max: maxFieldNumber, what: "Reserved", errors: &errors)
        var reservedNames: Set<String> = []
        for (name, loc) in m.reservedNames where !reservedNames.insert(name).inserted {
            errors.append(SchemaError(loc, "Field name \"\(name)\" is reserved multiple times."))
        }

        var byNumber: [Int: FieldDecl] = [:]
        var jsonNames: [String: FieldDecl] = [:]
        for f in m.fields {
            if f.number <= 0 {
                errors.append(SchemaError(f.numberLocation, "Field numbers must be positive integers."))
            } else if f.number > maxFieldNumber {
                errors.append(SchemaError(f.numberLocation, "Field numbers cannot be greater than \(maxFieldNumber)."))
            } else if (19000...19999).contains(f.number) {
                errors.append(SchemaError(f.numberLocation, "Field numbers 19000 through 19999 are reserved for the protocol buffer library implementation."))
            }
            if let other = byNumber[f.number], f.number > 0 {
                errors.append(SchemaError(f.numberLocation, "Field number \(f.number) has already been used in \"\(m.fullName)\" by field \"\(other.name)\"."))
            } else {
                byNumber[f.number] = f
            }
            for r in m.reservedRanges where r.start <= f.number && f.number <= r.end {
                errors.append(SchemaError(f.numberLocation, "Field \"\(f.name)\" uses reserved number \(f.number)."))
            }
            if reservedNames.contains(f.name) {
                errors.append(SchemaError(f.location, "Field name \"\(f.name)\" is reserved."))
            }
            let key = f.name.lowercased().replacingOccurrences(of: "_", with: "")
            if let other = jsonNames[key], !m.isMapEntry {
                errors.append(SchemaError(f.location, "The JSON camel-case name of field \"\(f.name)\" conflicts with field \"\(other.name)\". This is not allowed in proto3."))
            } else {
                jsonNames[key] = f
            }
            validateField(f, in: m, errors: &errors)
        }
        for o in m.oneofs where !o.isSynthetic {
            errors += KnownOptions.check(o.options, scope: .oneof)
            if o.fields.isEmpty {
                errors.append(SchemaError(o.location, "Oneof must have at least one field."))
            }
        }
        for nested in m.messages { validateMessage(nested, errors: &errors) }
        for e in m.enums { validateEnum(e, errors: &errors) }
    }

    static func validateField(_ f: FieldDecl, in m: MessageDecl, errors: inout [SchemaError]) {
        errors += KnownOptions.check(f.options, scope: .field)
        if f.option("packed") != nil {
            var packable = false
            if f.label == .repeated, f.mapEntry == nil {
                switch f.type {
                case .scalar(let s): packable = s.isPackable
                case .enumeration: packable = true
                default: packable = false
                }
            }
            if !packable {
                errors.append(SchemaError(f.location, "[packed = true] can only be specified for repeated primitive fields."))
            }
        }
        if let entry = f.mapEntry, let key = entry.mapKey {
            switch key.type {
            case .scalar(let s) where s.isValidMapKey:
                break
            case .enumeration:
                errors.append(SchemaError(key.typeLocation, "Key in map fields cannot be enum types."))
            default:
                errors.append(SchemaError(key.typeLocation, "Key in map fields cannot be float/double, bytes or message types."))
            }
        }
    }

    static func validateReserved(_ ranges: [ReservedRange], max: Int, what: String, errors: inout [SchemaError]) {
        for (i, r) in ranges.enumerated() {
            if max == maxFieldNumber && r.start <= 0 {
                errors.append(SchemaError(r.location, "Reserved numbers must be positive integers."))
            } else if r.end < r.start {
                errors.append(SchemaError(r.location, "Reserved range end number must be greater than start number."))
            } else if r.end > max {
                errors.append(SchemaError(r.location, "Reserved range end number cannot be greater than \(max)."))
            }
            for other in ranges[..<i] where r.start <= other.end && other.start <= r.end {
                errors.append(SchemaError(r.location, "\(what) range \(r.start) to \(r.end) overlaps with already-defined range \(other.start) to \(other.end)."))
            }
        }
    }

    static func validateEnum(_ e: EnumDecl, errors: inout [SchemaError]) {
        errors += KnownOptions.check(e.options, scope: .enumeration)
        guard let first = e.values.first else {
            errors.append(SchemaError(e.location, "Enums must contain at least one value."))
            return
        }
        if first.number != 0 {
            errors.append(SchemaError(first.location, "The first enum value must be zero in proto3."))
        }
        validateReserved(e.reservedRanges, max: Int(Int32.max), what: "Reserved", errors: &errors)
        let reservedNames = Set(e.reservedNames.map(\.0))
        var byNumber: [Int32: EnumValueDecl] = [:]
        var hasAlias = false
        var pascal: [String: EnumValueDecl] = [:]
        for v in e.values {
            errors += KnownOptions.check(v.options, scope: .enumValue)
            if let other = byNumber[v.number] {
                hasAlias = true
                if !e.allowsAlias {
                    errors.append(SchemaError(v.location, "\"\(e.fullName.dropLastComponent).\(v.name)\" uses the same enum value as \"\(e.fullName.dropLastComponent).\(other.name)\". If this is intended, set 'option allow_alias = true;' to the enum definition."))
                }
            } else {
                byNumber[v.number] = v
            }
            for r in e.reservedRanges where r.start <= Int(v.number) && Int(v.number) <= r.end {
                errors.append(SchemaError(v.location, "Enum value \"\(v.name)\" uses reserved number \(v.number)."))
            }
            if reservedNames.contains(v.name) {
                errors.append(SchemaError(v.location, "Enum value \"\(v.name)\" is reserved."))
            }
            let key = pascalCase(stripPrefix(v.name, enumName: e.name))
            if let other = pascal[key], other.number != v.number {
                errors.append(SchemaError(v.location, "Enum name \(v.name) has the same name as \(other.name) if you ignore case and strip out the enum name prefix (if any). This is error-prone and can lead to undefined behavior. Please avoid doing this. If you are using allow_alias, please assign the same numeric value to both enums."))
            } else if pascal[key] == nil {
                pascal[key] = v
            }
        }
        if e.allowsAlias && !hasAlias {
            errors.append(SchemaError(e.location, "\"\(e.fullName)\" declares 'option allow_alias = true;', but does not contain any aliases. Please remove the option, or assign the same numeric value to two different enum values."))
        }
    }

    /// protoc's `PrefixRemover`: drops the enum's name (case- and underscore-insensitive)
    /// from the front of a value name, unless nothing would be left.
    static func stripPrefix(_ value: String, enumName: String) -> String {
        let prefix = Array(enumName.lowercased().filter { $0 != "_" })
        let chars = Array(value)
        var i = 0
        var j = 0
        while i < chars.count && j < prefix.count {
            if chars[i] == "_" { i += 1; continue }
            if Character(chars[i].lowercased()) != prefix[j] { return value }
            i += 1
            j += 1
        }
        guard j == prefix.count else { return value }
        while i < chars.count && chars[i] == "_" { i += 1 }
        return i == chars.count ? value : String(chars[i...])
    }

    static func pascalCase(_ s: String) -> String {
        var out = ""
        var upper = true
        for ch in s {
            if ch == "_" {
                upper = true
            } else {
                out += upper ? ch.uppercased() : ch.lowercased()
                upper = false
            }
        }
        return out
    }
}

extension String {
    /// `a.b.C` -> `a.b` (empty for a single component).
    var dropLastComponent: String {
        guard let dot = lastIndex(of: ".") else { return "" }
        return String(self[..<dot])
    }
}
