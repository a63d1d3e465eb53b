internal import PorticoRouteTable

/// Maps a Service port's `appProtocol` to the HTTP version and transport the proxy uses.
///
/// The `kubernetes.io/` values are the standard ones (KEP-3726); `https` and `http` are the
/// IANA service names. Anything else, or no value, is cleartext HTTP/1.1: an unknown protocol
/// is most likely something HTTP/1.1-compatible the user labelled for another tool.
enum AppProtocolRule {
    struct Choice: Equatable {
        let version: UpstreamProtocol.Version
        let usesTLS: Bool
    }

    static func choice(_ appProtocol: String?) -> Choice {
        switch appProtocol?.lowercased() {
        case "kubernetes.io/h2c": Choice(version: .http2, usesTLS: false)
        case "kubernetes.io/wss", "https": Choice(version: .http1, usesTLS: true)
        default: Choice(version: .http1, usesTLS: false)
        }
    }
}
