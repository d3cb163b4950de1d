// swift-tools-version:6.1
// RPC benchmarks: CitizenPortal's RPC runtime (PortalRPC) against a minimal C epoll echo (the
// machine's limit, c-echo/) and grpc-swift-2 serving the same echo.proto. A separate package:
// the product never depends on it, and grpc-swift-2/SwiftNIO appear only here.
// Run everything with ./run.sh; see ../../docs/PERFORMANCE-RPC.md.
import PackageDescription

let package = Package(
    name: "CitizenPortalRPCBenchmarks",
    products: [
        .executable(name: "portal-echo", targets: ["portal-echo"]),
        .executable(name: "grpc-echo", targets: ["grpc-echo"]),
    ],
    dependencies: [
        .package(name: "CitizenPortal", path: "../.."),
        .package(url: "https://github.com/grpc/grpc-swift-2", exact: "2.4.3"),
        .package(url: "https://github.com/grpc/grpc-swift-nio-transport", exact: "2.9.2"),
        .package(url: "https://github.com/grpc/grpc-swift-protobuf", exact: "2.4.1"),
        .package(url: "https://github.com/apple/swift-protobuf", exact: "1.39.0"),
    ],
    targets: [
        // Argument parsing, the closed-loop timing and latency percentiles both load clients share.
        .target(name: "RPCBenchSupport", path: "Sources/RPCBenchSupport"),

        // Our echo server and load client. The echo service is compiled from Protos/bench/echo.proto
        // by our own build plugin (portal-codegen.json points at ../../Protos).
        .executableTarget(
            name: "portal-echo",
            dependencies: [
                "RPCBenchSupport",
                .product(name: "PortalRPC", package: "CitizenPortal"),
            ],
            path: "Sources/portal-echo",
            exclude: ["portal-codegen.json"],
            plugins: [.plugin(name: "PortalCodegenPlugin", package: "CitizenPortal")]
        ),

        // grpc-swift-2 echo server and load client for the same proto. Generated/ holds
        // protoc-gen-swift 1.39.0 + protoc-gen-grpc-swift-2 2.4.1 output, generated once and
        // committed (see Sources/grpc-echo/Generated/README.md): no build plugin.
        .executableTarget(
            name: "grpc-echo",
            dependencies: [
                "RPCBenchSupport",
                .product(name: "GRPCCore", package: "grpc-swift-2"),
                .product(name: "GRPCNIOTransportHTTP2", package: "grpc-swift-nio-transport"),
                .product(name: "GRPCProtobuf", package: "grpc-swift-protobuf"),
                .product(name: "SwiftProtobuf", package: "swift-protobuf"),
            ],
            path: "Sources/grpc-echo",
            exclude: ["Generated/README.md"]
        ),
    ],
    swiftLanguageModes: [.v6]
)
