internal import NIOCore

/// Reads a PROXY protocol header, v1 (text) or v2 (binary), from the start of a connection.
///
/// Strict: the header must be the very first bytes, exactly as HAProxy's specification writes
/// it; anything else is an error, never passed on as data. Bounded: a v1 line is at most 107
/// bytes and a v2 header at most `maximumV2Length`, so a peer cannot make the proxy buffer more
/// than that before it decides.
enum ProxyProtocolParser {
    /// The v2 signature: `\r\n\r\n\0\r\nQUIT\n`.
    static let v2Signature: [UInt8] = [0x0D, 0x0A, 0x0D, 0x0A, 0x00, 0x0D, 0x0A, 0x51, 0x55, 0x49, 0x54, 0x0A]
    static let v1Prefix = Array("PROXY ".utf8)
    /// The longest v1 line the specification allows, CRLF included.
    static let maximumV1Length = 107
    /// 16 bytes of fixed header plus room for TLVs; balancers send well under this.
    static let maximumV2Length = 16 + 2048

    /// The header and how many bytes of `buffer` it takes, or nil while more bytes are needed.
    static func parse(_ buffer: ByteBuffer) throws(ProxyProtocolError) -> (header: ProxyProtocolHeader, length: Int)? {
        let bytes = buffer.readableBytesView
        if bytes.starts(with: v2Signature.prefix(bytes.count)) {
            guard bytes.count >= 16 else { return nil }
            return try parseV2(bytes)
        }
        if bytes.starts(with: v1Prefix.prefix(bytes.count)) {
            guard bytes.count > v1Prefix.count else { return nil }
            return try parseV1(bytes)
        }
        throw .missingSignature
    }

    // MARK: v1

    private static func parseV1(_ bytes: ByteBufferView) throws(ProxyProtocolError) -> (header: ProxyProtocolHeader, length: Int)? {
        let window = bytes.prefix(maximumV1Length)
        guard let newline = window.firstIndex(of: 0x0A) else {
            if bytes.count >= maximumV1Length { throw .lineTooLong }
            return nil
        }
        let lineEnd = newline - 1
        let line = String(decoding: bytes[bytes.startIndex..<max(lineEnd, bytes.startIndex)], as: UTF8.self)
        guard lineEnd >= bytes.startIndex, bytes[lineEnd] == 0x0D else { throw .malformedLine(line) }
        let length = newline + 1 - bytes.startIndex
        let fields = line.split(separator: " ", omittingEmptySubsequences: false)
        guard fields.count >= 2, fields[0] == "PROXY" else { throw .malformedLine(line) }
        switch fields[1] {
        case "UNKNOWN":
            // The rest of the line is to be ignored, per the specification.
            return (.local, length)
        case "TCP4", "TCP6":
            guard fields.count == 6,
                  let source = address(fields[2], port: fields[4], v6: fields[1] == "TCP6"),
                  let destination = address(fields[3], port: fields[5], v6: fields[1] == "TCP6")
            else { throw .malformedLine(line) }
            return (.proxied(source: source, destination: destination), length)
        default:
            throw .malformedLine(line)
        }
    }

    /// A v1 address and port, checked against the announced family.
    private static func address(_ host: Substring, port: Substring, v6: Bool) -> ProxiedAddress? {
        guard let number = decimalPort(port), host.contains(":") == v6,
              let parsed = try? SocketAddress(ipAddress: String(host), port: number),
              let text = parsed.ipAddress
        else { return nil }
        return ProxiedAddress(host: text, port: number)
    }

    /// 0-65535 in plain decimal digits (no sign, no spaces, at most five digits).
    private static func decimalPort(_ text: Substring) -> Int? {
        guard !text.isEmpty, text.utf8.count <= 5,
              text.utf8.allSatisfy({ $0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9") }),
              let value = Int(text), value <= 65535
        else { return nil }
        return value
    }

    // MARK: v2

    private static func parseV2(_ bytes: ByteBufferView) throws(ProxyProtocolError) -> (header: ProxyProtocolHeader, length: Int)? {
        let start = bytes.startIndex
        let versionCommand = bytes[start + 12]
        let familyProtocol = bytes[start + 13]
        let declared = Int(bytes[start + 14]) << 8 | Int(bytes[start + 15])
        guard versionCommand >> 4 == 2, versionCommand & 0x0F <= 1 else {
            throw .unsupportedVersionOrCommand(versionCommand)
        }
        guard 16 + declared <= maximumV2Length else { throw .tooLarge(16 + declared) }
        guard bytes.count >= 16 + declared else { return nil }
        let length = 16 + declared
        // LOCAL: the balancer speaking for itself; the address block is to be ignored.
        if versionCommand & 0x0F == 0 { return (.local, length) }
        let block = bytes[(start + 16)..<(start + length)]
        switch familyProtocol {
        case 0x11:  // TCP over IPv4: 4 + 4 address bytes, 2 + 2 port bytes.
            guard block.count >= 12 else { throw .truncatedAddresses }
            return (addresses(block, width: 4), length)
        case 0x21:  // TCP over IPv6: 16 + 16 address bytes, 2 + 2 port bytes.
            guard block.count >= 36 else { throw .truncatedAddresses }
            return (addresses(block, width: 16), length)
        default:
            // UNSPEC, UDP or Unix sockets: nothing the proxy can report as a client IP.
            return (.local, length)
        }
    }

    private static func addresses(_ block: ByteBufferView.SubSequence, width: Int) -> ProxyProtocolHeader {
        let start = block.startIndex
        let ports = start + 2 * width
        let sourcePort = Int(block[ports]) << 8 | Int(block[ports + 1])
        let destinationPort = Int(block[ports + 2]) << 8 | Int(block[ports + 3])
        guard let source = ipText(block[start..<(start + width)], port: sourcePort),
              let destination = ipText(block[(start + width)..<(start + 2 * width)], port: destinationPort)
        else { return .local }
        return .proxied(source: source, destination: destination)
    }

    private static func ipText(_ packed: ByteBufferView.SubSequence, port: Int) -> ProxiedAddress? {
        let buffer = ByteBuffer(bytes: packed)
        guard let address = try? SocketAddress(packedIPAddress: buffer, port: port) else { return nil }
        return ProxiedAddress(address)
    }
}
