/// The special JSON forms of the well-known types. The generated tables of
/// `google.protobuf.*` call these after their fields, naming their own accessors, since the
/// runtime cannot name the generated types:
///
/// | Type | JSON |
/// | --- | --- |
/// | wrappers (`Int64Value`, ...), `Struct`, `ListValue` | the single field's value |
/// | `Value` | the JSON value itself (`null`, number, string, bool, object, array) |
/// | `Timestamp` | `"1972-01-01T10:00:20.021Z"` (RFC 3339) |
/// | `Duration` | `"1.000340012s"` |
/// | `FieldMask` | `"user.displayName,photo"` |
/// | `Any` | `{"@type": url, ...fields}`, or `{"@type": url, "value": ...}` for the above |
extension ProtoJSONTable {
    /// The JSON form is the value of the only field (wrappers, `Struct`, `ListValue`).
    public mutating func useUnwrappedForm() {
        let field = fields[0]
        form = Form(write: { m, w in _ = field.write(m, &w, nil) },
                    read: { (m: inout M, s: inout ProtoJSONScanner) throws(ProtoJSONError) in _ = try field.read(&m, &s) })
    }

    /// `google.protobuf.Value`: the member of its oneof that the JSON token's kind selects.
    public mutating func useValueForm() {
        let fields = self.fields
        nullIsValue = true
        form = Form(write: { m, w in
            for field in fields where field.write(m, &w, nil) { return }
            w.null()  // no kind set: null, as Python's json_format writes it
        }, read: { (m: inout M, s: inout ProtoJSONScanner) throws(ProtoJSONError) in
            let number: Int
            switch try s.peek() {
            case .null: number = 1
            case .number: number = 2
            case .string: number = 3
            case .bool: number = 4
            case .object: number = 5
            case .array: number = 6
            }
            guard let field = fields.first(where: { $0.number == number }) else { return try s.skipValue() }
            _ = try field.read(&m, &s)
        })
    }

    public mutating func useTimestampForm(seconds: Path<Int64>, nanos: Path<Int32>) {
        form = Form(write: { m, w in
            let (text, error) = ProtoJSONTime.timestampText(seconds: m[keyPath: seconds], nanos: m[keyPath: nanos])
            if let error { w.fail(error) }
            w.string(text)
        }, read: { (m: inout M, s: inout ProtoJSONScanner) throws(ProtoJSONError) in
            let (secs, ns) = try ProtoJSONTime.parseTimestamp(s.readString())
            m[keyPath: seconds] = secs
            m[keyPath: nanos] = ns
        })
    }

    public mutating func useDurationForm(seconds: Path<Int64>, nanos: Path<Int32>) {
        form = Form(write: { m, w in
            let (text, error) = ProtoJSONTime.durationText(seconds: m[keyPath: seconds], nanos: m[keyPath: nanos])
            if let error { w.fail(error) }
            w.string(text)
        }, read: { (m: inout M, s: inout ProtoJSONScanner) throws(ProtoJSONError) in
            let (secs, ns) = try ProtoJSONTime.parseDuration(s.readString())
            m[keyPath: seconds] = secs
            m[keyPath: nanos] = ns
        })
    }

    /// `FieldMask`: the paths in lowerCamelCase, joined by commas.
    public mutating func useFieldMaskForm(paths: Path<[String]>) {
        form = Form(write: { m, w in
            var parts: [String] = []
            for path in m[keyPath: paths] {
                guard let camel = ProtoJSONFieldMask.camelPath(path) else {
                    w.fail(ProtoJSONError("field mask path \"\(path)\" has no JSON form"))
                    parts.append(path)
                    continue
                }
                parts.append(camel)
            }
            w.string(parts.joined(separator: ","))
        }, read: { (m: inout M, s: inout ProtoJSONScanner) throws(ProtoJSONError) in
            let text = try s.readString()
            var result: [String] = []
            if !text.isEmpty {
                for part in text.split(separator: ",", omittingEmptySubsequences: false) {
                    guard let snake = ProtoJSONFieldMask.snakePath(String(part)) else {
                        throw ProtoJSONError("invalid field mask path \"\(part)\"")
                    }
                    result.append(snake)
                }
            }
            m[keyPath: paths] = result
        })
    }

    /// `Any`: the packed message's type is looked up by its URL in the registry the generated
    /// module's `Any` type provides (`ProtoJSONAnyTypeRegistry`).
    public mutating func useAnyForm(typeURL: Path<String>, value: Path<[UInt8]>) {
        form = Form(write: { m, w in
            ProtoJSONAny.write(url: m[keyPath: typeURL], value: m[keyPath: value], registry: ProtoJSONAny.registry(M.self), to: &w)
        }, read: { (m: inout M, s: inout ProtoJSONScanner) throws(ProtoJSONError) in
            let (url, bytes) = try ProtoJSONAny.read(from: &s, registry: ProtoJSONAny.registry(M.self))
            m[keyPath: typeURL] = url
            m[keyPath: value] = bytes
        })
    }
}

/// Implemented (in the generated registry file) by a module's `google.protobuf.Any`, so that
/// its JSON form can resolve type URLs among the module's messages.
public protocol ProtoJSONAnyTypeRegistry {
    static var protoJSONTypeRegistry: MessageRegistry { get }
}

/// Field mask path spelling: `user.display_name` in the message, `user.displayName` in JSON.
enum ProtoJSONFieldMask {
    /// nil when the path would not come back unchanged (an ASCII capital, or `_` not followed
    /// by an ASCII lower-case letter). Both directions work on Unicode scalars and touch only
    /// ASCII letters, like protobuf's C++ runtime working on bytes: an `A` followed by a
    /// combining ring is still an ASCII capital.
    static func camelPath(_ path: String) -> String? {
        var out = String.UnicodeScalarView()
        var upper = false
        for scalar in path.unicodeScalars {
            if scalar == "_" {
                if upper { return nil }
                upper = true
            } else if upper {
                guard ("a"..."z").contains(scalar) else { return nil }
                out.append(Unicode.Scalar(UInt8(scalar.value) - 32))
                upper = false
            } else {
                if ("A"..."Z").contains(scalar) { return nil }
                out.append(scalar)
            }
        }
        return upper ? nil : String(out)
    }

    static func snakePath(_ path: String) -> String? {
        var out = String.UnicodeScalarView()
        for scalar in path.unicodeScalars {
            if scalar == "_" { return nil }
            if ("A"..."Z").contains(scalar) {
                out.append("_")
                out.append(Unicode.Scalar(UInt8(scalar.value) + 32))
            } else {
                out.append(scalar)
            }
        }
        return String(out)
    }
}
