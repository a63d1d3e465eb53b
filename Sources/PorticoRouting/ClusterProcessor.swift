internal import PorticoModel
internal import PorticoRouteTable

/// Collects every cluster the finished routes, passthrough hosts and TCP services refer to and
/// resolves its endpoints.
///
/// Only clusters of routes that made it into the table are listed: a losing or rejected path's
/// Service is not kept warm for nothing.
struct ClusterProcessor: TranslationProcessor {
    func run(_ state: inout TranslationState) {
        var ids = state.servedClusters
        for service in state.tcpServices.values { ids.insert(service.cluster) }
        if let route = state.defaultRoute { ids.insert(Self.cluster(of: route)) }
        var clusters: [ClusterID: Cluster] = [:]
        clusters.reserveCapacity(ids.count)
        for id in ids {
            let exists = state.snapshot.services[NamespacedName(namespace: id.namespace, name: id.service)] != nil
            clusters[id] = Cluster(id: id, serviceExists: exists)
        }
        state.clusters = clusters
        state.endpoints = resolveEndpoints(for: ids, in: state.snapshot)
    }

    private static func cluster(of route: Route) -> ClusterID {
        switch route.backend {
        case .cluster(let id): id
        }
    }
}
