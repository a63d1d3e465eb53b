import Yams

/// A YAML scalar resolved the way Kubernetes reads manifests: YAML 1.2's core schema for plain
/// scalars (`null`, `~` and empty are null; `true`/`false` in three spellings; decimal, `0o` and
/// `0x` integers; decimal floats), and always a string when quoted, written as a block, or
/// tagged `!!str`. `yes`, `on` and `0755`-style YAML 1.1 readings are deliberately not applied.
///
/// Decoding then follows JSON's strict types, as `kubectl` does: a number where a string is
/// expected is an error, and `port: "80"` stays a string that does not decode as a number.
enum ResolvedScalar: Equatable {
    case null
    case bool(Bool)
    /// The JSON spelling of the number (no `+`, no leading zeros, octal and hex in decimal).
    case number(String)
    case string(String)

    init(_ scalar: Node.Scalar) {
        switch Tag.Name(rawValue: scalar.tag.rawValue) {
        case .implicit:
            self = scalar.style == .plain || scalar.style == .any ? Self.plain(scalar.string) : .string(scalar.string)
        case .null:
            self = Self.plain(scalar.string) == .null ? .null : .string(scalar.string)
        case .bool:
            if case .bool(let value) = Self.plain(scalar.string) { self = .bool(value) } else { self = .string(scalar.string) }
        case .int, .float:
            if case .number(let value) = Self.plain(scalar.string) { self = .number(value) } else { self = .string(scalar.string) }
        default:
            self = .string(scalar.string)
        }
    }

    /// Whether the scalar is a plain null (an empty document, `namespace: ~`).
    static func isNull(_ node: Node) -> Bool {
        guard case .scalar(let scalar) = node else { return false }
        return ResolvedScalar(scalar) == .null
    }

    /// The core schema's resolution of a plain scalar's text.
    static func plain(_ text: String) -> ResolvedScalar {
        let utf8 = text.utf8
        guard let first = utf8.first else { return .null }
        // Only these first bytes can start a non-string; everything else is a string at once.
        switch first {
        case UInt8(ascii: "n"), UInt8(ascii: "N"), UInt8(ascii: "~"):
            return text == "null" || text == "Null" || text == "NULL" || text == "~" ? .null : .string(text)
        case UInt8(ascii: "t"), UInt8(ascii: "T"):
            return text == "true" || text == "True" || text == "TRUE" ? .bool(true) : .string(text)
        case UInt8(ascii: "f"), UInt8(ascii: "F"):
            return text == "false" || text == "False" || text == "FALSE" ? .bool(false) : .string(text)
        case UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "-"), UInt8(ascii: "+"), UInt8(ascii: "."):
            return number(utf8).map(ResolvedScalar.number) ?? .string(text)
        default:
            return .string(text)
        }
    }

    /// The JSON number for a core-schema int or float, or nil when the text is neither (or is
    /// `.inf`/`.nan`, which JSON cannot carry; those stay strings).
    private static func number(_ utf8: String.UTF8View) -> String? {
        let bytes = Array(utf8)
        if bytes.count > 2, bytes[0] == UInt8(ascii: "0"), bytes[1] == UInt8(ascii: "o") || bytes[1] == UInt8(ascii: "x") {
            let radix = bytes[1] == UInt8(ascii: "o") ? 8 : 16
            guard let value = UInt64(String(decoding: bytes[2...], as: UTF8.self), radix: radix) else { return nil }
            return String(value)
        }
        var index = 0
        var negative = false
        if bytes[index] == UInt8(ascii: "-") || bytes[index] == UInt8(ascii: "+") {
            negative = bytes[index] == UInt8(ascii: "-")
            index += 1
        }
        let integerStart = index
        while index < bytes.count, isDigit(bytes[index]) { index += 1 }
        let integer = bytes[integerStart..<index]
        var fraction: ArraySlice<UInt8>?
        if index < bytes.count, bytes[index] == UInt8(ascii: ".") {
            index += 1
            let fractionStart = index
            while index < bytes.count, isDigit(bytes[index]) { index += 1 }
            fraction = bytes[fractionStart..<index]
            // `.` alone, or `.5e`... needs a digit on one side of the point.
            guard !integer.isEmpty || !(fraction?.isEmpty ?? true) else { return nil }
        } else if integer.isEmpty {
            return nil
        }
        var exponent: ArraySlice<UInt8>?
        if index < bytes.count, bytes[index] == UInt8(ascii: "e") || bytes[index] == UInt8(ascii: "E") {
            let exponentStart = index
            index += 1
            if index < bytes.count, bytes[index] == UInt8(ascii: "-") || bytes[index] == UInt8(ascii: "+") { index += 1 }
            let digitsStart = index
            while index < bytes.count, isDigit(bytes[index]) { index += 1 }
            guard index > digitsStart else { return nil }
            exponent = bytes[exponentStart..<index]
        }
        guard index == bytes.count else { return nil }
        var json: [UInt8] = []
        json.reserveCapacity(bytes.count + 2)
        if negative { json.append(UInt8(ascii: "-")) }
        let significant = integer.drop { $0 == UInt8(ascii: "0") }
        json.append(contentsOf: significant.isEmpty ? [UInt8(ascii: "0")] : Array(significant))
        if let fraction {
            json.append(UInt8(ascii: "."))
            json.append(contentsOf: fraction.isEmpty ? [UInt8(ascii: "0")] : Array(fraction))
        }
        if let exponent { json.append(contentsOf: exponent) }
        return String(decoding: json, as: UTF8.self)
    }

    private static func isDigit(_ byte: UInt8) -> Bool {
        byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9")
    }
}
