/// A watch the server accepted: what to send first, then live events until `timeout`.
struct WatchOpening: Sendable {
    /// The subscription to remove when the connection goes; nil when the stream ends after
    /// `messages` (410 Expired).
    var id: Int?
    var messages: [WatchMessage]
    var timeout: Duration
}
