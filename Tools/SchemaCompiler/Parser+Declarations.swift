/// Messages, fields, oneofs, maps, enums and services.
extension Parser {
    static let maxFieldNumber = 536_870_911

    mutating func parseMessage(comment: String?, location: SourceLocation) throws -> MessageDecl {
        let nameLoc = current.location
        let name = try identifier("message name")
        let message = MessageDecl(name: name, location: nameLoc)
        message.comment = comment
        _ = location
        try expect("{")
        while !accept("}") {
            if case .endOfFile = current.kind { throw fail("Reached end of input in message definition (missing '}').") }
            if accept(";") { continue }
            try parseMessageStatement(message)
        }
        addSyntheticOneofs(message)
        return message
    }

    private mutating func parseMessageStatement(_ message: MessageDecl) throws {
        let token = current
        switch token.identifier {
        case "message":
            _ = next()
            let nested = try parseMessage(comment: token.leadingComment, location: token.location)
            nested.parent = message
            message.messages.append(nested)
        case "enum":
            _ = next()
            let nested = try parseEnum(comment: token.leadingComment, location: token.location)
            message.enums.append(nested)
            nested.parent = message
        case "oneof":
            _ = next()
            try parseOneof(message, comment: token.leadingComment)
        case "reserved":
            _ = next()
            try parseReserved(max: Parser.maxFieldNumber, isEnum: false,
                              ranges: &message.reservedRanges, names: &message.reservedNames)
        case "extensions":
            _ = next()
            message.extensionRanges.append(token.location)
            var ranges: [ReservedRange] = []
            var names: [(String, SourceLocation)] = []
            try parseReserved(max: Parser.maxFieldNumber, isEnum: false, ranges: &ranges, names: &names)
        case "extend":
            throw fail(Parser.extendUnsupported)
        case "option":
            _ = next()
            message.options.append(try parseOptionStatement())
            try expect(";")
        default:
            if let field = try parseField(in: message, oneof: nil) {
                message.fields.append(field)
            }
        }
    }

    private mutating func parseOneof(_ message: MessageDecl, comment: String?) throws {
        let loc = current.location
        let name = try identifier("oneof name")
        let oneof = OneofDecl(name: name, location: loc)
        oneof.comment = comment
        let index = message.oneofs.count
        message.oneofs.append(oneof)
        try expect("{")
        // As in protoc, the body is parsed at least once and has no empty statements, so
        // `oneof o {}` and `oneof o { ; ... }` fail with "Expected type name.".
        repeat {
            if case .endOfFile = current.kind { throw fail("Reached end of input in oneof definition (missing '}').") }
            if acceptKeyword("option") {
                oneof.options.append(try parseOptionStatement())
                try expect(";")
                continue
            }
            if current.isKeyword("required") || current.isKeyword("optional") || current.isKeyword("repeated") {
                throw fail("Fields in oneofs must not have labels (required / optional / repeated).")
            }
            if current.isKeyword("map") && tokens(after: 1).isSymbol("<") {
                throw fail("Map fields are not allowed in oneofs.", at: tokens(after: 1).location)
            }
            guard let field = try parseField(in: message, oneof: index) else { continue }
            field.oneofIndex = index
            oneof.fields.append(field)
            message.fields.append(field)
        } while !accept("}")
    }

    /// A field declaration, including `map<K, V>` (which also adds its entry message).
    private mutating func parseField(in message: MessageDecl, oneof: Int?) throws -> FieldDecl? {
        let start = current
        var label = FieldLabel.singular
        var hasLabel = false
        if acceptKeyword("repeated") {
            label = .repeated
            hasLabel = true
        } else if acceptKeyword("optional") {
            label = .optional
            hasLabel = true
        } else if current.isKeyword("required") {
            throw fail("Required fields are not allowed in proto3.")
        }
        if current.isKeyword("map") && tokens(after: 1).isSymbol("<") {
            if hasLabel { throw fail("Field labels (required/optional/repeated) are not allowed on map fields.") }
            return try parseMapField(in: message, start: start)
        }
        if current.isKeyword("group") && tokens(after: 1).identifier != nil && tokens(after: 2).isSymbol("=") {
            throw fail("Groups are not supported in proto3 syntax.")
        }
        let typeLoc = current.location
        let typeName = try dottedName("type name", allowLeadingDot: true)
        let nameLoc = current.location
        let name = try identifier("field name")
        try expect("=")
        let number = try unsignedInteger("Expected field number.")
        let options = try parseBracketOptions()
        try expect(";")
        let type: FieldType = ScalarType(rawValue: typeName).map { .scalar($0) } ?? .named(typeName)
        let field = FieldDecl(name: name, number: number.value, label: label, type: type,
                              location: nameLoc, numberLocation: number.location, typeLocation: typeLoc)
        field.comment = start.leadingComment
        field.options = options
        field.hasLabelKeyword = hasLabel
        _ = oneof
        return field
    }

    private mutating func parseMapField(in message: MessageDecl, start: Token) throws -> FieldDecl {
        _ = next()  // map
        try expect("<")
        let keyLoc = current.location
        let keyName = try dottedName("type name", allowLeadingDot: true)
        try expect(",")
        let valueLoc = current.location
        let valueName = try dottedName("type name", allowLeadingDot: true)
        try expect(">")
        let nameLoc = current.location
        let name = try identifier("field name")
        try expect("=")
        let number = try unsignedInteger("Expected field number.")
        let options = try parseBracketOptions()
        try expect(";")

        let entry = MessageDecl(name: Parser.mapEntryName(name), location: nameLoc)
        entry.isMapEntry = true
        entry.parent = message
        let keyType: FieldType = ScalarType(rawValue: keyName).map { .scalar($0) } ?? .named(keyName)
        let valueType: FieldType = ScalarType(rawValue: valueName).map { .scalar($0) } ?? .named(valueName)
        entry.fields = [
            FieldDecl(name: "key", number: 1, label: .singular, type: keyType, location: keyLoc,
                      numberLocation: keyLoc, typeLocation: keyLoc),
            FieldDecl(name: "value", number: 2, label: .singular, type: valueType, location: valueLoc,
                      numberLocation: valueLoc, typeLocation: valueLoc),
        ]
        message.messages.append(entry)
        let field = FieldDecl(name: name, number: number.value, label: .repeated,
                              type: .message(entry), location: nameLoc,
                              numberLocation: number.location, typeLocation: keyLoc)
        field.mapEntry = entry
        field.comment = start.leadingComment
        field.options = options
        return field
    }

    /// protoc's name for a map field's entry type: `foo_bar` -> `FooBarEntry`.
    static func mapEntryName(_ field: String) -> String { FieldDecl.camelCase(field, upperFirst: true) + "Entry" }

    /// proto3 `optional` fields each get a oneof of their own, named `_field` (prefixed with
    /// X until unique), after the declared oneofs — as protoc does.
    private func addSyntheticOneofs(_ message: MessageDecl) {
        var names = Set(message.fields.map(\.name))
        names.formUnion(message.oneofs.map(\.name))
        for field in message.fields where field.label == .optional {
            var name = field.name.hasPrefix("_") ? field.name : "_" + field.name
            while names.contains(name) { name = "X" + name }
            names.insert(name)
            let oneof = OneofDecl(name: name, location: field.location)
            oneof.isSynthetic = true
            oneof.fields = [field]
            field.oneofIndex = message.oneofs.count
            message.oneofs.append(oneof)
        }
    }

    // MARK: Enums

    mutating func parseEnum(comment: String?, location: SourceLocation) throws -> EnumDecl {
        let nameLoc = current.location
        let name = try identifier("enum name")
        let decl = EnumDecl(name: name, location: nameLoc)
        decl.comment = comment
        _ = location
        try expect("{")
        while !accept("}") {
            if case .endOfFile = current.kind { throw fail("Reached end of input in enum definition (missing '}').") }
            if accept(";") { continue }
            let token = current
            if acceptKeyword("option") {
                decl.options.append(try parseOptionStatement())
                try expect(";")
            } else if acceptKeyword("reserved") {
                try parseReserved(max: Int(Int32.max), isEnum: true,
                                  ranges: &decl.reservedRanges, names: &decl.reservedNames)
            } else {
                let valueName = try identifier("enum constant name")
                try expect("=")
                let number = try signedInteger("integer")
                let options = try parseBracketOptions()
                try expect(";")
                decl.values.append(EnumValueDecl(name: valueName, number: number.value,
                                                 location: token.location, comment: token.leadingComment,
                                                 options: options))
            }
        }
        return decl
    }

    // MARK: Services

    mutating func parseService(comment: String?) throws -> ServiceDecl {
        let loc = current.location
        let service = ServiceDecl(name: try identifier("service name"), location: loc)
        service.comment = comment
        try expect("{")
        while !accept("}") {
            if case .endOfFile = current.kind { throw fail("Reached end of input in service definition (missing '}').") }
            if accept(";") { continue }
            let token = current
            if acceptKeyword("option") {
                service.options.append(try parseOptionStatement())
                try expect(";")
                continue
            }
            guard acceptKeyword("rpc") else { throw fail("Expected \"rpc\".") }
            let nameLoc = current.location
            let name = try identifier("method name")
            try expect("(")
            // protoc treats `stream` here as the keyword, always (so `(stream)` is an error).
            let clientStreaming = acceptKeyword("stream")
            let inLoc = current.location
            let input = try userDefinedType()
            try expect(")")
            try expectKeyword("returns")
            try expect("(")
            let serverStreaming = acceptKeyword("stream")
            let outLoc = current.location
            let output = try userDefinedType()
            try expect(")")
            let method = MethodDecl(name: name, location: nameLoc, inputName: input, outputName: output,
                                    inputLocation: inLoc, outputLocation: outLoc,
                                    clientStreaming: clientStreaming, serverStreaming: serverStreaming)
            method.comment = token.leadingComment
            if accept("{") {
                while !accept("}") {
                    if case .endOfFile = current.kind { throw fail("Reached end of input in method options (missing '}').") }
                    if accept(";") { continue }
                    try expectKeyword("option")
                    method.options.append(try parseOptionStatement())
                    try expect(";")
                }
                _ = accept(";")
            } else {
                try expect(";")
            }
            service.methods.append(method)
        }
        return service
    }
}
