import Foundation
import Testing
@testable import SchemaCompiler

/// The parsed model: map entries, synthetic oneofs for proto3 `optional`, packed-ness,
/// JSON names, and reporting several errors at once.
@Suite("Parsed model")
struct ParserModelTests {
    @Test("Map entry names follow protoc's MapEntryName", arguments: [
        ("foo_bar", "FooBarEntry"), ("tags", "TagsEntry"), ("_leading", "LeadingEntry"),
        ("a1_b", "A1BEntry"), ("mixedCase", "MixedCaseEntry"), ("x__y", "XYEntry"), ("trailing_", "TrailingEntry"),
    ])
    func mapEntryName(_ field: String, _ entry: String) {
        #expect(Parser.mapEntryName(field) == entry)
    }

    @Test("A map field gets a nested entry message with key = 1 and value = 2")
    func mapEntryMessage() throws {
        let file = try InProcessCompiler.model("""
            syntax = "proto3";
            package p;
            message V {}
            message M {
              message Before {}
              map<string, V> foo_bar = 3;
              message After {}
            }
            """)
        let m = try #require(file.messages.first { $0.name == "M" })
        // The entry sits among the nested types in declaration order, like protoc's.
        #expect(m.messages.map(\.name) == ["Before", "FooBarEntry", "After"])
        let field = try #require(m.fields.first)
        let entry = try #require(field.mapEntry)
        #expect(entry.isMapEntry)
        #expect(entry.fullName == "p.M.FooBarEntry")
        #expect(field.label == .repeated)
        #expect(entry.fields.map(\.name) == ["key", "value"])
        #expect(entry.fields.map(\.number) == [1, 2])
        guard case .scalar(.string) = entry.mapKey?.type, case .message(let value) = entry.mapValue?.type else {
            Issue.record("unexpected key/value types")
            return
        }
        #expect(value.fullName == "p.V")
    }

    @Test("proto3 optional fields get synthetic oneofs after the real ones, X-prefixed on conflict")
    func syntheticOneofs() throws {
        let file = try InProcessCompiler.model("""
            syntax = "proto3";
            message M {
              oneof _y { string real = 1; }
              optional int32 x = 2;
              optional int32 y = 3;
              optional string _z = 4;
              oneof later { int64 l = 5; }
              int32 plain = 6;
            }
            """)
        let m = try #require(file.messages.first)
        #expect(m.oneofs.map(\.name) == ["_y", "later", "_x", "X_y", "X_z"])
        #expect(m.oneofs.map(\.isSynthetic) == [false, false, true, true, true])
        let indexes = Dictionary(uniqueKeysWithValues: m.fields.map { ($0.name, $0.oneofIndex) })
        #expect(indexes == ["real": 0, "x": 2, "y": 3, "_z": 4, "l": 1, "plain": nil])
        #expect(m.fields.filter { $0.label == .optional }.map(\.name) == ["x", "y", "_z"])
    }

    @Test("Repeated numeric and enum fields are packed unless [packed = false]")
    func packedness() throws {
        let file = try InProcessCompiler.model("""
            syntax = "proto3";
            enum E { E_ZERO = 0; }
            message M {
              repeated int32 a = 1;
              repeated int32 b = 2 [packed = false];
              repeated E c = 3;
              repeated string d = 4;
              repeated bytes e = 5 [packed = false];
              int32 f = 6;
              map<int32, int32> g = 7;
              repeated double h = 8 [packed = true];
            }
            """)
        let m = try #require(file.messages.first)
        let packed = Dictionary(uniqueKeysWithValues: m.fields.map { ($0.name, $0.isPacked) })
        #expect(packed == ["a": true, "b": false, "c": true, "d": false, "e": false, "f": false, "g": false, "h": true])
    }

    @Test("Default JSON names; an explicit json_name is what the descriptor dump reports")
    func jsonNames() throws {
        let file = try InProcessCompiler.model("""
            syntax = "proto3";
            message M {
              int32 foo_bar = 1;
              int32 _lead = 2;
              int32 baz_1 = 3;
              int32 custom = 4 [json_name = "renamed"];
            }
            """)
        let m = try #require(file.messages.first)
        #expect(m.fields.map(\.jsonName) == ["fooBar", "Lead", "baz1", "custom"])
        #expect(m.fields.map(DescriptorDump.jsonName) == ["fooBar", "Lead", "baz1", "renamed"])
    }

    @Test("Adjacent string literals concatenate")
    func stringConcatenation() throws {
        let (file, errors) = InProcessCompiler.parse("syntax = 'pro' \"to3\"; message M { reserved \"a\" 'b', \"c\"; }")
        #expect(errors.isEmpty)
        #expect(file.syntax == "proto3")
        #expect(file.messages.first?.reservedNames.map(\.0) == ["ab", "c"])
    }

    @Test("Every semantic error is reported, not just the first")
    func multipleErrors() throws {
        let outcome = try InProcessCompiler.compile("""
            syntax = "proto3";
            message M {
              int32 a = 1;
              int32 b = 1;
              int32 c = 19500;
              string d = 2 [packed = true];
            }
            enum E { E_ONE = 1; }
            """)
        #expect(outcome.errors.map(\.description) == [
            "test.proto:4:13: Field number 1 has already been used in \"M\" by field \"a\".",
            "test.proto:5:13: Field numbers 19000 through 19999 are reserved for the protocol buffer library implementation.",
            "test.proto:6:10: [packed = true] can only be specified for repeated primitive fields.",
            "test.proto:8:10: The first enum value must be zero in proto3.",
        ])
    }

    @Test("Every unresolved name is reported")
    func multipleResolutionErrors() throws {
        let outcome = try InProcessCompiler.compile("""
            syntax = "proto3";
            message M {
              Missing a = 1;
              Other.Thing b = 2;
            }
            service S { rpc Go(Nope) returns (M); }
            """)
        #expect(outcome.errors.map(\.description) == [
            "test.proto:3:3: \"Missing\" is not defined.",
            "test.proto:4:3: \"Other.Thing\" is not defined.",
            "test.proto:6:20: \"Nope\" is not defined.",
        ])
    }

    @Test("Field types skip non-type symbols; rpc types do not (protoc's LOOKUP_TYPES vs LOOKUP_ALL)")
    func lookupModes() throws {
        let fieldOK = try InProcessCompiler.model("syntax = \"proto3\"; message T {} message M { T T = 1; }")
        guard case .message(let t)? = fieldOK.messages.last?.fields.first?.type else {
            Issue.record("T T = 1 should resolve to message T")
            return
        }
        #expect(t.fullName == "T")
        let rpc = try InProcessCompiler.compile("syntax = \"proto3\"; message T {} service S { rpc T(T) returns (.T); }")
        #expect(rpc.errors.map(\.message) == ["\"T\" is not a message type."])
    }

    @Test("A syntax error stops the file with one error at the offending token")
    func syntaxErrorLocation() {
        let (_, errors) = InProcessCompiler.parse("syntax = \"proto3\";\nmessage M {\n  int32 a = 1\n  int32 b = 2;\n}\n")
        #expect(errors.map(\.description) == ["test.proto:4:3: Expected \";\"."])
    }
}

@Suite struct ErrorCompletenessTests {
    /// One run reports resolution and validation errors together, as protoc does.
    @Test func resolutionAndValidationErrorsAreReportedTogether() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("multi-\(UInt64.random(in: 0...UInt64.max))")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        try Data("""
            syntax = "proto3";
            message Broken {
              string a = 1;
              int32 b = 1;
              Unknown c = 3;
              repeated Missing d = 4 [packed = true];
            }
            """.utf8).write(to: dir.appendingPathComponent("multi.proto"))
        let loader = SchemaLoader(importPaths: [dir.path])
        do {
            _ = try loader.loadAll(["multi.proto"])
            Issue.record("expected errors")
        } catch {
            let messages = error.errors.map(\.description)
            #expect(messages.contains("multi.proto:5:3: \"Unknown\" is not defined."))
            #expect(messages.contains { $0.hasPrefix("multi.proto:4:") && $0.contains("Field number 1 has already been used") })
            #expect(messages.count == 3, "\(messages)")
        }
    }
}
