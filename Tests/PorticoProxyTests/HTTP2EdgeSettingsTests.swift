import NIOHTTP2
import Testing

@testable import PorticoProxy

/// What `ProxyConfiguration` turns into on an HTTP/2 connection: the advertised settings,
/// clamped to what HTTP/2 allows, and swift-nio-http2's DoS protections left at its defaults.
@Suite struct HTTP2EdgeSettingsTests {
    private func value(_ parameter: HTTP2SettingsParameter, in settings: HTTP2Settings) -> Int? {
        settings.first { $0.parameter == parameter }?.value
    }

    @Test func defaultsAdvertiseTheDocumentedLimits() {
        let configuration = ProxyConfiguration(httpPort: 0, workers: 1)
        let connection = HTTP2EdgeSettings.connection(configuration)
        #expect(self.value(.maxConcurrentStreams, in: connection.initialSettings) == 128)
        #expect(self.value(.initialWindowSize, in: connection.initialSettings) == 65_535)
        #expect(self.value(.maxHeaderListSize, in: connection.initialSettings) == 32 * 1024)
        #expect(connection.targetWindowSize == 1 << 20)
        #expect(HTTP2EdgeSettings.stream(configuration.http2).targetWindowSize == 65_535)
    }

    @Test func valuesOutsideHTTP2sRangeAreClamped() {
        var configuration = ProxyConfiguration(httpPort: 0, workers: 1)
        configuration.http2 = HTTP2Options(maxConcurrentStreams: 0, initialWindowSize: 1 << 40, connectionWindowSize: -1)
        configuration.maxHeaderBytes = 10
        let connection = HTTP2EdgeSettings.connection(configuration)
        #expect(self.value(.maxConcurrentStreams, in: connection.initialSettings) == 1)
        #expect(self.value(.initialWindowSize, in: connection.initialSettings) == HTTP2Options.maximumWindowSize)
        #expect(self.value(.maxHeaderListSize, in: connection.initialSettings) == 1024)
        #expect(connection.targetWindowSize == 1)
    }

    @Test func dosProtectionsKeepNIODefaults() {
        let ours = HTTP2EdgeSettings.connection(ProxyConfiguration(httpPort: 0, workers: 1))
        let nio = NIOHTTP2Handler.ConnectionConfiguration()
        #expect(ours.maximumRecentlyResetStreams == nio.maximumRecentlyResetStreams)
        #expect(ours.maximumSequentialEmptyDataFrames == nio.maximumSequentialEmptyDataFrames)
        #expect(ours.maximumBufferedControlFrames == nio.maximumBufferedControlFrames)
        #expect(ours.maximumConnectionGlitches == nio.maximumConnectionGlitches)
        #expect(ours.controlFrameRateLimit == nio.controlFrameRateLimit)
        // Requests are validated per stream instead (HTTP2RequestBlockRules, in HTTP2StreamFront).
        #expect(ours.headerBlockValidation == .disabled)
        #expect(ours.contentLengthValidation == .enabled)
    }
}
