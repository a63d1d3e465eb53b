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
        // Origin-form, nearly every request: decided on the first byte, since `hasPrefix` on a
        // `Substring` compares `Character`s (about 800 instructions).
        if uri.utf8.first == UInt8(ascii: "/") {
            self.authority = nil
            self.path = value
            return
        }
        guard let colon = value.firstIndex(of: ":"),
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
