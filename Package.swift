// swift-tools-version:6.1
// CitizenPortal: a citizen complaint and e-government back end speaking a gRPC-style binary
// protocol. Layers point one way (see docs/ARCHITECTURE.md):
//   Schema/ -> Tools (portal-codegen + plugin) -> PortalWire -> PortalModel -> RPC -> store -> services
// The product depends on no third-party Swift package.
import PackageDescription

let package = Package(
    name: "CitizenPortal",
    products: [
        .library(name: "PortalWire", targets: ["PortalWire"]),
        .library(name: "PortalModel", targets: ["PortalModel"]),
        .library(name: "PortalRPC", targets: ["PortalRPC"]),
        .library(name: "PortalStore", targets: ["PortalStore"]),
        .library(name: "PortalServices", targets: ["PortalServices"]),
        // For FuzzTesting/ (the schema-parser fuzzer); portal-codegen is its only other client.
        .library(name: "SchemaCompiler", targets: ["SchemaCompiler"]),
        .executable(name: "portal-codegen", targets: ["portal-codegen"]),
        .executable(name: "portal-server", targets: ["portal-server"]),
        .executable(name: "conformance-testee", targets: ["conformance-testee"]),
        .executable(name: "interop-tool", targets: ["interop-tool"]),
        .executable(name: "portal-client", targets: ["portal-client"]),
        .executable(name: "portal-load", targets: ["portal-load"]),
        .plugin(name: "PortalCodegenPlugin", targets: ["PortalCodegenPlugin"]),
    ],
    targets: [
        // Wire runtime: varints, zigzag, fixed, length-delimited, unknown fields, RPC shapes.
        .target(name: "PortalWire", path: "Sources/PortalWire"),

        // Schema compiler: proto3 lexer, parser, resolver/validator and Swift emitter.
        .target(name: "SchemaCompiler", path: "Tools/SchemaCompiler"),
        .executableTarget(
            name: "portal-codegen",
            dependencies: ["SchemaCompiler"],
            path: "Tools/portal-codegen"
        ),
        .plugin(
            name: "PortalCodegenPlugin",
            capability: .buildTool(),
            dependencies: ["portal-codegen"],
            path: "Tools/PortalCodegenPlugin"
        ),

        // The generated model of Schema/, shared by server and clients.
        .target(
            name: "PortalModel",
            dependencies: ["PortalWire"],
            path: "Sources/PortalModel",
            exclude: ["portal-codegen.json"],
            plugins: ["PortalCodegenPlugin"]
        ),

        // epoll, accept4 and eventfd, which Glibc does not expose to Swift.
        .target(name: "CPortalSystem", path: "Sources/CPortalSystem"),
        // The framed binary protocol over TCP: frames, status codes, router, server, client.
        .target(
            name: "PortalRPC",
            dependencies: ["PortalModel", "CPortalSystem"],
            path: "Sources/PortalRPC"
        ),

        // The system SQLite (libsqlite3-dev) as a module, for PortalStore only.
        .systemLibrary(
            name: "CSQLite",
            path: "Sources/CSQLite",
            pkgConfig: "sqlite3",
            providers: [.apt(["libsqlite3-dev"])]
        ),
        // The SQLite store engine: connections, statement cache, migrations, and a Store with
        // one group-committing writer thread and a pool of reader threads. No domain tables.
        .target(
            name: "PortalStore",
            dependencies: ["CSQLite"],
            path: "Sources/PortalStore"
        ),

        // libxcrypt (yescrypt) and getrandom(2), for PortalSecurity.
        .systemLibrary(name: "CCrypt", path: "Sources/CCrypt", providers: [.apt(["libcrypt-dev"])]),
        // Password hashing, secure randomness, SHA-256, input validation, media sniffing.
        .target(
            name: "PortalSecurity",
            dependencies: ["CCrypt"],
            path: "Sources/PortalSecurity"
        ),

        // The portal's domain over the store: accounts, complaints, routing, escalation, message
        // box, dashboards, admin and audit log, and the generated services' handlers.
        .target(
            name: "PortalServices",
            dependencies: ["PortalRPC", "PortalStore", "PortalSecurity"],
            path: "Sources/PortalServices",
            resources: [.copy("Resources/seed")]
        ),

        // The dashboards and public statistics page the HTTP gateway serves (static files).
        .target(
            name: "PortalWeb",
            dependencies: ["PortalRPC"],
            path: "Sources/PortalWeb",
            resources: [.copy("Resources/web")]
        ),

        .executableTarget(
            name: "portal-server",
            dependencies: ["PortalServices", "PortalRPC", "PortalWeb", "CPortalSystem"],
            path: "Sources/portal-server"
        ),

        // Speaks protobuf's conformance protocol for TestAllTypesProto3 (binary proto3).
        .executableTarget(
            name: "conformance-testee",
            dependencies: ["PortalWire"],
            path: "Tests/Conformance/Testee",
            exclude: ["portal-codegen.json"],
            plugins: ["PortalCodegenPlugin"]
        ),
        // Decodes and re-encodes messages of every Schema type for the Python interop check.
        .executableTarget(
            name: "interop-tool",
            dependencies: ["PortalModel"],
            path: "Tests/Interop/Tool"
        ),

        .testTarget(
            name: "PortalWireTests",
            dependencies: ["PortalWire"],
            path: "Tests/PortalWireTests"
        ),
        // Test support: running external programs without Foundation's Process (see the file).
        .target(name: "ChildProcess", path: "Tests/Support/ChildProcess"),
        .target(name: "LogCapture", dependencies: ["PortalRPC"], path: "Tests/Support/LogCapture"),
        .testTarget(
            name: "SchemaCompilerTests",
            dependencies: ["SchemaCompiler", "ChildProcess"],
            path: "Tests/SchemaCompilerTests",
            exclude: ["compare_descriptors.py", "SchemaFuzzRegressions"],
            resources: [.copy("Corpus")]
        ),
        // Awkward schemas (Swift keywords, recursion, every map key type, presence, packing)
        // compiled by the plugin: the generated code must build and round-trip.
        .testTarget(
            name: "CodegenStressTests",
            dependencies: ["PortalWire"],
            path: "Tests/CodegenStressTests",
            exclude: ["portal-codegen.json", "Schemas"],
            plugins: ["PortalCodegenPlugin"]
        ),
        .testTarget(
            name: "PortalRPCTests",
            dependencies: ["PortalRPC", "LogCapture"],
            path: "Tests/PortalRPCTests",
            exclude: ["portal-codegen.json", "Protos", "FrameFuzzRegressions"],
            plugins: ["PortalCodegenPlugin"]
        ),
        .testTarget(
            name: "PortalSecurityTests",
            dependencies: ["PortalSecurity", "ChildProcess"],
            path: "Tests/PortalSecurityTests"
        ),
        .testTarget(
            name: "PortalModelTests",
            dependencies: ["PortalModel"],
            path: "Tests/PortalModelTests",
            exclude: ["FuzzRegressions"]
        ),
        .testTarget(
            name: "PortalServicesTests",
            dependencies: ["PortalServices", "PortalStore", "PortalSecurity", "LogCapture"],
            path: "Tests/PortalServicesTests"
        ),
        // portal-server's settings: flags, the config file and their precedence.
        .testTarget(
            name: "PortalServerTests",
            dependencies: ["portal-server"],
            path: "Tests/PortalServerTests"
        ),
        .testTarget(
            name: "PortalStoreTests",
            dependencies: ["PortalStore"],
            path: "Tests/PortalStoreTests"
        ),

        // The Linux test client: every citizen, officer and admin call as a subcommand, with
        // sessions kept per profile. Depends on the RPC client and the shared generated model only.
        .executableTarget(
            name: "portal-client",
            dependencies: ["PortalRPC"],
            path: "clients/portal-client"
        ),
        // portal-client's flag parser, JSON printer and formats (pure functions, no server).
        .testTarget(
            name: "PortalClientTests",
            dependencies: ["portal-client"],
            path: "Tests/PortalClientTests"
        ),

        // portal-load (clients/portal-load): the load tester. The library holds everything
        // testable (histogram, flags, mix, outbox parsing, loopback rule); the executable is main.
        .target(
            name: "PortalLoadCore",
            dependencies: ["PortalRPC"],
            path: "clients/portal-load/Sources/PortalLoadCore"
        ),
        .executableTarget(
            name: "portal-load",
            dependencies: ["PortalLoadCore", "PortalRPC"],
            path: "clients/portal-load/Sources/portal-load"
        ),
        .testTarget(
            name: "PortalLoadTests",
            dependencies: ["PortalLoadCore"],
            path: "Tests/PortalLoadTests"
        ),
    ],
    swiftLanguageModes: [.v6]
)
