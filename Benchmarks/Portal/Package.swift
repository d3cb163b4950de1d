// swift-tools-version:6.1
// Portal benchmarks (issue 4): dashboards and GetComplaint on a generated 1,000,000-complaint
// store, and durable FileComplaint throughput over the protocol next to raw SQLite inserts.
// A separate package: the product never depends on it. Run everything with ./run.sh; results
// and how to read them: ../../docs/PERFORMANCE-PORTAL.md.
import PackageDescription

let package = Package(
    name: "CitizenPortalPortalBenchmarks",
    products: [
        .executable(name: "portal-bench", targets: ["portal-bench"]),
    ],
    dependencies: [
        .package(name: "CitizenPortal", path: "../.."),
    ],
    targets: [
        .executableTarget(
            name: "portal-bench",
            dependencies: [
                .product(name: "PortalServices", package: "CitizenPortal"),
                .product(name: "PortalStore", package: "CitizenPortal"),
                .product(name: "PortalRPC", package: "CitizenPortal"),
            ],
            path: "Sources/portal-bench"
        ),
    ],
    swiftLanguageModes: [.v6]
)
