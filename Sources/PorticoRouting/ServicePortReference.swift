/// A Service port as a reference names it: by number or by name.
public enum ServicePortReference: Hashable, Sendable, CustomStringConvertible {
    case number(Int)
    case name(String)

    /// The port as written, which is also how a `ClusterID` spells it.
    public var description: String {
        switch self {
        case .number(let number): String(number)
        case .name(let name): name
        }
    }
}
