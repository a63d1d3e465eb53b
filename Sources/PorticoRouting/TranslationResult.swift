public import PorticoModel
public import PorticoRouteTable

/// Everything one translation produces. Nothing here is applied yet: the reconciler publishes
/// the table, substitutes last good versions for `rejected` objects, and writes status.
public struct TranslationResult: Sendable {
    public let table: RouteTable
    /// Sorted by object, field and message, so that equal inputs give equal lists.
    public let diagnostics: [Diagnostic]
    /// Objects skipped whole because of an error. The reconciler may translate again with their
    /// last good versions in their place.
    public let rejected: Set<ObjectKey>
    /// Every Ingress of our class, sorted, rejected ones included: the ones whose status we own.
    public let ingresses: [NamespacedName]

    public init(table: RouteTable, diagnostics: [Diagnostic], rejected: Set<ObjectKey>, ingresses: [NamespacedName]) {
        self.table = table
        self.diagnostics = diagnostics
        self.rejected = rejected
        self.ingresses = ingresses
    }
}
