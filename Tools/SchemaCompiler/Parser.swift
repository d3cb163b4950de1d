/// A recursive-descent parser for proto3 as protoc 3.21 accepts it. Syntax errors stop
/// the parse of the current file (like protoc, which reports the first and recovers poorly);
/// semantic checks are the `Validator`'s.
struct Parser {
    struct Failure: Error { var error: SchemaError }

    private var tokens: [Token]
    private var position = 0
    let file: ProtoFile
    private(set) var errors: [SchemaError] = []

    init(source: String, path: String) {
        var lexer = Lexer(source: source, file: path)
        tokens = lexer.tokenize()
        errors = lexer.errors
        file = ProtoFile(path: path)
    }

    /// Parses the whole file; returns it with any errors found.
    static func parse(source: String, path: String) -> (ProtoFile, [SchemaError]) {
        var parser = Parser(source: source, path: path)
        if parser.errors.isEmpty {
            do {
                try parser.parseFile()
            } catch let failure as Failure {
                parser.errors.append(failure.error)
            } catch {
                parser.errors.append(SchemaError(parser.current.location, "\(error)"))
            }
        }
        return (parser.file, parser.errors)
    }

    // MARK: Token helpers

    var current: Token { tokens[position] }
    /// The token `n` places ahead (the end-of-file token past the end).
    func tokens(after n: Int) -> Token { tokens[min(position + n, tokens.count - 1)] }

    mutating func next() -> Token {
        let t = tokens[position]
        if position < tokens.count - 1 { position += 1 }
        return t
    }

    func fail(_ message: String, at location: SourceLocation? = nil) -> Failure {
        Failure(error: SchemaError(location ?? current.location, message))
    }

    mutating func expect(_ symbol: Character) throws {
        guard current.isSymbol(symbol) else { throw fail("Expected \"\(symbol)\".") }
        _ = next()
    }

    mutating func accept(_ symbol: Character) -> Bool {
        if current.isSymbol(symbol) { _ = next(); return true }
        return false
    }

    mutating func acceptKeyword(_ word: String) -> Bool {
        if current.isKeyword(word) { _ = next(); return true }
        return false
    }

    mutating func expectKeyword(_ word: String) throws {
        guard acceptKeyword(word) else { throw fail("Expected \"\(word)\".") }
    }

    mutating func identifier(_ what: String) throws -> String {
        guard let s = current.identifier else { throw fail("Expected \(what).") }
        _ = next()
        return s
    }

    /// `a.b.c`, optionally with a leading dot (type references only).
    mutating func dottedName(_ what: String, allowLeadingDot: Bool) throws -> String {
        var name = ""
        if allowLeadingDot && accept(".") { name = "." }
        name += try identifier(what)
        while current.isSymbol(".") {
            _ = next()
            name += "." + (try identifier(what))
        }
        return name
    }

    mutating func stringLiteral(_ what: String) throws -> [UInt8] {
        guard case .string(var bytes) = current.kind else { throw fail("Expected \(what).") }
        _ = next()
        while case .string(let more) = current.kind {  // adjacent literals concatenate
            bytes += more
            _ = next()
        }
        return bytes
    }

    /// protoc's `ConsumeSignedInteger` (enum values and enum reserved ranges): an optional
    /// `-`, then an integer that fits `Int32`.
    mutating func signedInteger(_ what: String) throws -> (value: Int32, location: SourceLocation) {
        let loc = current.location
        let negative = accept("-")
        guard case .integer(let magnitude, let overflow) = current.kind else { throw fail("Expected \(what).") }
        let limit = negative ? UInt64(Int32.max) + 1 : UInt64(Int32.max)
        if overflow || magnitude > limit { throw fail("Integer out of range.") }
        _ = next()
        return (negative ? Int32(truncatingIfNeeded: 0 &- Int64(magnitude)) : Int32(magnitude), loc)
    }

    /// protoc's `ConsumeInteger` (field numbers, message reserved ranges): no sign, at most
    /// `Int32.max`. `message` is the whole error text when no integer is there.
    mutating func unsignedInteger(_ message: String) throws -> (value: Int, location: SourceLocation) {
        let loc = current.location
        guard case .integer(let value, let overflow) = current.kind else { throw fail(message) }
        if overflow || value > UInt64(Int32.max) { throw fail("Integer out of range.") }
        _ = next()
        return (Int(value), loc)
    }

    /// protoc's `ParseUserDefinedType`: a message or enum name, never a scalar type name.
    mutating func userDefinedType() throws -> String {
        if let id = current.identifier, ScalarType(rawValue: id) != nil || id == "group" {
            throw fail("Expected message type.")
        }
        return try dottedName("type name", allowLeadingDot: true)
    }

    // MARK: File

    mutating func parseFile() throws {
        if current.isKeyword("syntax") {
            file.syntaxLocation = current.location
            _ = next()
            try expect("=")
            let loc = current.location
            let syntax = String(decoding: try stringLiteral("syntax identifier"), as: UTF8.self)
            try expect(";")
            guard syntax == "proto3" || syntax == "proto2" else {
                throw fail("Unrecognized syntax identifier \"\(syntax)\".  This parser only recognizes \"proto2\" and \"proto3\".", at: loc)
            }
            file.syntax = syntax
        }
        while true {
            if case .endOfFile = current.kind { return }
            if accept(";") { continue }
            try parseTopLevelStatement()
        }
    }

    mutating func parseTopLevelStatement() throws {
        let token = current
        switch token.identifier {
        case "message":
            _ = next()
            file.messages.append(try parseMessage(comment: token.leadingComment, location: token.location))
        case "enum":
            _ = next()
            file.enums.append(try parseEnum(comment: token.leadingComment, location: token.location))
        case "service":
            _ = next()
            file.services.append(try parseService(comment: token.leadingComment))
        case "import":
            _ = next()
            var kind = ProtoFile.Import.Kind.normal
            if acceptKeyword("public") { kind = .public } else if acceptKeyword("weak") { kind = .weak }
            let path = String(decoding: try stringLiteral("a string naming the file to import"), as: UTF8.self)
            try expect(";")
            file.imports.append(.init(path: path, kind: kind, location: token.location))
        case "package":
            _ = next()
            if file.package != nil { throw fail("Multiple package definitions.", at: token.location) }
            file.packageLocation = token.location
            file.package = try dottedName("identifier", allowLeadingDot: false)
            try expect(";")
        case "option":
            _ = next()
            file.options.append(try parseOptionStatement())
            try expect(";")
        case "extend":
            throw fail(Parser.extendUnsupported)
        default:
            throw fail("Expected top-level statement (e.g. \"message\").")
        }
    }

    static let extendUnsupported = "Extensions in proto3 are only allowed for defining options, and portal-codegen does not support custom options."

    // MARK: Options

    /// `name = value` (after the `option` keyword, or inside `[...]`).
    mutating func parseOptionStatement() throws -> OptionStatement {
        let loc = current.location
        var name = ""
        var isCustom = false
        repeat {
            if !name.isEmpty { name += "." }
            if accept("(") {
                isCustom = true
                name += "(" + (try dottedName("identifier", allowLeadingDot: true)) + ")"
                try expect(")")
            } else {
                name += try identifier("identifier")
            }
        } while accept(".")
        try expect("=")
        let valueLoc = current.location
        let value = try parseOptionValue()
        return OptionStatement(name: name, isCustom: isCustom, value: value, location: loc, valueLocation: valueLoc)
    }

    mutating func parseOptionValue() throws -> OptionValue {
        if current.isSymbol("{") {
            // Aggregate syntax: skip balanced braces; only custom options take it.
            var depth = 0
            repeat {
                if current.isSymbol("{") { depth += 1 }
                if current.isSymbol("}") { depth -= 1 }
                if case .endOfFile = current.kind { throw fail("Unexpected end of stream while parsing aggregate value.") }
                _ = next()
            } while depth > 0
            return .aggregate
        }
        // protoc: every value is one token, except a negative number (`-` then a number).
        let negative = accept("-")
        switch current.kind {
        case .identifier:
            if negative { throw fail("Invalid '-' symbol before identifier.") }
            return .identifier(try identifier("identifier"))
        case .integer(let v, let overflow):
            let limit = negative ? UInt64(Int64.max) + 1 : UInt64.max
            if overflow || v > limit { throw fail("Integer out of range.") }
            _ = next()
            return .integer(negative: negative, magnitude: v, overflow: false)
        case .float(let d):
            _ = next()
            return .float(negative ? -d : d)
        case .string:
            if negative { throw fail("Invalid '-' symbol before string.") }
            return .string(try stringLiteral("string"))
        case .endOfFile:
            throw fail("Unexpected end of stream while parsing option value.")
        default:
            throw fail("Expected option value.")
        }
    }

    /// `[a = 1, b = 2]` after a field or enum value.
    mutating func parseBracketOptions() throws -> [OptionStatement] {
        guard accept("[") else { return [] }
        var options: [OptionStatement] = []
        repeat {
            if current.isKeyword("json_name") && tokens(after: 1).isSymbol("=") {
                // Not a real option in protoc: a string-valued pseudo-option, set at most once.
                let loc = current.location
                if options.contains(where: { $0.name == "json_name" }) { throw fail("Already set option \"json_name\".") }
                _ = next(); _ = next()
                let valueLoc = current.location
                guard case .string = current.kind else { throw fail("Expected string for JSON name.") }
                let value = try stringLiteral("string")
                options.append(OptionStatement(name: "json_name", isCustom: false, value: .string(value),
                                               location: loc, valueLocation: valueLoc))
            } else {
                options.append(try parseOptionStatement())
            }
        } while accept(",")
        try expect("]")
        return options
    }

    // MARK: Reserved

    /// `reserved 2, 15, 9 to 11;` or `reserved "foo", "bar";` — message ranges take protoc's
    /// `ConsumeInteger` (unsigned), enum ranges `ConsumeSignedInteger`.
    mutating func parseReserved(max: Int, isEnum: Bool,
                                ranges: inout [ReservedRange], names: inout [(String, SourceLocation)]) throws {
        if case .string = current.kind {
            repeat {
                let loc = current.location
                let bytes = try stringLiteral(isEnum ? "enum value" : "field name")
                names.append((String(decoding: bytes, as: UTF8.self), loc))
            } while accept(",")
            try expect(";")
            return
        }
        var first = true
        repeat {
            let loc = current.location
            let start = try isEnum
                ? Int(signedInteger(first ? "enum value or number range" : "enum number range").value)
                : unsignedInteger(first ? "Expected field name or number range." : "Expected field number range.").value
            var end = start
            if acceptKeyword("to") {
                end = try acceptKeyword("max") ? max
                    : isEnum ? Int(signedInteger("integer").value) : unsignedInteger("Expected integer.").value
            }
            ranges.append(ReservedRange(start: start, end: end, location: loc))
            first = false
        } while accept(",")
        try expect(";")
    }
}
