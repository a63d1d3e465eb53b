// swift-tools-version:6.1
// The target list is Portico's component diagram and the dependency lists are its arrows
// (see docs/architecture.md). Translation never does I/O, the proxy never sees a Kubernetes
// type, both resource sources feed the same reconciler, and the executable holds no logic.
import PackageDescription

let swiftSettings: [SwiftSetting] = [
    .swiftLanguageMode(.v6),
    .enableUpcomingFeature("InternalImportsByDefault"),
    .enableUpcomingFeature("ExistentialAny"),
    .enableUpcomingFeature("MemberImportVisibility"),
]

let nio: [Target.Dependency] = [
    .product(name: "NIOCore", package: "swift-nio"),
    .product(name: "NIOPosix", package: "swift-nio"),
    .product(name: "NIOHTTP1", package: "swift-nio"),
]

let hpack: Target.Dependency = .product(name: "NIOHPACK", package: "swift-nio-http2")

let tls: [Target.Dependency] = [
    .product(name: "NIOTLS", package: "swift-nio"),
    .product(name: "NIOHTTP2", package: "swift-nio-http2"),
    .product(name: "NIOSSL", package: "swift-nio-ssl"),
    .product(name: "X509", package: "swift-certificates"),
    .product(name: "Crypto", package: "swift-crypto"),
    .product(name: "SwiftASN1", package: "swift-asn1"),
]

let package = Package(
    name: "portico",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "portico", targets: ["PorticoCLI"]),
        .executable(name: "portico-demo-backend", targets: ["PorticoDemoBackend"]),
        .executable(name: "portico-route-bench", targets: ["PorticoRouteBench"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-nio.git", from: "2.101.0"),
        .package(url: "https://github.com/apple/swift-atomics.git", from: "1.3.0"),
        .package(url: "https://github.com/apple/swift-log.git", from: "1.16.0"),
        .package(url: "https://github.com/apple/swift-metrics.git", from: "2.13.0"),
        .package(url: "https://github.com/apple/swift-argument-parser.git", from: "1.8.0"),
        .package(url: "https://github.com/swift-server/swift-prometheus.git", from: "2.4.0"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle.git", from: "2.13.0"),
        .package(url: "https://github.com/jpsim/Yams.git", from: "6.2.0"),
        .package(url: "https://github.com/apple/swift-nio-ssl.git", from: "2.37.0"),
        .package(url: "https://github.com/apple/swift-nio-http2.git", from: "1.46.0"),
        .package(url: "https://github.com/apple/swift-certificates.git", from: "1.21.0"),
        .package(url: "https://github.com/apple/swift-crypto.git", from: "3.12.0"),
        .package(url: "https://github.com/apple/swift-asn1.git", from: "1.3.0"),
    ],
    targets: [
        // Kubernetes API types we read and write. Foundation for JSON coding only.
        .target(name: "PorticoModel", swiftSettings: swiftSettings),
        // The proxy's contract: an immutable compiled routing table and its matchers. Pure.
        .target(name: "PorticoRouteTable", swiftSettings: swiftSettings),
        // Store snapshot -> RouteTable + diagnostics. Pure: no I/O, clocks or logging.
        .target(
            name: "PorticoRouting",
            dependencies: ["PorticoModel", "PorticoRouteTable"],
            swiftSettings: swiftSettings
        ),
        // Endpoint sets and selection. Pure.
        .target(name: "PorticoBalancing", swiftSettings: swiftSettings),
        // Local mode: a folder of manifests -> resource events, watched for changes.
        .target(
            name: "PorticoManifests",
            dependencies: [
                "PorticoModel",
                .product(name: "Yams", package: "Yams"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: swiftSettings
        ),
        // The data plane: listeners, HTTP/1.1 and HTTP/2, TLS/SNI, routing and proxy handlers, upstream pools.
        .target(
            name: "PorticoProxy",
            dependencies: nio + tls + [
                "PorticoRouteTable",
                "PorticoBalancing",
                .product(name: "Atomics", package: "swift-atomics"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            swiftSettings: swiftSettings
        ),
        // libcurl, found through pkg-config: the Kubernetes API client's HTTP/2 + TLS transport.
        .systemLibrary(
            name: "CPorticoCurl",
            pkgConfig: "libcurl",
            providers: [.apt(["libcurl4-openssl-dev"])]
        ),
        // Fixed-signature C wrappers for libcurl's variadic calls, which Swift cannot call.
        .target(name: "CPorticoCurlShims", dependencies: ["CPorticoCurl"]),
        // The Kubernetes API client: kubeconfig, libcurl transport, reflectors, leases, status.
        .target(
            name: "PorticoKube",
            dependencies: [
                "PorticoModel",
                "CPorticoCurl",
                "CPorticoCurlShims",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Yams", package: "Yams"),
            ],
            swiftSettings: swiftSettings
        ),
        // Reconcile loop, admin endpoints, bootstrap: the only target that knows every other.
        .target(
            name: "PorticoController",
            dependencies: [
                "PorticoModel",
                "PorticoRouteTable",
                "PorticoRouting",
                "PorticoBalancing",
                "PorticoManifests",
                "PorticoProxy",
                "PorticoKube",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "UnixSignals", package: "swift-service-lifecycle"),
            ],
            swiftSettings: swiftSettings
        ),
        .executableTarget(
            name: "PorticoCLI",
            dependencies: [
                "PorticoController",
                "PorticoModel",
                "PorticoProxy",
                "PorticoRouting",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: swiftSettings
        ),
        // A tiny HTTP server for the quickstart and tests: answers with its name and the request.
        .executableTarget(
            name: "PorticoDemoBackend",
            dependencies: nio,
            swiftSettings: swiftSettings
        ),
        // Route-lookup micro-benchmark, run by bench/.
        .executableTarget(
            name: "PorticoRouteBench",
            dependencies: ["PorticoModel", "PorticoRouting", "PorticoRouteTable"],
            swiftSettings: swiftSettings
        ),
        .target(
            name: "PorticoTestSupport",
            dependencies: nio + tls + [
                hpack,
                .product(name: "_CryptoExtras", package: "swift-crypto"),
                "PorticoModel",
                "PorticoRouteTable",
                .product(name: "NIOEmbedded", package: "swift-nio"),
                .product(name: "NIOWebSocket", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: swiftSettings
        ),
        // A test kube-apiserver on 127.0.0.1 over TLS: list/watch, resourceVersion, 410, bookmarks,
        // bearer tokens and fault knobs. Only test targets may depend on it.
        .target(
            name: "PorticoTestAPIServer",
            dependencies: nio + tls + ["PorticoTestSupport"],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "PorticoModelTests",
            dependencies: ["PorticoModel"],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "PorticoTestAPIServerTests",
            dependencies: ["PorticoTestAPIServer", "PorticoTestSupport"],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "PorticoRouteTableTests",
            dependencies: ["PorticoRouteTable"],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "PorticoRoutingTests",
            dependencies: ["PorticoRouting", "PorticoModel", "PorticoRouteTable", "PorticoTestSupport"],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "PorticoBalancingTests",
            dependencies: ["PorticoBalancing"],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "PorticoManifestsTests",
            dependencies: ["PorticoManifests", "PorticoModel", "PorticoTestSupport"],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "PorticoProxyTests",
            dependencies: nio + tls + [
                hpack,
                .product(name: "MetricsTestKit", package: "swift-metrics"),
                "PorticoProxy",
                "PorticoRouteTable",
                "PorticoBalancing",
                "PorticoTestSupport",
                .product(name: "NIOEmbedded", package: "swift-nio"),
                .product(name: "NIOWebSocket", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "PorticoKubeTests",
            dependencies: nio + tls + [
                "PorticoKube",
                "PorticoModel",
                "PorticoTestAPIServer",
                "PorticoTestSupport",
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "PorticoControllerTests",
            dependencies: nio + [
                "PorticoController",
                "PorticoModel",
                "PorticoRouteTable",
                "PorticoRouting",
                "PorticoProxy",
                "PorticoKube",
                "PorticoTestSupport",
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: swiftSettings
        ),
        // Cluster mode end to end: the controller against the test API server through libcurl.
        .testTarget(
            name: "PorticoClusterTests",
            dependencies: nio + [
                "PorticoController",
                "PorticoKube",
                "PorticoModel",
                "PorticoProxy",
                "PorticoRouting",
                "PorticoTestSupport",
                "PorticoTestAPIServer",
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: swiftSettings
        ),
        // Packaging: manifests/, examples, the Helm chart, the Dockerfile, and the `portico`
        // executable's shutdown and start-up failures.
        .testTarget(
            name: "PorticoDeployTests",
            dependencies: nio + [
                "PorticoModel",
                "PorticoManifests",
                "PorticoRouting",
                "PorticoRouteTable",
                "PorticoTestSupport",
                .product(name: "Yams", package: "Yams"),
            ],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "PorticoEndToEndTests",
            dependencies: nio + [
                "PorticoController",
                "PorticoModel",
                "PorticoProxy",
                "PorticoRouteTable",
                "PorticoRouting",
                "PorticoTestSupport",
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: swiftSettings
        ),
    ]
)
