import ArgumentParser
import PorticoProxy

/// Flags of the HTTPS listener: versions, ciphers, resumption, HSTS and redirects.
struct TLSFlags: ParsableArguments {
    @Option(help: ArgumentHelp("Oldest TLS version accepted: 1.2 or 1.3.", valueName: "version"))
    var sslMinVersion = "1.2"

    @Option(help: ArgumentHelp("TLS 1.2 cipher suites, colon-separated OpenSSL or IANA names, e.g. ECDHE-ECDSA-AES128-GCM-SHA256:ECDHE-RSA-AES128-GCM-SHA256 (TLS 1.3 suites are fixed). Default: ECDHE with AES-GCM or ChaCha20.", valueName: "list"))
    var sslCiphers: String?

    @Flag(help: "Let clients resume TLS sessions (tickets, session IDs). Off by default: every connection does a full handshake.")
    var sslSessionResumption = false

    @Flag(inversion: .prefixedNo, help: "Send Strict-Transport-Security on HTTPS responses of hosts listed in a TLS section.")
    var hsts = true

    @Option(help: ArgumentHelp("HSTS max-age in seconds.", valueName: "seconds"))
    var hstsMaxAge = 31_536_000

    @Flag(help: "Add includeSubDomains to the HSTS header.")
    var hstsIncludeSubdomains = false

    @Flag(help: "Add preload to the HSTS header.")
    var hstsPreload = false

    @Option(help: ArgumentHelp("Port written into https:// redirects (left out when 443). Behind a Service mapping 443 to --https-port, keep 443.", valueName: "port"))
    var httpsRedirectPort = 443

    func apply(to proxy: inout ProxyConfiguration) throws {
        guard let version = TLSOptions.MinimumVersion(rawValue: sslMinVersion) else {
            throw ValidationError("--ssl-min-version takes 1.2 or 1.3, not \"\(sslMinVersion)\".")
        }
        guard hstsMaxAge >= 0 else { throw ValidationError("--hsts-max-age must not be negative.") }
        guard (1...65535).contains(httpsRedirectPort) else {
            throw ValidationError("--https-redirect-port must be a port from 1 to 65535, not \(httpsRedirectPort).")
        }
        if let sslCiphers {
            do {
                _ = try TLSCipherList.normalize(sslCiphers)
            } catch {
                throw ValidationError("--ssl-ciphers: \(error).")
            }
        }
        proxy.tls = TLSOptions(
            minimumVersion: version,
            cipherSuites: sslCiphers,
            sessionResumption: sslSessionResumption,
            hsts: hsts ? HSTSPolicy(maxAge: hstsMaxAge, includeSubdomains: hstsIncludeSubdomains, preload: hstsPreload) : nil,
            redirectPort: httpsRedirectPort
        )
    }
}
