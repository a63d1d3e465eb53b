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

    @Test func levelAndMetadataAreSettable() {
        var handler = JSONLogHandler(label: "test")
        handler.logLevel = .warning
        handler[metadataKey: "pod"] = "portico-0"
        #expect(handler.logLevel == .warning)
        #expect(handler[metadataKey: "pod"] == "portico-0")
    }
}
