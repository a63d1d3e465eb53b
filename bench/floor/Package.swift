// swift-tools-version:6.1
// The floors of the stack Portico is built on: what SwiftNIO itself costs a request before any
// proxy logic runs. Built and run by bench/floor.sh only; not part of Portico's build or CI.
import PackageDescription

let swiftSettings: [SwiftSetting] = [.swiftLanguageMode(.v6)]

let package = Package(
    name: "portico-bench-floor",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "nio-relay-floor", targets: ["NIORelayFloor"]),
        .executable(name: "nio-h2-floor", targets: ["NIOHTTP2Floor"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-nio.git", from: "2.101.0"),
        .package(url: "https://github.com/apple/swift-nio-ssl.git", from: "2.37.0"),
        .package(url: "https://github.com/apple/swift-nio-http2.git", from: "1.46.0"),
    ],
    targets: [
        // Byte relay: each accepted connection gets its own upstream connection and bytes are
        // copied both ways, with no HTTP parsing. The least an HTTP/1.1 proxy on NIO can do.
        .executableTarget(
            name: "NIORelayFloor",
            dependencies: [
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
            ],
            swiftSettings: swiftSettings
        ),
        // HTTP/2 over TLS 1.3 answering every stream itself: NIO's TLS, HTTP/2 handler and
        // stream channels, and no upstream at all. Less than an HTTP/2 proxy on NIO can do.
        .executableTarget(
            name: "NIOHTTP2Floor",
            dependencies: [
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "NIOHTTP2", package: "swift-nio-http2"),
                .product(name: "NIOHPACK", package: "swift-nio-http2"),
            ],
            swiftSettings: swiftSettings
        ),
    ]
)
