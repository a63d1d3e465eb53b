import Yams

extension Node {
    /// The value of a mapping's key written as `name`, by its text alone: cheaper than Yams'
    /// subscript (which builds a node and resolves tags to compare), and the same for manifests.
    func field(_ name: String) -> Node? {
        guard case .mapping(let mapping) = self else { return nil }
        for pair in mapping {
            if case .scalar(let key) = pair.key, key.string == name { return pair.value }
        }
        return nil
    }

    /// The text of a scalar field, whatever it resolves to (`kind: 5` reads as "5").
    func fieldText(_ name: String) -> String? {
        guard case .scalar(let scalar)? = field(name) else { return nil }
        return scalar.string
    }
}
