internal import PorticoModel

/// Finds the Service port a reference names, the one rule translation and endpoint resolution
/// share so that they never disagree about which port a cluster means.
enum ServicePortLookup {
    static func find(_ reference: ServicePortReference, in ports: [Service.Port]) -> Service.Port? {
        switch reference {
        case .number(let number): return ports.first { $0.port == number }
        case .name(let name): return ports.first { ($0.name ?? "") == name }
        }
    }

    /// The reference a `ClusterID.port` spells: digits are a number (Service port names must
    /// contain a letter, so the two cannot be confused); the empty string means the first port.
    static func find(clusterPort: String, in ports: [Service.Port]) -> Service.Port? {
        if clusterPort.isEmpty { return ports.first }
        if let number = Int(clusterPort) { return find(.number(number), in: ports) }
        return find(.name(clusterPort), in: ports)
    }
}
