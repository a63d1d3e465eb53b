internal import NIOCore
internal import NIOPosix
internal import NIOSSL
public import PorticoTestSupport
internal import Synchronization

/// A Kubernetes API server for tests: it speaks the real wire format on 127.0.0.1 over TLS
/// with bearer tokens, so Portico's client talks to it exactly as to a cluster: HTTP/2 when
/// the client negotiates it through ALPN (every watch a stream of one shared connection),
/// HTTP/1.1 otherwise.
///
/// It serves JSON objects and lists (with selectors and `limit`/`continue` paging), chunked
/// watch streams replayed from a history by `resourceVersion`, bookmarks, 410 Expired as a watch
/// `ERROR` event, and 401/403/404/409 `Status` objects. A test changes objects through this
/// API as `kubectl` would (every write bumps the global resourceVersion and reaches open watches)
/// and breaks things with the fault knobs: dropped watches, 500/429 bursts, compaction, paused
/// bookmarks. It does not implement admission, defaulting, validation beyond names, finalizers,
/// server-side apply or protobuf.
public final class TestAPIServer: Sendable {
    /// The user a token given to `start(token:)` authenticates as.
    public static let defaultUser = "system:serviceaccount:portico:portico"

    public struct Configuration: Sendable {
        /// Bearer tokens and the users they authenticate, besides the one given to `start`.
        public var tokens: [String: String] = [:]
        /// How often open watches that allow bookmarks get one; nil sends them only on
        /// `sendBookmarks()`. The real server sends one about every minute.
        public var bookmarkInterval: Duration?
        /// How long a watch without `timeoutSeconds` stays open (the real server picks 30 to 60
        /// minutes).
        public var defaultWatchTimeout: Duration = .seconds(1800)
        /// The most events kept for watches; older ones are compacted away (410 Expired).
        public var historyLimit = 10_000
        /// The resourceVersion before the first write; watches from older versions get 410.
        public var initialResourceVersion = 1
        /// Ask for client certificates signed by `authority` and take their common name as the
        /// user (certificates win over bearer tokens, as with kube-apiserver).
        public var clientCertificates = false
        /// Resource types served besides `ResourceType.builtIn`.
        public var types: [ResourceType] = []
        /// Offer HTTP/2 through ALPN (`h2`, then `http/1.1`), as kube-apiserver does, so
        /// concurrent watches can share one connection. Off, the server offers `http/1.1` only:
        /// for tests of a client's HTTP/1.1 path.
        public var http2 = true

        public init() {}
    }

    /// `https://127.0.0.1:PORT`.
    public let url: String
    public let port: Int
    /// The CA that signed the serving certificate: what a client must trust.
    public var caPEM: String { authority.certificatePEM }
    /// Signs the serving certificate and, with `clientCertificates`, the accepted client
    /// certificates (`authority.issueClientCertificate(user:)`).
    public let authority: TestCertificateAuthority

    let core: ServerCore
    private let group: MultiThreadedEventLoopGroup
    private let channel: any Channel
    private let bookmarkTask: RepeatedTask?

    private init(
        url: String,
        port: Int,
        authority: TestCertificateAuthority,
        core: ServerCore,
        group: MultiThreadedEventLoopGroup,
        channel: any Channel,
        bookmarkTask: RepeatedTask?
    ) {
        self.url = url
        self.port = port
        self.authority = authority
        self.core = core
        self.group = group
        self.channel = channel
        self.bookmarkTask = bookmarkTask
    }

    /// Starts a server on 127.0.0.1 with an ephemeral port, accepting `token` as
    /// `defaultUser`.
    public static func start(token: String, configuration: Configuration = Configuration()) async throws -> TestAPIServer {
        var configuration = configuration
        configuration.tokens[token] = configuration.tokens[token] ?? defaultUser
        return try await start(configuration: configuration)
    }

    public static func start(configuration: Configuration) async throws -> TestAPIServer {
        let authority = try TestCertificateAuthority(name: "Portico Test API Server CA")
        // As a cluster's API server certificate names its service IP.
        let serving = try authority.issue(commonName: "kube-apiserver", dnsNames: ["localhost"], ipAddresses: ["127.0.0.1"])
        var tls = TLSConfiguration.makeServerConfiguration(
            certificateChain: [.certificate(try NIOSSLCertificate(bytes: Array(serving.certificatePEM.utf8), format: .pem))],
            privateKey: .privateKey(try NIOSSLPrivateKey(bytes: Array(serving.keyPEM.utf8), format: .pem))
        )
        tls.applicationProtocols = ConnectionPipeline.applicationProtocols(http2: configuration.http2)
        if configuration.clientCertificates {
            tls.certificateVerification = .optionalVerification
            tls.trustRoots = .certificates([try NIOSSLCertificate(bytes: Array(authority.certificatePEM.utf8), format: .pem)])
        }
        let sslContext = try NIOSSLContext(configuration: tls)
        var store = ObjectStore(initialResourceVersion: configuration.initialResourceVersion, historyLimit: configuration.historyLimit)
        for type in configuration.types { store.register(type) }
        let core = ServerCore(
            state: ServerState(store: store, tokens: configuration.tokens, defaultWatchTimeout: configuration.defaultWatchTimeout),
            readsClientCertificates: configuration.clientCertificates
        )
        let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        let channel: any Channel
        do {
            channel = try await ServerBootstrap(group: group)
                .serverChannelOption(.backlog, value: 64)
                .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
                .childChannelInitializer { [http2 = configuration.http2] channel in
                    ConnectionPipeline.configure(channel, sslContext: sslContext, core: core, http2: http2)
                }
                .bind(host: "127.0.0.1", port: 0)
                .get()
        } catch {
            try? await group.shutdownGracefully()
            throw error
        }
        let port = channel.localAddress?.port ?? 0
        let interval = configuration.bookmarkInterval.flatMap { $0 > .zero ? $0 : nil }
        let bookmarkTask = interval.map { interval in
            group.next().scheduleRepeatedTask(initialDelay: TimeAmount(interval), delay: TimeAmount(interval)) { _ in
                core.state.withLock { $0.sendBookmarks(force: false) }
            }
        }
        return TestAPIServer(
            url: "https://127.0.0.1:\(port)",
            port: port,
            authority: authority,
            core: core,
            group: group,
            channel: channel,
            bookmarkTask: bookmarkTask
        )
    }

    /// Closes every connection and stops the event loop.
    public func shutdown() async throws {
        bookmarkTask?.cancel()
        core.state.withLock { $0.endWatches(clean: false) }
        try? await channel.close()
        try await group.shutdownGracefully()
    }
}
