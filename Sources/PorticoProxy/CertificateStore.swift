public import Foundation
public import PorticoRouteTable
internal import Atomics
internal import Metrics

/// The one publish point for TLS certificates: the controller compiles the table's PEM into a
/// `CertificateSet` and publishes it; every handshake loads the current set once, from the SNI
/// callback, and keeps the certificate it chose.
///
/// One atomic reference, like `RouteTableStore`: rotation is a swap, so new handshakes use the
/// new certificate at once and established connections are never touched.
public final class CertificateStore: Sendable {
    private let reference: ManagedAtomic<Box>
    /// The certificate generated at start-up, served when no default Secret is configured or
    /// usable.
    public let generatedDefault: ServerCertificate

    public init(generatedDefault: ServerCertificate) {
        self.generatedDefault = generatedDefault
        self.reference = ManagedAtomic(Box(CertificateSet(defaultCertificate: generatedDefault, hosts: [:])))
    }

    /// A store serving a freshly generated self-signed default certificate.
    public static func withGeneratedDefault(now: Date = Date()) throws -> CertificateStore {
        CertificateStore(generatedDefault: try DefaultCertificate.generate(now: now))
    }

    /// The set a new handshake should use.
    public var current: CertificateSet {
        self.reference.load(ordering: .acquiring).set
    }

    /// Replaces the set for every handshake from now on and records each certificate's time to
    /// expiry (`portico_tls_certificate_expiry_seconds{secret}`); Secrets no longer served lose
    /// their series.
    public func publish(_ set: CertificateSet, now: Date = Date()) {
        let previous = self.reference.exchange(Box(set), ordering: .acquiringAndReleasing).set
        for (secret, certificate) in set.bySecret {
            Self.expiryGauge(secret).record(certificate.notValidAfter.timeIntervalSince1970 - now.timeIntervalSince1970)
        }
        for secret in previous.bySecret.keys where set.bySecret[secret] == nil {
            Self.expiryGauge(secret).destroy()
        }
    }

    private static func expiryGauge(_ secret: String) -> Gauge {
        Gauge(label: "portico_tls_certificate_expiry_seconds", dimensions: [("secret", secret)])
    }

    /// Parses and checks the table's certificates against the currently published set.
    ///
    /// Unparseable PEM, a key that does not match, or a certificate outside its validity makes
    /// the Secret fall back to its last good certificate (from the current set) or, if it never
    /// had one, leaves its hosts to the default certificate. A host its certificate does not
    /// cover falls back the same way, alone. Unchanged Secrets are not parsed again. Nothing is
    /// published; the caller publishes `set` (one writer at a time, the reconcile loop).
    public func compile(
        _ sources: [ServerCertificateSource],
        defaultCertificate defaultSource: ServerCertificateSource?,
        now: Date
    ) -> CertificateCompilation {
        let previous = self.current
        var problems: [CertificateProblem] = []
        var hosts: [String: ServerCertificate] = [:]
        for source in sources {
            let lastGood = previous.bySecret[source.secret]
            guard let certificate = Self.resolve(source, lastGood: lastGood, now: now, problems: &problems) else { continue }
            for host in source.hosts {
                if certificate.covers(host) {
                    hosts[host] = certificate
                } else if let lastGood, lastGood !== certificate, lastGood.covers(host) {
                    hosts[host] = lastGood
                    problems.append(CertificateProblem(secret: source.secret, reason: .hostNotCovered(host), fallback: .lastGood))
                } else {
                    problems.append(
                        CertificateProblem(secret: source.secret, reason: .hostNotCovered(host), fallback: .defaultCertificate)
                    )
                }
            }
        }
        var defaultCertificate = self.generatedDefault
        if let defaultSource,
            let certificate = Self.resolve(
                defaultSource, lastGood: previous.bySecret[defaultSource.secret], now: now, problems: &problems
            )
        {
            defaultCertificate = certificate
        }
        return CertificateCompilation(
            set: CertificateSet(defaultCertificate: defaultCertificate, hosts: hosts),
            problems: problems
        )
    }

    /// The certificate to serve for one Secret: the new one if it loads and is valid now, else
    /// the last good one (reported), else nil (reported; hosts get the default).
    private static func resolve(
        _ source: ServerCertificateSource,
        lastGood: ServerCertificate?,
        now: Date,
        problems: inout [CertificateProblem]
    ) -> ServerCertificate? {
        // Translation reported why there is no material; keep what served before.
        guard let material = source.material else { return lastGood }
        let key = PEMMaterialKey(certificateChain: material.certificateChain, privateKey: material.privateKey)
        let loaded: Result<ServerCertificate, CertificateProblem.Reason>
        if let lastGood, lastGood.material == key {
            loaded = .success(lastGood)
        } else {
            loaded = CertificateLoader.load(
                secret: source.secret, certificateChain: material.certificateChain, privateKey: material.privateKey
            )
        }
        let reason: CertificateProblem.Reason
        switch loaded {
        case .success(let certificate):
            if certificate.notValidAfter < now {
                reason = .expired(notValidAfter: certificate.notValidAfter)
            } else if certificate.notValidBefore > now {
                reason = .notYetValid(notValidBefore: certificate.notValidBefore)
            } else {
                return certificate
            }
        case .failure(let failure):
            reason = failure
        }
        // A last good certificate that has itself expired since is still better than a
        // mismatched default: clients see the same certificate as before the bad update.
        let fallback = lastGood.flatMap { $0.material == key ? nil : $0 }
        problems.append(CertificateProblem(secret: source.secret, reason: reason, fallback: fallback == nil ? .defaultCertificate : .lastGood))
        return fallback
    }

    private final class Box: AtomicReference, Sendable {
        let set: CertificateSet
        init(_ set: CertificateSet) { self.set = set }
    }
}

/// The result of `CertificateStore.compile`: the set to publish and what could not be served.
public struct CertificateCompilation: Sendable {
    public let set: CertificateSet
    /// Sorted by Secret, then description: equal inputs give equal lists.
    public let problems: [CertificateProblem]

    init(set: CertificateSet, problems: [CertificateProblem]) {
        self.set = set
        self.problems = problems.sorted { ($0.secret, $0.description) < ($1.secret, $1.description) }
    }
}
