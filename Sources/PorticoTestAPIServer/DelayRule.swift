/// A queued slowdown: the next `remaining` matching requests wait `delay` before being served,
/// as an overloaded API server answers late.
struct DelayRule: Sendable {
    var delay: Duration
    var remaining: Int
    var pathPrefix: String?
    var method: String?

    func matches(method: String, path: String) -> Bool {
        remaining > 0 && (pathPrefix.map(path.hasPrefix) ?? true) && (self.method.map { $0 == method } ?? true)
    }
}
