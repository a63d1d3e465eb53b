internal import PorticoModel

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

    public init() {}
}
