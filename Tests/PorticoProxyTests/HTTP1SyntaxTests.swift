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

    /// The word-at-a-time skip over field value bytes, for every byte value at every place of
    /// a value, and after every start: it never passes a byte the exact test refuses (nor a
    /// tab), and it skips every whole word of plain value bytes before the first such byte.
    @Test func fieldValueWordsStopAtEveryByteTheExactTestRefuses() {
        for byte in UInt8.min...UInt8.max {
            for place in 0..<24 {
                var value = Array(repeating: UInt8(ascii: "v"), count: 24)
                value[place] = byte
                for start in 0..<9 {
                    value.withUnsafeBufferPointer { bytes in
                        let end = HTTP1Syntax.fieldValueWordsEnd(in: bytes, from: start)
                        let stops = !HTTP1Syntax.isFieldValue(byte) || byte == HTTP1Syntax.tab
                        #expect(end >= start && end <= bytes.count)
                        if stops, place >= start {
                            #expect(end <= place, "byte \(byte) at \(place), from \(start): skipped to \(end)")
                        }
                        let firstStop = stops && place >= start ? place : bytes.count
                        #expect(end >= start + (firstStop - start) / 8 * 8, "byte \(byte) at \(place), from \(start): stopped at \(end)")
                    }
                }
            }
        }
    }
}
