/// A lexical token of the protobuf language.
struct Token: Sendable {
    enum Kind: Equatable, Sendable {
        case identifier(String)
        /// An integer literal; `overflow` when it does not fit 64 bits.
        case integer(UInt64, overflow: Bool)
        case float(Double)
        /// A string literal, already unescaped (protobuf strings are bytes).
        case string([UInt8])
        case symbol(Character)
        case endOfFile
    }

    var kind: Kind
    var location: SourceLocation
    /// The comment block directly above this token (no blank line between), if any.
    var leadingComment: String?
    /// The token as written in the source, for error messages.
    var text: String

    var identifier: String? {
        if case .identifier(let s) = kind { return s }
        return nil
    }

    func isSymbol(_ c: Character) -> Bool { kind == .symbol(c) }
    func isKeyword(_ word: String) -> Bool { kind == .identifier(word) }

    var displayText: String {
        switch kind {
        case .endOfFile: return "end of input"
        default: return text
        }
    }
}
