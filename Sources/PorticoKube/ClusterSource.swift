public import Logging
public import PorticoModel

/// Cluster mode's resource source: one `Reflector` per kind in `scope`, merged into the same
/// `ResourceEvent` sequence the manifest folder produces, so that the reconciler cannot tell
/// them apart. Each reflector sends `.synced([kind])` after each of its lists.
///
/// Each iterator starts its own reflectors (one child task each, in one task that ends when the
/// iterator is released or its consumer cancelled) and buffers their events without bound: the
/// reconcile loop only applies them to a dictionary, so it keeps up.
public struct ClusterSource: AsyncSequence, Sendable {
    public typealias Element = ResourceEvent
    public typealias Failure = Never

    public let scope: ClusterScope
    private let api: any KubernetesAPI
    private let timing: ReflectorTiming
    private let reporter: FailureReporter
    private let logger: Logger

    public init(
        api: any KubernetesAPI,
        scope: ClusterScope,
        timing: ReflectorTiming = ReflectorTiming(),
        reporter: FailureReporter,
        logger: Logger
    ) {
        self.api = api
        self.scope = scope
        self.timing = timing
        self.reporter = reporter
        self.logger = logger
    }

    /// The kinds this source delivers; `.synced` arrives for each of them.
    public var kinds: Set<ResourceKind> { scope.kinds }

    public func makeAsyncIterator() -> AsyncStream<ResourceEvent>.Iterator {
        let (stream, continuation) = AsyncStream<ResourceEvent>.makeStream()
        let runners = self.runners()
        let task = Task {
            await withDiscardingTaskGroup { group in
                for runner in runners {
                    group.addTask {
                        await runner { events in
                            for event in events { continuation.yield(event) }
                        }
                    }
                }
            }
            continuation.finish()
        }
        continuation.onTermination = { _ in task.cancel() }
        return stream.makeAsyncIterator()
    }

    private typealias Runner = @Sendable (@escaping @Sendable ([ResourceEvent]) async -> Void) async -> Void

    private func reflector<Object: Decodable & Sendable>(
        _ resource: APIResource,
        _ kind: ResourceKind,
        namespace: String?,
        fieldSelector: String? = nil,
        wrap: @escaping @Sendable (Object) -> Resource
    ) -> Runner {
        let reflector = Reflector<Object>(
            api: api, resource: resource, kind: kind, namespace: namespace, fieldSelector: fieldSelector,
            timing: timing, reporter: reporter, logger: logger, wrap: wrap
        )
        return { emit in await reflector.run(emit: emit) }
    }

    private func runners() -> [Runner] {
        let namespace = scope.watchNamespace
        var runners: [Runner] = [
            reflector(.ingresses, .ingress, namespace: namespace) { Resource.ingress($0) },
            reflector(.ingressClasses, .ingressClass, namespace: nil) { Resource.ingressClass($0) },
            reflector(.services, .service, namespace: namespace) { Resource.service($0) },
            reflector(.endpointSlices, .endpointSlice, namespace: namespace) { Resource.endpointSlice($0) },
            reflector(.secrets, .secret, namespace: namespace, fieldSelector: ClusterScope.tlsSecretSelector) { Resource.secret($0) },
        ]
        for name in scope.configMaps {
            runners.append(reflector(.configMaps, .configMap, namespace: name.namespace, fieldSelector: "metadata.name=\(name.name)") { Resource.configMap($0) })
        }
        for name in scope.extraServices where namespace != nil && namespace != name.namespace {
            runners.append(reflector(.services, .service, namespace: name.namespace, fieldSelector: "metadata.name=\(name.name)") { Resource.service($0) })
        }
        return runners
    }
}
