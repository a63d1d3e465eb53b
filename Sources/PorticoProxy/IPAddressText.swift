internal import NIOCore

/// The text of a socket's IP address, as `X-Forwarded-For` and the access log carry it.
///
/// NIO's `SocketAddress.ipAddress` formats through `inet_ntop` into a scratch array and then
/// copies that into a `String`: about 3,000 instructions, paid on every new downstream
/// connection. An IPv4 address (nearly every client behind a load balancer or on loopback) is
/// four decimal octets and is written here directly; other addresses go to NIO.
enum IPAddressText {
    /// Where `sin_addr` sits in a `sockaddr_in`: after a 16-bit family (Linux) or an 8-bit
    /// length and an 8-bit family (BSD), then the 16-bit port. The same on every platform NIO
    /// runs on; `IPAddressTextTests` compares the result with NIO's on each run.
    private static let addressOffset = 4

    static func of(_ address: SocketAddress) -> String? {
        guard case .v4 = address else { return address.ipAddress }
        return address.withSockAddr { sockaddr, size -> String? in
            guard size >= Self.addressOffset + 4 else { return address.ipAddress }
            let octets = UnsafeRawBufferPointer(start: UnsafeRawPointer(sockaddr) + Self.addressOffset, count: 4)
            return String(unsafeUninitializedCapacity: 15) { text in
                var count = 0
                for (index, octet) in octets.enumerated() {
                    if index > 0 {
                        text[count] = UInt8(ascii: ".")
                        count += 1
                    }
                    if octet >= 100 {
                        text[count] = UInt8(ascii: "0") + octet / 100
                        count += 1
                    }
                    if octet >= 10 {
                        text[count] = UInt8(ascii: "0") + octet / 10 % 10
                        count += 1
                    }
                    text[count] = UInt8(ascii: "0") + octet % 10
                    count += 1
                }
                return count
            }
        }
    }
}
