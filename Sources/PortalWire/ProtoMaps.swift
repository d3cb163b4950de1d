/// Map-field helpers for generated decoders.
public enum ProtoMaps {
    /// Inserts a decoded string-keyed entry. Swift compares strings by canonical equivalence,
    /// so two keys with different UTF-8 bytes (say "é" precomposed and "e" + U+0301) would
    /// collapse into one entry and silently lose data; such input is rejected instead. Keys with
    /// identical bytes follow protobuf's rule: the last value wins.
    @inlinable
    public static func insert<Value>(
        _ map: inout [String: Value], key: String, value: Value, fieldNumber: Int
    ) throws(ProtoDecodingError) {
        if let index = map.index(forKey: key), !map.keys[index].utf8.elementsEqual(key.utf8) {
            throw .ambiguousMapKey(fieldNumber: fieldNumber)
        }
        map[key] = value
    }

    /// Orders string keys by their UTF-8 bytes, as protobuf's deterministic serialization does
    /// in every other runtime (Swift's `<` is Unicode-aware and orders some keys differently).
    @inlinable
    public static func sortedKeys<Value>(_ map: [String: Value]) -> [String] {
        map.keys.sorted { $0.utf8.lexicographicallyPrecedes($1.utf8) }
    }
}
