import PorticoController
import Testing

@Suite struct DurationTextTests {
    @Test(arguments: [
        ("500ms", Duration.milliseconds(500)),
        ("10s", .seconds(10)),
        ("2m", .seconds(120)),
        ("1h", .seconds(3600)),
        ("1.5", .milliseconds(1500)),
        ("0", .zero),
    ])
    func parsesNginxStyleDurations(text: String, expected: Duration) {
        #expect(DurationText.parse(text) == expected)
    }

    @Test(arguments: ["", "ten", "-1s", "5 s", "s", "inf", "nan"])
    func rejectsWhatIsNotADuration(text: String) {
        #expect(DurationText.parse(text) == nil)
    }
}
