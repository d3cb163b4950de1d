import Foundation

/// The parsed model as JSON shaped like `FileDescriptorProto` (protoc's field names), so a
/// script can compare it with `protoc --descriptor_set_out` field by field.
public enum DescriptorDump {
    public static func json(_ files: [ProtoFile]) -> String {
        let object: [String: Any] = ["file": files.map(file)]
        let data = try! JSONSerialization.data(withJSONObject: object, options: [.prettyPrinted, .sortedKeys])
        return String(decoding: data, as: UTF8.self)
    }

    static func file(_ f: ProtoFile) -> [String: Any] {
        var d: [String: Any] = [
            "name": f.path,
            "syntax": f.syntax,
            "dependency": f.imports.map(\.path),
            "public_dependency": f.imports.enumerated().filter { $0.element.kind == .public }.map(\.offset),
            "message_type": f.messages.map(message),
            "enum_type": f.enums.map(enumeration),
            "service": f.services.map(service),
        ]
        if let p = f.package { d["package"] = p }
        return d
    }

    static func message(_ m: MessageDecl) -> [String: Any] {
        var d: [String: Any] = [
            "name": m.name,
            "field": m.fields.map { field($0, in: m) },
            "nested_type": m.messages.map(message),
            "enum_type": m.enums.map(enumeration),
            "oneof_decl": m.oneofs.map { ["name": $0.name] },
            // DescriptorProto.ReservedRange.end is an exclusive int32: `to 2147483647` wraps, as in protoc.
            "reserved_range": m.reservedRanges.map { ["start": $0.start, "end": Int(Int32(truncatingIfNeeded: $0.end + 1))] },
            "reserved_name": m.reservedNames.map(\.0),
        ]
        if m.isMapEntry || m.hasMapEntryOption { d["map_entry"] = true }
        return d
    }

    static func field(_ f: FieldDecl, in m: MessageDecl) -> [String: Any] {
        var d: [String: Any] = [
            "name": f.name,
            "number": f.number,
            "label": f.label == .repeated ? 3 : 1,
            "type": f.type.descriptorType,
            "json_name": jsonName(f),
            "packed": f.isPacked,
        ]
        switch f.type {
        case .message(let t): d["type_name"] = "." + t.fullName
        case .enumeration(let t): d["type_name"] = "." + t.fullName
        default: break
        }
        if let i = f.oneofIndex { d["oneof_index"] = i }
        if f.label == .optional { d["proto3_optional"] = true }
        return d
    }

    /// `[json_name = "..."]` when given (protoc copies it verbatim), else the default.
    static func jsonName(_ f: FieldDecl) -> String {
        if case .string(let bytes)? = f.option("json_name") { return String(decoding: bytes, as: UTF8.self) }
        return f.jsonName
    }

    static func enumeration(_ e: EnumDecl) -> [String: Any] {
        [
            "name": e.name,
            "value": e.values.map { ["name": $0.name, "number": Int($0.number)] as [String: Any] },
            "allow_alias": e.allowsAlias,
            "reserved_range": e.reservedRanges.map { ["start": $0.start, "end": $0.end] },
            "reserved_name": e.reservedNames.map(\.0),
        ]
    }

    static func service(_ s: ServiceDecl) -> [String: Any] {
        [
            "name": s.name,
            "method": s.methods.map { m -> [String: Any] in
                [
                    "name": m.name,
                    "input_type": "." + (m.input?.fullName ?? ""),
                    "output_type": "." + (m.output?.fullName ?? ""),
                    "client_streaming": m.clientStreaming,
                    "server_streaming": m.serverStreaming,
                ]
            },
        ]
    }
}
