/// The parts of an object that selectors look at.
extension JSONValue {
    /// `metadata.labels` as strings.
    var labels: [String: String] {
        var labels: [String: String] = [:]
        for (key, value) in self["metadata"]?["labels"]?.objectValue ?? [:] {
            if let string = value.stringValue { labels[key] = string }
        }
        return labels
    }

    /// The values of dotted field paths (`metadata.name`, `type`, `spec.nodeName`) that are
    /// strings, for field selectors.
    func fieldValues(_ keys: [String]) -> [String: String] {
        var values: [String: String] = [:]
        for key in keys {
            var value: JSONValue? = self
            for component in key.split(separator: ".") {
                value = value?[String(component)]
            }
            switch value {
            case .string(let string): values[key] = string
            case .bool(let bool): values[key] = String(bool)
            case .integer(let integer): values[key] = String(integer)
            default: break
            }
        }
        return values
    }
}
