public import PorticoModel

/// Decides which Ingresses need a `status.loadBalancer` write, without I/O: each Ingress of our
/// class whose status differs from the published addresses, and each Ingress that left our
/// class while still showing our addresses (cleared). Equal statuses are skipped, so a steady
/// state writes nothing.
public struct StatusPlan: Sendable {
    /// One write to make.
    public struct Change: Hashable, Sendable {
        public var ingress: NamespacedName
        /// The addresses to write; empty clears the status.
        public var addresses: [LoadBalancerStatus.Ingress]
    }

    /// The addresses of `--publish-status-address` (each an IP or a host name), or else of the
    /// `--publish-service` Service's load-balancer status as stored; sorted so that order never
    /// counts as a difference. Nil when neither is configured: status is not ours to write.
    public static func addresses(
        statusAddresses: [String],
        publishService: NamespacedName?,
        objects: [ObjectKey: SourcedResource]
    ) -> [LoadBalancerStatus.Ingress]? {
        if !statusAddresses.isEmpty {
            return normalized(statusAddresses.map { text in
                isIPAddress(text) ? LoadBalancerStatus.Ingress(ip: text) : LoadBalancerStatus.Ingress(hostname: text)
            })
        }
        guard let publishService else { return nil }
        guard case .service(let service)? = objects[ObjectKey(kind: .service, name: publishService)]?.resource else { return [] }
        return normalized(service.status?.loadBalancer?.ingress ?? [])
    }

    /// The writes that bring every Ingress to `addresses`.
    /// - Parameters:
    ///   - owned: the Ingresses of our class now.
    ///   - previouslyOwned: those of the previous plan; the ones no longer owned are cleared
    ///     when they still show exactly our addresses.
    public static func changes(
        owned: [NamespacedName],
        previouslyOwned: Set<NamespacedName>,
        objects: [ObjectKey: SourcedResource],
        addresses: [LoadBalancerStatus.Ingress]
    ) -> [Change] {
        var changes: [Change] = []
        let ownedSet = Set(owned)
        for name in owned {
            guard let current = currentAddresses(of: name, in: objects) else { continue }
            if current != addresses { changes.append(Change(ingress: name, addresses: addresses)) }
        }
        for name in previouslyOwned.subtracting(ownedSet).sorted() {
            guard let current = currentAddresses(of: name, in: objects) else { continue }
            if !current.isEmpty, current == addresses { changes.append(Change(ingress: name, addresses: [])) }
        }
        return changes
    }

    /// The stored Ingress's addresses, sorted; nil when it is not in the store.
    static func currentAddresses(of name: NamespacedName, in objects: [ObjectKey: SourcedResource]) -> [LoadBalancerStatus.Ingress]? {
        guard case .ingress(let ingress)? = objects[ObjectKey(kind: .ingress, name: name)]?.resource else { return nil }
        return normalized(ingress.status?.loadBalancer?.ingress ?? [])
    }

    static func normalized(_ addresses: [LoadBalancerStatus.Ingress]) -> [LoadBalancerStatus.Ingress] {
        Array(Set(addresses)).sorted { ($0.ip ?? "", $0.hostname ?? "") < ($1.ip ?? "", $1.hostname ?? "") }
    }

    /// IPv4 dotted quad or IPv6 (contains a colon): anything else is a host name.
    static func isIPAddress(_ text: String) -> Bool {
        if text.contains(":") { return true }
        let parts = text.split(separator: ".", omittingEmptySubsequences: false)
        return parts.count == 4 && parts.allSatisfy { part in
            guard let value = Int(part), part.count <= 3 else { return false }
            return (0...255).contains(value)
        }
    }
}
