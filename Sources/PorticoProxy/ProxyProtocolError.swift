/// Why a PROXY protocol header was refused. The connection is closed: a listener that expects
/// the header must not guess, or any client could forge its address.
enum ProxyProtocolError: Error, Equatable, CustomStringConvertible {
    /// Neither the v1 `PROXY ` nor the v2 signature starts the connection.
    case missingSignature
    /// A v1 line longer than the 107 bytes the specification allows.
    case lineTooLong
    /// A v1 line that is not `PROXY TCP4|TCP6|UNKNOWN ...` with valid addresses and ports.
    case malformedLine(String)
    /// A v2 header with a version other than 2 or a command other than LOCAL or PROXY.
    case unsupportedVersionOrCommand(UInt8)
    /// A v2 header whose address block is shorter than its family needs.
    case truncatedAddresses
    /// A v2 header announcing more than `ProxyProtocolParser.maximumV2Length` bytes.
    case tooLarge(Int)

    var description: String {
        switch self {
        case .missingSignature: "the connection does not start with a PROXY protocol header"
        case .lineTooLong: "the PROXY protocol v1 line is longer than 107 bytes"
        case .malformedLine(let line): "malformed PROXY protocol v1 line \"\(line)\""
        case .unsupportedVersionOrCommand(let byte): "unsupported PROXY protocol v2 version/command byte \(byte)"
        case .truncatedAddresses: "the PROXY protocol v2 address block is too short for its family"
        case .tooLarge(let length): "the PROXY protocol v2 header announces \(length) bytes, more than allowed"
        }
    }
}
