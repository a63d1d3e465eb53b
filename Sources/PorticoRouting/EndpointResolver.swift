internal import PorticoModel
public import PorticoRouteTable

/// The ready endpoints of each cluster, from EndpointSlices (or v1 Endpoints when a Service has
/// no slices at all). Public on its own so that the reconciler's EndpointSlice fast path can
/// refresh endpoints without translating again.
///
/// Every requested cluster gets an entry, empty when the Service, its port or its ready
/// endpoints are missing. Each list is sorted and free of duplicates, so equal snapshots give
/// equal results.
public func resolveEndpoints(
    for clusters: some Collection<ClusterID>,
    in snapshot: ResourceSnapshot
) -> [ClusterID: [Endpoint]] {
    var result: [ClusterID: [Endpoint]] = [:]
    result.reserveCapacity(clusters.count)
    for id in clusters where result[id] == nil {
        result[id] = EndpointResolver.endpoints(for: id, in: snapshot)
    }
    return result
}

/// Resolves one cluster: its ServicePort, then the matching port of each slice.
///
/// A slice port belongs to a ServicePort when their names are equal (an absent name and the
/// empty name are the same, for the single unnamed port). The slice's port number is the
/// target port already resolved by Kubernetes, which is why translation never reads
/// `targetPort` itself.
enum EndpointResolver {
    static func endpoints(for id: ClusterID, in snapshot: ResourceSnapshot) -> [Endpoint] {
        let serviceName = NamespacedName(namespace: id.namespace, name: id.service)
        guard let ports = snapshot.servicePorts(serviceName),
              let servicePort = ServicePortLookup.find(clusterPort: id.port, in: ports)
        else { return [] }
        let portName = servicePort.name ?? ""
        let slices = snapshot.endpointSlices(forService: serviceName)
        var found: Set<Endpoint> = []
        if slices.isEmpty {
            for subset in snapshot.endpoints[serviceName]?.subsets ?? [] {
                guard let port = subset.ports?.first(where: { ($0.name ?? "") == portName })?.port else { continue }
                for address in subset.addresses ?? [] {
                    found.insert(Endpoint(host: address.ip, port: port))
                }
            }
        } else {
            for slice in slices where slice.addressType != "FQDN" {
                guard let port = slice.ports?.first(where: { ($0.name ?? "") == portName })?.port else { continue }
                for endpoint in slice.endpoints ?? [] where isServing(endpoint) {
                    for address in endpoint.addresses {
                        found.insert(Endpoint(host: address, port: port))
                    }
                }
            }
        }
        return found.sorted()
    }

    /// Ready unless it says otherwise (the API: unknown means ready), and not terminating.
    private static func isServing(_ endpoint: EndpointSlice.Endpoint) -> Bool {
        endpoint.conditions?.ready != false && endpoint.conditions?.terminating != true
    }
}
