/// A queued fault: answers the next `remaining` requests whose path starts with `pathPrefix`
/// and whose method matches.
struct FaultRule: Sendable {
    var fault: InjectedFault
    var remaining: Int
    var pathPrefix: String?
    var method: String?

    func matches(method: String, path: String) -> Bool {
        remaining > 0 && (pathPrefix.map(path.hasPrefix) ?? true) && (self.method.map { $0 == method } ?? true)
    }
}
