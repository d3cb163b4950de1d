import Testing
@testable import SchemaCompiler
