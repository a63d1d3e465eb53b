public import PorticoKube
public import ServiceLifecycle

/// Runs a `LeaderElector` for the life of the process; on graceful shutdown the elector is
/// cancelled and releases the Lease.
public struct LeaderElectionService: ServiceLifecycle.Service {
    let elector: LeaderElector

    public init(elector: LeaderElector) {
        self.elector = elector
    }

    public func run() async throws {
        await cancelWhenGracefulShutdown {
            await elector.run()
        }
    }
}
