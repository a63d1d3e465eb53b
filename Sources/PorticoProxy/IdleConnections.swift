/// The idle HTTP/1.1 connections of one `UpstreamPool.Key`, newest last.
///
/// A class, so that the pool's dictionary holds a reference and taking or returning a
/// connection changes the list in place. As an array value, each request took the list out of
/// the dictionary and stored it back, and returning a connection copied the array (the
/// dictionary still held it): two hash-table writes and an allocation per request.
final class IdleConnections {
    var connections: [UpstreamConnection] = []
}
