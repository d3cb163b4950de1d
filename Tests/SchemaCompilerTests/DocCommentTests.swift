import Foundation
import Testing
@testable import SchemaCompiler

/// Schema comments become Swift doc comments: the comment block directly above a
/// declaration is attached; a block separated by a blank line, and trailing comments on the
/// previous declaration's line, are not.
@Suite("Doc comments")
struct DocCommentTests {
    static let source = """
        syntax = "proto3";

        // Detached: a blank line follows.

        // Leading for Msg.
        // Second line.
        message Msg {
          // Field a.
          int32 a = 1; // trailing on a
          int32 b = 2; // trailing on b, not attached to c
          int32 c = 3;
          // Doc for d, after c's line.
          int32 d = 4;

          /* Block for e. */
          int32 e = 5;
          /**
           * Javadoc for f.
           */
          repeated string f = 6;
          // Oneof doc.
          oneof choice {
            // Member doc.
            string g = 7;
          }
          // Map doc.
          map<string, int32> h = 8;
          // Detached from i.

          int32 i = 9;
          // Nested doc.
          message Nested {}
        }

        // Enum doc.
        enum Kind {
          // Zero doc.
          KIND_ZERO = 0;
          KIND_ONE = 1; // trailing on one
        }

        // Service doc.
        service Api {
          // Rpc doc.
          rpc Call(Msg) returns (Msg);

          /* Detached from Other. */

          rpc Other(Msg) returns (stream Msg);
        }
        """

    func model() throws -> ProtoFile {
        let (file, errors) = InProcessCompiler.parse(Self.source)
        try #require(errors.isEmpty, "\(errors)")
        return file
    }

    func field(_ name: String, in file: ProtoFile) throws -> FieldDecl {
        try #require(file.messages.first?.fields.first { $0.name == name }, "no field \(name)")
    }

    /// Comment text with surrounding blank lines and indentation trimmed.
    func trimmed(_ comment: String?) -> String? {
        comment?.trimmingCharacters(in: .whitespacesAndNewlines)
    }

    @Test("A leading block attaches to the message; the detached block before it does not")
    func messageComment() throws {
        let file = try model()
        #expect(file.messages.first?.comment == " Leading for Msg.\n Second line.")
    }

    @Test("Field comments: leading attached, trailing ones ignored")
    func fieldComments() throws {
        let file = try model()
        #expect(try field("a", in: file).comment == " Field a.")
        #expect(try field("b", in: file).comment == nil)
        #expect(try field("c", in: file).comment == nil)
        #expect(try field("d", in: file).comment == " Doc for d, after c's line.")
        #expect(try field("i", in: file).comment == nil)
    }

    @Test("Block comments attach, with stars and indentation stripped")
    func blockComments() throws {
        let file = try model()
        #expect(trimmed(try field("e", in: file).comment) == "Block for e.")
        let javadoc = try #require(try field("f", in: file).comment)
        #expect(javadoc.split(separator: "\n", omittingEmptySubsequences: true) == [" Javadoc for f."])
    }

    @Test("Oneofs, their members, maps and nested messages carry comments")
    func otherMemberComments() throws {
        let file = try model()
        let message = try #require(file.messages.first)
        #expect(message.oneofs.first?.comment == " Oneof doc.")
        #expect(try field("g", in: file).comment == " Member doc.")
        #expect(try field("h", in: file).comment == " Map doc.")
        #expect(message.messages.first { $0.name == "Nested" }?.comment == " Nested doc.")
    }

    @Test("Enums and enum values")
    func enumComments() throws {
        let file = try model()
        let kind = try #require(file.enums.first)
        #expect(kind.comment == " Enum doc.")
        #expect(kind.values.map(\.comment) == [" Zero doc.", nil])
    }

    @Test("Services and rpcs; a blank line detaches")
    func serviceComments() throws {
        let file = try model()
        let api = try #require(file.services.first)
        #expect(api.comment == " Service doc.")
        #expect(api.methods.map(\.comment) == [" Rpc doc.", nil])
    }

    @Test("CRLF line endings do not leak into comments")
    func crlfComments() throws {
        let (file, errors) = InProcessCompiler.parse("syntax = \"proto3\";\r\n// Doc.\r\n/* More\r\n doc. */\r\nmessage M {}\r\n")
        #expect(errors.isEmpty)
        #expect(file.messages.first?.comment == " Doc.\nMore\ndoc. ")
    }
}
