internal import PorticoModel
internal import PorticoRouteTable

/// What one translation hands the next, so that objects that did not change are not worked out
/// again: with 10,000 Ingresses, a change to one re-parses one.
///
/// Reuse is by identity: an entry is used only for the very `SourcedObject` it was made from,
/// which a `ResourceSnapshot` keeps for as long as the object is unchanged and replaces when
/// it changes. A memo therefore never changes what a translation produces, only what it costs;
/// a fresh one gives the same result.
public struct TranslationMemo: Sendable {
    /// Each Ingress's parse, before its Services are looked up.
    var parsed: [ObjectKey: ParsedIngress] = [:]
    /// Each virtual host of the last table, with what it was built from.
    var virtualHosts: [HostMatch: BuiltVirtualHost] = [:]
    /// The last table: its hosts' order and index are the next table's when its hosts are the
    /// same.
    var table: RouteTable?

    public init() {}
}

/// A compiled virtual host and its routes in claim order (the host keeps them sorted by
/// precedence; its fallback, security and passthrough it keeps as given). Routes compare by
/// identity first, and an unchanged Ingress's routes are the same objects from one translation
/// to the next, so recognising an unchanged host costs a pointer comparison per route.
struct BuiltVirtualHost: Sendable {
    let routes: [Route]
    let host: VirtualHost
}
