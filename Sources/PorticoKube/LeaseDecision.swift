public import Foundation
public import PorticoModel

/// What one election attempt does with the Lease as read, decided without I/O so that the
/// rules are tested with plain dates.
///
/// A Lease is free when it has no holder (a leader that stopped gracefully released it) or its
/// `renewTime + leaseDurationSeconds` lies in the past. Ours is renewed; a free one is taken,
/// counting a transition; one held by someone else is left alone. Writes carry the Lease's
/// resourceVersion, so of two replicas racing for a free Lease one gets 409 Conflict and loses.
public enum LeaseDecision: Equatable, Sendable {
    /// No Lease exists: create it with this spec.
    case create(Lease)
    /// Replace the Lease (resourceVersion kept) to renew or take it.
    case update(Lease)
    /// Someone else holds a valid Lease.
    case heldByOther(holder: String)

    public static func decide(
        current: Lease?,
        identity: String,
        name: NamespacedName,
        now: Date,
        leaseSeconds: Int
    ) -> LeaseDecision {
        let stamp = MicroTime.format(now)
        guard var lease = current else {
            let spec = Lease.Spec(holderIdentity: identity, leaseDurationSeconds: leaseSeconds, acquireTime: stamp, renewTime: stamp, leaseTransitions: 0)
            return .create(Lease(metadata: ObjectMeta(name: name.name, namespace: name.namespace), spec: spec))
        }
        var spec = lease.spec ?? Lease.Spec()
        let holder = spec.holderIdentity ?? ""
        if holder == identity {
            spec.renewTime = stamp
            spec.leaseDurationSeconds = leaseSeconds
            lease.spec = spec
            return .update(lease)
        }
        if !holder.isEmpty, !isExpired(spec, now: now) {
            return .heldByOther(holder: holder)
        }
        spec.holderIdentity = identity
        spec.acquireTime = stamp
        spec.renewTime = stamp
        spec.leaseDurationSeconds = leaseSeconds
        spec.leaseTransitions = (spec.leaseTransitions ?? 0) + (holder.isEmpty && spec.leaseTransitions == nil ? 0 : 1)
        lease.spec = spec
        return .update(lease)
    }

    /// A Lease without a readable renew time counts as expired, so that a broken Lease cannot
    /// block election forever.
    static func isExpired(_ spec: Lease.Spec, now: Date) -> Bool {
        guard let text = spec.renewTime ?? spec.acquireTime, let renewed = MicroTime.parse(text) else { return true }
        let duration = Double(spec.leaseDurationSeconds ?? 0)
        return renewed.addingTimeInterval(duration) < now
    }

    /// The Lease a leader writes when it stops: no holder, so the next replica takes it at once.
    public static func released(_ lease: Lease, now: Date) -> Lease {
        var lease = lease
        var spec = lease.spec ?? Lease.Spec()
        spec.holderIdentity = nil
        spec.leaseDurationSeconds = 1
        spec.renewTime = MicroTime.format(now)
        lease.spec = spec
        return lease
    }
}
