/// The routing inputs of a request target (RFC 9112 section 3.2): origin-form (`/path?q`) or
/// absolute-form (`http://host:port/path?q`, which a client may send and must then win over
/// `Host`).
struct RequestTarget {
    /// The authority of an absolute-form target, nil for origin-form.
    var authority: Substring?
    /// The path and query, `/` when an absolute-form target has none.
    var path: Substring

    init(_ uri: String) {
        let value = uri[...]
        guard !value.hasPrefix("/"), let colon = value.firstIndex(of: ":"),
            value[value.index(after: colon)...].hasPrefix("//")
        else {
            self.authority = nil
            self.path = value
            return
        }
        let rest = value[value.index(colon, offsetBy: 3)...]
        if let slash = rest.firstIndex(where: { $0 == "/" || $0 == "?" }) {
            self.authority = rest[..<slash]
            let path = rest[slash...]
            self.path = path.hasPrefix("?") ? Substring("/" + path) : path
        } else {
            self.authority = rest
            self.path = "/"
        }
    }
}
