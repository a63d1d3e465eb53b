import NIOHPACK
import Testing

@testable import PorticoProxy

/// RFC 9113's rules for a client's header blocks, one by one: what passes, and what makes a
/// request malformed, with the field the violation names.
@Suite struct HTTP2RequestBlockRulesTests {
    private static let pseudo: [(String, String)] = [
        (":method", "GET"), (":scheme", "https"), (":authority", "example.com"), (":path", "/"),
    ]

    private func request(_ fields: [(String, String)]) -> HTTP2RequestBlockRules.Violation? {
        HTTP2RequestBlockRules.checkRequest(HPACKHeaders(fields))
    }

    private func field(of fields: [(String, String)]) -> String? {
        self.request(fields)?.field
    }

    @Test func wellFormedRequestsPass() {
        #expect(self.request(Self.pseudo) == nil)
        #expect(self.request(Self.pseudo + [("user-agent", "h2load"), ("accept", "*/*"), ("te", "trailers")]) == nil)
        // :authority is optional (the Host field or nothing may stand for it).
        #expect(self.request([(":method", "GET"), (":scheme", "http"), (":path", "/")]) == nil)
        // Every tchar in a name; SP, HTAB and obs-text in a value; UTF-8 in :path.
        #expect(self.request(Self.pseudo + [("x-!#$%&'*+-.^_`|~09", "a b\tc\u{e9}")]) == nil)
        #expect(self.request([(":method", "GET"), (":scheme", "https"), (":path", "/caf\u{e9}")]) == nil)
        #expect(self.request([(":method", "OPTIONS"), (":scheme", "https"), (":path", "*")]) == nil)
    }

    @Test func connectCarriesMethodAndAuthorityOnly() {
        #expect(self.request([(":method", "CONNECT"), (":authority", "example.com:443")]) == nil)
        #expect(self.field(of: [(":method", "CONNECT"), (":authority", "a:443"), (":path", "/")]) == ":path")
        #expect(self.field(of: [(":method", "CONNECT"), (":scheme", "https"), (":authority", "a:443")]) == ":scheme")
        #expect(self.field(of: [(":method", "CONNECT")]) == ":authority")
    }

    @Test func mandatoryPseudoHeadersMustBeThere() {
        #expect(self.field(of: [(":scheme", "https"), (":path", "/")]) == ":method")
        #expect(self.field(of: [(":method", "GET"), (":path", "/")]) == ":scheme")
        #expect(self.field(of: [(":method", "GET"), (":scheme", "https")]) == ":path")
        #expect(self.request([(":method", "GET"), (":scheme", "https"), (":path", "")])?.reason == "empty")
    }

    @Test func pseudoHeadersAreKnownOnceAndFirst() {
        #expect(self.field(of: Self.pseudo + [(":status", "200")]) == ":status")
        // Extended CONNECT (RFC 8441) is not offered.
        #expect(self.field(of: Self.pseudo + [(":protocol", "websocket")]) == ":protocol")
        #expect(self.field(of: Self.pseudo + [(":path", "/again")]) == ":path")
        #expect(self.request(Self.pseudo + [(":path", "/again")])?.reason == "repeated")
        let late = [(":method", "GET"), (":scheme", "https"), ("accept", "*/*"), (":path", "/")]
        #expect(self.request(late) == .init(field: ":path", reason: "pseudo-header after a regular field"))
        #expect(self.field(of: Self.pseudo + [(":", "x")]) == ":")
    }

    @Test func pseudoHeaderValuesHaveNoSpaceOrControlCharacter() {
        for bad in ["/a b", "/a\r\nx: y", "/\u{0}", "/a\tb", "/\u{7f}"] {
            #expect(self.field(of: [(":method", "GET"), (":scheme", "https"), (":path", bad)]) == ":path", "\(bad.debugDescription)")
        }
        #expect(self.field(of: [(":method", "GET"), (":scheme", "https"), (":authority", "a.com\r\nx"), (":path", "/")]) == ":authority")
        #expect(self.field(of: [(":method", "G T"), (":scheme", "https"), (":path", "/")]) == ":method")
    }

    @Test func namesAreLowercaseTokens() {
        for bad in ["Accept", "x-Upper", "", "a b", "a:b", "a\"b", "a(b", "caf\u{e9}", "a\u{0}"] {
            let violation = self.request(Self.pseudo + [(bad, "v")])
            #expect(violation == .init(field: bad, reason: "not a lowercase token"), "\(bad.debugDescription)")
        }
    }

    @Test func connectionSpecificFieldsAreMalformed() {
        for name in ["connection", "keep-alive", "proxy-connection", "transfer-encoding", "upgrade"] {
            #expect(self.request(Self.pseudo + [(name, "x")]) == .init(field: name, reason: "connection-specific field"))
        }
        #expect(self.field(of: Self.pseudo + [("te", "gzip")]) == "te")
        #expect(self.field(of: Self.pseudo + [("te", "trailers, gzip")]) == "te")
        // Names that only share a length with one of them pass.
        #expect(self.request(Self.pseudo + [("ab", "x"), ("abcdefg", "x"), ("keep-alivf", "x")]) == nil)
    }

    @Test func valuesHaveNoNULCROrLF() {
        for bad in ["a\rb", "a\nb", "a\u{0}b", "\r\n"] {
            #expect(self.request(Self.pseudo + [("x-v", bad)]) == .init(field: "x-v", reason: "NUL, CR or LF in the value"))
        }
    }

    /// Every ASCII byte in a name, a value and a pseudo-header value, at the start, inside and
    /// at the end, against the grammar's byte classes.
    @Test func everyASCIIByteIsClassedInEveryPlace() {
        let tchars = Set("!#$%&'*+-.^_`|~0123456789abcdefghijklmnopqrstuvwxyz".utf8)
        for byte in UInt8(0)..<128 {
            let char = String(decoding: [byte], as: UTF8.self)
            for (prefix, suffix) in [("", "b"), ("a", "b"), ("a", "")] {
                let text = prefix + char + suffix
                let name = self.request(Self.pseudo + [(text, "v")])
                #expect((name == nil) == tchars.contains(byte), "name byte \(byte)")
                let value = self.request(Self.pseudo + [("x-v", text)])
                #expect((value == nil) == !(byte == 0x00 || byte == 0x0A || byte == 0x0D), "value byte \(byte)")
                let path = self.request([(":method", "GET"), (":scheme", "https"), (":path", "/" + text)])
                #expect((path == nil) == !(byte <= 0x20 || byte == 0x7F), "path byte \(byte)")
            }
        }
    }

    @Test func trailersCarryRegularFieldsOnly() {
        #expect(HTTP2RequestBlockRules.checkTrailers(HPACKHeaders([("x-checksum", "abc"), ("grpc-status", "0")])) == nil)
        #expect(HTTP2RequestBlockRules.checkTrailers(HPACKHeaders([(":path", "/")]))?.field == ":path")
        #expect(HTTP2RequestBlockRules.checkTrailers(HPACKHeaders([("X-Sum", "1")]))?.field == "X-Sum")
        #expect(HTTP2RequestBlockRules.checkTrailers(HPACKHeaders([("x-sum", "1\r\n")]))?.field == "x-sum")
        #expect(HTTP2RequestBlockRules.checkTrailers(HPACKHeaders([("connection", "close")]))?.field == "connection")
    }
}
