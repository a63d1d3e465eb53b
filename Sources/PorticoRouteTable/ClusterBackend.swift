/// A cluster as a request uses it: what to speak to it and where its ready endpoints are.
public struct ClusterBackend: Sendable {
    public let cluster: Cluster
    /// Ready endpoints; empty when none are ready.
    public let endpoints: [Endpoint]

    public init(cluster: Cluster, endpoints: [Endpoint]) {
        self.cluster = cluster
        self.endpoints = endpoints
    }
}
