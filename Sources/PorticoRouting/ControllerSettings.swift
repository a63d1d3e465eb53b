/// The global settings of the controller ConfigMap (`--configmap`), read with ingress-nginx's
/// key names, for the per-host behaviour translation decides.
///
/// They sit between the built-in defaults and each Ingress: a per-Ingress annotation wins over
/// the ConfigMap, which wins over the defaults. Only keys that map onto behaviour the route
/// table models are read; HSTS's header value (`hsts-max-age`, `hsts-include-subdomains`,
/// `hsts-preload`) is a proxy setting, so those keys are reported and left to the flags rather
/// than silently mixed into a table the proxy reads once per request.
struct ControllerSettings: Equatable {
    /// Whether hosts listed in an Ingress TLS section redirect plain HTTP to HTTPS
    /// (`ssl-redirect`; per Ingress, `portico.dev/ssl-redirect`).
    var sslRedirect = true
    /// Whether hosts without TLS redirect plain HTTP too (`force-ssl-redirect`; per Ingress,
    /// `portico.dev/force-ssl-redirect`).
    var forceSSLRedirect = false
    /// Whether HTTPS responses of TLS hosts carry `Strict-Transport-Security` (`hsts`). The
    /// `--no-hsts` flag still turns it off everywhere.
    var hsts = true

    static let sslRedirectKey = "ssl-redirect"
    static let forceSSLRedirectKey = "force-ssl-redirect"
    static let hstsKey = "hsts"
    /// ingress-nginx keys whose Portico equivalent is a flag of the proxy, by key.
    static let proxyFlagKeys = [
        "hsts-max-age": "--hsts-max-age",
        "hsts-include-subdomains": "--hsts-include-subdomains",
        "hsts-preload": "--hsts-preload",
    ]

    /// A problem with one key of the ConfigMap: the key and why it was not used.
    struct Problem: Equatable {
        let key: String
        let message: String
    }

    /// Reads `data`; a bad value or an unknown key becomes a problem and the rest still applies.
    /// Problems come out sorted by key, so the same data always reports the same way.
    static func parse(_ data: [String: String]) -> (settings: ControllerSettings, problems: [Problem]) {
        var settings = ControllerSettings()
        var problems: [Problem] = []
        for (key, value) in data.sorted(by: { $0.key < $1.key }) {
            switch key {
            case sslRedirectKey: read(key, value, into: &settings.sslRedirect, problems: &problems)
            case forceSSLRedirectKey: read(key, value, into: &settings.forceSSLRedirect, problems: &problems)
            case hstsKey: read(key, value, into: &settings.hsts, problems: &problems)
            default:
                if let flag = proxyFlagKeys[key] {
                    problems.append(Problem(key: key, message: "\(quoted(value)) is ignored: Portico sets this with the \(flag) flag"))
                } else {
                    problems.append(Problem(key: key, message: "\(quoted(value)) is ignored: Portico has no setting \(quoted(key))"))
                }
            }
        }
        return (settings, problems)
    }

    private static func read(_ key: String, _ value: String, into setting: inout Bool, problems: inout [Problem]) {
        guard let parsed = boolean(value) else {
            problems.append(Problem(key: key, message: "\(quoted(value)) is not \"true\" or \"false\"; the default \(setting) applies"))
            return
        }
        setting = parsed
    }

    /// "true" or "false", in any case, as the annotations take them.
    static func boolean(_ text: String) -> Bool? {
        switch text.lowercased() {
        case "true": true
        case "false": false
        default: nil
        }
    }
}
