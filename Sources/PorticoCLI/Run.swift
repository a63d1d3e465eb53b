import ArgumentParser
import Logging
import NIOCore
import PorticoController
import PorticoModel
import PorticoProxy
import PorticoRouting

struct Run: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Run the proxy and the controller.",
        discussion: """
            SIGTERM or SIGINT: /readyz answers 503 at once, the listeners keep accepting for \
            --shutdown-drain-delay, then stop, and requests in flight get --shutdown-grace-period; \
            exit 0. A second signal stops at once.
            """
    )

    @Option(name: .long, help: ArgumentHelp("Local mode: read resources from this folder of manifests (*.yaml, *.yml, *.json, recursively) and watch it.", valueName: "dir"))
    var manifests: String?

    @OptionGroup var cluster: ClusterOptions

    @OptionGroup var routing: RoutingOptions

    @Option(help: "Address the HTTP, HTTPS and admin listeners bind to.")
    var bindAddress = "0.0.0.0"

    @Option(help: "Port of the plain-HTTP listener.")
    var httpPort = 8080

    @Option(help: "Port of the HTTPS listener (TLS 1.2/1.3, certificate chosen by SNI).")
    var httpsPort = 8443

    @OptionGroup var tls: TLSFlags

    @OptionGroup var http2: HTTP2Flags

    @Option(help: "Port of the admin listener: /healthz, /readyz, /metrics.")
    var adminPort = 10254

    @Option(help: "Event loops (threads) serving traffic. Default: the number of cores.")
    var workers: Int?

    @Option(help: "Most client connections open at once; more are closed on accept. Default: 10000.")
    var maxConnections: Int?

    @Option(help: "Largest request header section in bytes; larger gets 431. Default: 32768.")
    var maxHeaderBytes: Int?

    @Option(help: ArgumentHelp("Time a client has to send a complete request head; slower gets 408. Default: 10s.", valueName: "duration"))
    var headerReadTimeout: String?

    @Option(help: ArgumentHelp("Idle keep-alive time before a client connection is closed. Default: 60s.", valueName: "duration"))
    var idleTimeout: String?

    @Option(help: ArgumentHelp("Time to connect to an upstream endpoint; slower gets 504. Default: 5s.", valueName: "duration"))
    var upstreamConnectTimeout: String?

    @Option(help: ArgumentHelp("Time for an upstream to start its response; slower gets 504. Default: 60s.", valueName: "duration"))
    var upstreamResponseTimeout: String?

    @Option(help: "Idle keep-alive connections kept per upstream endpoint on each worker. Default: 256.")
    var upstreamMaxIdleConnections: Int?

    @Option(
        name: .customLong("websocket-idle-timeout"),
        help: ArgumentHelp("Time an upgraded (WebSocket) connection may pass no byte before it is closed. Default: 3600s.", valueName: "duration")
    )
    var websocketIdleTimeout: String?

    @Option(help: ArgumentHelp("After SIGTERM or SIGINT, time the listeners keep accepting while /readyz answers 503, so that load balancers notice. Default: 5s.", valueName: "duration"))
    var shutdownDrainDelay: String?

    @Option(help: ArgumentHelp("Then, time requests in flight (and WebSockets) get to finish before their connections are closed. Default: 30s.", valueName: "duration"))
    var shutdownGracePeriod: String?

    @Flag(name: .customLong("enable-proxy-protocol"), help: "Expect a PROXY protocol (v1 or v2) header on every HTTP and HTTPS connection (behind a load balancer that sends one); its source address is the client's. Connections without a valid one are closed.")
    var enableProxyProtocol = false

    @Option(help: ArgumentHelp("Time a TCP service or TLS passthrough connection may pass no byte before it is closed. Default: 600s.", valueName: "duration"))
    var tcpIdleTimeout: String?

    @Flag(inversion: .prefixedNo, help: "Write one log line per request (logger portico.access).")
    var accessLog = true

    @OptionGroup var logging: LoggingOptions

    mutating func run() async throws {
        let source: Configuration.Source
        if let manifests {
            source = .manifests(directory: manifests)
        } else {
            source = .cluster(try cluster.settings())
        }
        var proxy = ProxyConfiguration()
        proxy.bindHost = bindAddress
        proxy.httpPort = try Self.port(httpPort, "--http-port")
        proxy.httpsPort = try Self.port(httpsPort, "--https-port")
        try tls.apply(to: &proxy)
        try http2.apply(to: &proxy)
        if let workers {
            guard workers > 0 else { throw ValidationError("--workers must be at least 1.") }
            proxy.workers = workers
        }
        if let upstreamMaxIdleConnections {
            guard upstreamMaxIdleConnections >= 0 else { throw ValidationError("--upstream-max-idle-connections must be 0 (no reuse) or more.") }
            proxy.upstreamMaxIdlePerEndpoint = upstreamMaxIdleConnections
        }
        if let maxConnections {
            guard maxConnections > 0 else { throw ValidationError("--max-connections must be at least 1.") }
            proxy.maxConnections = maxConnections
        }
        if let maxHeaderBytes {
            guard maxHeaderBytes >= 1024 else { throw ValidationError("--max-header-bytes must be at least 1024.") }
            proxy.maxHeaderBytes = maxHeaderBytes
        }
        if let value = try Self.duration(headerReadTimeout, "--header-read-timeout") { proxy.headerReadTimeout = TimeAmount(value) }
        if let value = try Self.duration(idleTimeout, "--idle-timeout") { proxy.idleTimeout = TimeAmount(value) }
        if let value = try Self.duration(upstreamConnectTimeout, "--upstream-connect-timeout") { proxy.upstreamConnectTimeout = TimeAmount(value) }
        if let value = try Self.duration(upstreamResponseTimeout, "--upstream-response-timeout") { proxy.upstreamResponseTimeout = TimeAmount(value) }
        if let value = try Self.duration(websocketIdleTimeout, "--websocket-idle-timeout") { proxy.upgradedIdleTimeout = TimeAmount(value) }
        if let value = try Self.duration(shutdownGracePeriod, "--shutdown-grace-period") { proxy.shutdownGracePeriod = TimeAmount(value) }
        if let value = try Self.duration(tcpIdleTimeout, "--tcp-idle-timeout") { proxy.tcpIdleTimeout = TimeAmount(value) }
        proxy.accessLog = accessLog
        proxy.proxyProtocol = enableProxyProtocol

        var translation = try routing.translationOptions()
        translation.controllerConfigMap = try cluster.controllerConfigMap()
        var configuration = Configuration(
            source: source,
            proxy: proxy,
            admin: AdminServer.Configuration(bindHost: bindAddress, port: try Self.port(adminPort, "--admin-port")),
            translation: translation
        )
        configuration.shutdownDrainDelay = try Self.duration(shutdownDrainDelay, "--shutdown-drain-delay") ?? .seconds(5)
        do {
            try configuration.validate()
        } catch {
            throw ValidationError("\(error)")
        }
        let logger = logging.bootstrap()
        let registry = MetricsBootstrap.prometheus()
        let services = try Bootstrap.makeServices(configuration: configuration, logger: logger, registry: registry)
        try await services.run()
    }

    private static func port(_ value: Int, _ flag: String) throws -> Int {
        guard (0...65535).contains(value) else { throw ValidationError("\(flag) must be a port from 0 (any free port) to 65535, not \(value).") }
        return value
    }

    private static func duration(_ text: String?, _ flag: String) throws -> Duration? {
        guard let text else { return nil }
        guard let value = DurationText.parse(text) else {
            throw ValidationError("\(flag) takes a duration such as 500ms, 10s or 2m, not \"\(text)\".")
        }
        return value
    }
}
