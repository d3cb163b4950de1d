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
        validateLiteImports(file, errors: &errors)
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
            if o.name == "message_set_wire_format", o.value == .identifier("true") {
                errors.append(SchemaError(o.location, "MessageSet is not supported in proto3."))
            }
        }
        for loc in m.extensionRanges {
            errors.append(SchemaError(loc, "Extension ranges are not allowed in proto3."))
        }
        validateReserved(m.reservedRanges, isEnum: false, errors: &errors)
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
        // (An empty oneof is a syntax error, as in protoc's parser.)
        for o in m.oneofs where !o.isSynthetic {
            errors += KnownOptions.check(o.options, scope: .oneof)
        }
        for nested in m.messages { validateMessage(nested, errors: &errors) }
        for e in m.enums { validateEnum(e, errors: &errors) }
    }

    static func validateField(_ f: FieldDecl, in m: MessageDecl, errors: inout [SchemaError]) {
        errors += KnownOptions.check(f.options, scope: .field)
        errors += KnownOptions.checkFieldUsage(f)
        // protoc's ValidateMapEntry runs for every field whose type is a map entry, whether
        // synthesised for `map<K, V>` or marked `option map_entry = true` by hand.
        guard case .message(let entry) = f.type, entry.isMapEntry || entry.hasMapEntryOption else { return }
        guard isValidMapEntry(entry, for: f, in: m) else {
            errors.append(SchemaError(f.location, "map_entry should not be set explicitly. Use map<KeyType, ValueType> instead."))
            return
        }
        let key = entry.fields[0]
        switch key.type {
        case .scalar(let s) where s.isValidMapKey:
            break
        case .enumeration:
            errors.append(SchemaError(key.typeLocation, "Key in map fields cannot be enum types."))
        case .named:
            break  // unresolved: the resolver has reported it
        default:
            errors.append(SchemaError(key.typeLocation, "Key in map fields cannot be float/double, bytes or message types."))
        }
    }

    /// The shape protoc requires of a map entry used by field `f`.
    static func isValidMapEntry(_ entry: MessageDecl, for f: FieldDecl, in m: MessageDecl) -> Bool {
        guard f.label == .repeated, entry.messages.isEmpty, entry.enums.isEmpty, entry.fields.count == 2,
              entry.name == Parser.mapEntryName(f.name), entry.parent === m else { return false }
        let key = entry.fields[0], value = entry.fields[1]
        return key.name == "key" && key.number == 1 && key.label != .repeated
            && value.name == "value" && value.number == 2 && value.label != .repeated
    }

    /// A file that is not `optimize_for = LITE_RUNTIME` cannot import one that is.
    static func validateLiteImports(_ file: ProtoFile, errors: inout [SchemaError]) {
        guard !file.isLite else { return }
        for dep in file.dependencies where dep.isLite {
            let loc = file.imports.first { $0.path == dep.path }?.location ?? file.syntaxLocation
            errors.append(SchemaError(loc, "Files that do not use optimize_for = LITE_RUNTIME cannot import files which do use this option.  This file is not lite, but it imports \"\(dep.path)\" which is."))
            return
        }
    }

    /// protoc 3.21 checks message ranges only for start > 0 (a range written backwards or
    /// past the field number maximum is accepted); enum ranges must not be backwards.
    static func validateReserved(_ ranges: [ReservedRange], isEnum: Bool, errors: inout [SchemaError]) {
        for (i, r) in ranges.enumerated() {
            if !isEnum && r.start <= 0 {
                errors.append(SchemaError(r.location, "Reserved numbers must be positive integers."))
            } else if isEnum && r.end < r.start {
                errors.append(SchemaError(r.location, "Reserved range end number must be greater than start number."))
            }
            for other in ranges[..<i] where r.start <= other.end && other.start <= r.end {
                errors.append(SchemaError(r.location, "Reserved range \(r.start) to \(r.end) overlaps with already-defined range \(other.start) to \(other.end)."))
            }
        }
    }

    static func validateEnum(_ e: EnumDecl, errors: inout [SchemaError]) {
        errors += KnownOptions.check(e.options, scope: .enumeration)
        validateAllowAlias(e, errors: &errors)
        guard let first = e.values.first else {
            errors.append(SchemaError(e.location, "Enums must contain at least one value."))
            return
        }
        if first.number != 0 {
            errors.append(SchemaError(first.location, "The first enum value must be zero in proto3."))
        }
        validateReserved(e.reservedRanges, isEnum: true, errors: &errors)
        var reservedNames: Set<String> = []
        for (name, loc) in e.reservedNames where !reservedNames.insert(name).inserted {
            errors.append(SchemaError(loc, "Enum value \"\(name)\" is reserved multiple times."))
        }
        var byNumber: [Int32: EnumValueDecl] = [:]
        var pascal: [String: EnumValueDecl] = [:]
        for v in e.values {
            errors += KnownOptions.check(v.options, scope: .enumValue)
            if let other = byNumber[v.number] {
                if !e.allowsAlias {
                    let scope = e.fullName.dropLastComponent
                    let full = { (name: String) in scope.isEmpty ? name : scope + "." + name }
                    errors.append(SchemaError(v.location, "\"\(full(v.name))\" uses the same enum value as \"\(full(other.name))\". If this is intended, set 'option allow_alias = true;' to the enum definition."))
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
    }

    /// protoc's parser-level `ValidateEnum`: the first `allow_alias` option must be `true`,
    /// and then two values must share a number.
    static func validateAllowAlias(_ e: EnumDecl, errors: inout [SchemaError]) {
        guard let option = e.options.first(where: { $0.name == "allow_alias" && !$0.isCustom }) else { return }
        guard option.value == .identifier("true") else {
            errors.append(SchemaError(option.location, "\"\(e.name)\" declares 'option allow_alias = false;' which has no effect. Please remove the declaration."))
            return
        }
        if Set(e.values.map(\.number)).count == e.values.count {
            errors.append(SchemaError(option.location, "\"\(e.name)\" declares support for enum aliases but no enum values share field numbers. Please remove the unnecessary 'option allow_alias = true;' declaration."))
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
