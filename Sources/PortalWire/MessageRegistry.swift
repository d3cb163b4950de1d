/// Message types by fully-qualified protobuf name; generated modules expose one per module,
/// used to resolve `google.protobuf.Any` type URLs and by tooling that picks a type by name.
public struct MessageRegistry: Sendable {
    public let types: [String: any ProtoMessage.Type]

    public init(_ types: [any ProtoMessage.Type]) {
        var map: [String: any ProtoMessage.Type] = [:]
        for type in types { map[type.protoMessageName] = type }
        self.types = map
    }

    public subscript(name: String) -> (any ProtoMessage.Type)? { types[name] }

    /// Resolves `type.googleapis.com/pkg.Msg` style URLs by their last path component.
    public func type(forTypeURL url: String) -> (any ProtoMessage.Type)? {
        guard let slash = url.lastIndex(of: "/") else { return types[url] }
        return types[String(url[url.index(after: slash)...])]
    }
}
