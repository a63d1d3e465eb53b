/// Where an object is stored: its namespace (empty for cluster-scoped kinds) and name. Sorted
/// the way etcd returns keys, so list order and paging are stable.
struct StoreKey: Hashable, Comparable, Sendable {
    var namespace: String
    var name: String

    static func < (lhs: Self, rhs: Self) -> Bool {
        (lhs.namespace, lhs.name) < (rhs.namespace, rhs.name)
    }
}
