import Testing

@testable import PorticoProxy

/// The byte classes against their definitions, for all 256 bytes.
@Suite struct HTTP1SyntaxTests {
    @Test func tokenBytesAreRFC9110sTchar() {
        let tchar = Set("!#$%&'*+-.^_`|~0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ".utf8)
        for byte in UInt8.min...UInt8.max {
            #expect(HTTP1Syntax.isToken(byte) == tchar.contains(byte), "byte \(byte)")
        }
    }

    @Test func fieldValueBytesAreVisibleSpaceTabAndObsText() {
        for byte in UInt8.min...UInt8.max {
            let expected = byte == 0x09 || (byte >= 0x20 && byte != 0x7F)
            #expect(HTTP1Syntax.isFieldValue(byte) == expected, "byte \(byte)")
        }
    }
}
