import NIOCore
import PorticoTestSupport
import Testing

@testable import PorticoProxy

/// Portico's IPv4 text against NIO's `ipAddress`, which it stands in for.
@Suite struct IPAddressTextTests {
    @Test func ipv4AddressesReadAsNIOWritesThem() throws {
        var random = SplitMix64(seed: 6)
        var addresses = ["0.0.0.0", "255.255.255.255", "127.0.0.1", "10.0.0.1", "192.168.100.9", "1.20.199.250", "100.10.1.0"]
        for _ in 0..<500 {
            addresses.append((0..<4).map { _ in String(UInt8.random(in: 0...255, using: &random)) }.joined(separator: "."))
        }
        for text in addresses {
            let address = try SocketAddress(ipAddress: text, port: 443)
            #expect(IPAddressText.of(address) == text)
            #expect(IPAddressText.of(address) == address.ipAddress)
        }
    }

    @Test func otherAddressesAreNIOs() throws {
        for text in ["::1", "2001:db8::7", "fe80::1:2"] {
            let address = try SocketAddress(ipAddress: text, port: 80)
            #expect(IPAddressText.of(address) == address.ipAddress)
        }
        let unix = try SocketAddress(unixDomainSocketPath: "/tmp/portico.sock")
        #expect(IPAddressText.of(unix) == nil)
    }
}
