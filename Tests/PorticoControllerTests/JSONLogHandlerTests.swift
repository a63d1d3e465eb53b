import Foundation
import Logging
@testable import PorticoController
import Testing

@Suite struct JSONLogHandlerTests {
    @Test func metadataValuesBecomeJSONValues() throws {
        let value: Logger.Metadata.Value = .dictionary([
            "list": .array([.string("a"), .stringConvertible(3)]),
            "name": .string("web"),
        ])
        let json = JSONLogHandler.json(value)
        let data = try JSONSerialization.data(withJSONObject: json, options: [.sortedKeys])
        #expect(String(decoding: data, as: UTF8.self) == #"{"list":["a","3"],"name":"web"}"#)
    }

    @Test func aLineIsOneJSONObjectWithMergedMetadata() throws {
        var handler = JSONLogHandler(label: "portico.access")
        handler[metadataKey: "pod"] = "portico-0"
        handler[metadataKey: "status"] = "0"
        let event = LogEvent(
            level: .warning,
            message: "request \"quoted\"",
            metadata: ["status": "404", "message": "must not replace the message"],
            source: "PorticoProxy",
            file: #fileID,
            function: #function,
            line: #line
        )
        let line = try #require(handler.render(event, time: "2026-01-02T03:04:05.000Z"))
        #expect(line.last == UInt8(ascii: "\n"))
        #expect(line.dropLast().contains(UInt8(ascii: "\n")) == false)
        let object = try #require(try JSONSerialization.jsonObject(with: line) as? [String: String])
        #expect(object == [
            "time": "2026-01-02T03:04:05.000Z",
            "level": "warning",
            "logger": "portico.access",
            "message": "request \"quoted\"",
            "pod": "portico-0",
            "status": "404",
        ])
    }
}
