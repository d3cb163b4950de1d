// swift-tools-version:6.1
// Benchmarks for CitizenPortal's protobuf runtime (PortalWire + portal-codegen output) against
// apple/swift-protobuf. A separate package: the product never depends on it, and swift-protobuf
// appears only here. See README.md and ../docs/PERFORMANCE.md.
import PackageDescription

let package = Package(
    name: "CitizenPortalBenchmarks",
    products: [
        .executable(name: "portal-bench", targets: ["portal-bench"]),
    ],
    dependencies: [
        // `name:` lets the product references below work whatever the checkout folder is called.
        .package(name: "CitizenPortal", path: ".."),
        .package(url: "https://github.com/apple/swift-protobuf", exact: "1.39.0"),
    ],
    targets: [
        // portal-codegen output for TestAllTypesProto3 (and the well-known types it imports),
        // generated at build time exactly as the conformance testee's copy is.
        .target(
            name: "PortalBenchMessages",
            dependencies: [.product(name: "PortalWire", package: "CitizenPortal")],
            path: "Sources/PortalBenchMessages",
            exclude: ["portal-codegen.json"],
            plugins: [.plugin(name: "PortalCodegenPlugin", package: "CitizenPortal")]
        ),
        // protoc-gen-swift 1.39.0 output for the same .proto files, generated once and
        // committed (see Sources/SwiftProtobufMessages/README.md).
        .target(
            name: "SwiftProtobufMessages",
            dependencies: [.product(name: "SwiftProtobuf", package: "swift-protobuf")],
            path: "Sources/SwiftProtobufMessages",
            exclude: ["README.md"]
        ),
        .executableTarget(
            name: "portal-bench",
            dependencies: [
                "PortalBenchMessages",
                "SwiftProtobufMessages",
                .product(name: "PortalModel", package: "CitizenPortal"),
                .product(name: "PortalWire", package: "CitizenPortal"),
                .product(name: "SwiftProtobuf", package: "swift-protobuf"),
            ],
            path: "Sources/portal-bench"
        ),
    ],
    swiftLanguageModes: [.v6]
)
