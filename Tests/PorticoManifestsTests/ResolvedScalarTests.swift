import Foundation
@testable import PorticoManifests
import PorticoModel
import PorticoTestSupport
import Testing
import Yams

@Suite("ResolvedScalar and strict JSON decoding")
struct ResolvedScalarTests {
    /// The first document's root mapping value of `value:` in `yaml`.
    func resolve(_ yaml: String) throws -> ResolvedScalar {
        let root = try #require(try Parser(yaml: "value: \(yaml)\n", resolver: .basic).singleRoot())
        guard case .scalar(let scalar)? = root.field("value") else {
            Issue.record("not a scalar: \(yaml)")
            return .null
        }
        return ResolvedScalar(scalar)
    }

    @Test(
        "plain scalars resolve per the YAML 1.2 core schema",
        arguments: [
            ("", ResolvedScalar.null), ("~", .null), ("null", .null), ("Null", .null), ("NULL", .null),
            ("true", .bool(true)), ("True", .bool(true)), ("FALSE", .bool(false)),
            ("80", .number("80")), ("-7", .number("-7")), ("+12", .number("12")), ("007", .number("7")), ("0", .number("0")),
            ("0o17", .number("15")), ("0x1F", .number("31")),
            ("1.5", .number("1.5")), (".5", .number("0.5")), ("1.", .number("1.0")), ("-2e3", .number("-2e3")), ("6.02E+23", .number("6.02E+23")),
        ])
    func plain(_ yaml: String, _ expected: ResolvedScalar) throws {
        #expect(try resolve(yaml) == expected)
    }

    @Test(
        "YAML 1.1 spellings, quoted and tagged values, and what JSON cannot carry stay strings",
        arguments: [
            ("yes", "yes"), ("on", "on"), ("nulls", "nulls"), ("1_000", "1_000"), ("0b101", "0b101"), ("1.2.3", "1.2.3"),
            ("\"80\"", "80"), ("'true'", "true"), ("\"\"", ""), ("'null'", "null"), ("!!str 5", "5"), ("!!str true", "true"),
            (".inf", ".inf"), ("-.inf", "-.inf"), (".nan", ".nan"), ("0x", "0x"), ("-x", "-x"), ("12:30", "12:30"), ("1e", "1e"),
        ])
    func strings(_ yaml: String, _ expected: String) throws {
        #expect(try resolve(yaml) == .string(expected))
    }

    @Test("explicit core tags resolve their value; a block scalar is a string")
    func tagged() throws {
        #expect(try resolve("!!int 42") == .number("42"))
        #expect(try resolve("!!float 1") == .number("1"))
        #expect(try resolve("!!bool true") == .bool(true))
        #expect(try resolve("!!null ~") == .null)
        #expect(try resolve("!!int abc") == .string("abc"))
        #expect(try resolve("|\n  80") == .string("80\n"))
    }

    func load(_ yaml: String) throws -> (ManifestSet, TemporaryFolder) {
        let folder = try TemporaryFolder()
        try folder.write("x.yaml", yaml)
        return (try ManifestLoader(folder: folder.path).load(), folder)
    }

    @Test("a quoted number is not a number: port: \"80\" is an error naming the field")
    func quotedNumber() throws {
        let (set, folder) = try load(Manifests.service("web", port: "\"80\""))
        #expect(set.resources.isEmpty)
        #expect(set.problems.map(\.error.description) == ["\(folder.path("x.yaml")):9: spec.ports[0].port: expected a whole number, found '80'"])
    }

    @Test("a number where a string is expected is an error, as kubectl reports it; !!str makes it a string")
    func numberForString() throws {
        let yaml = "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: settings\ndata:\n  replicas: 3\n"
        let (set, folder) = try load(yaml)
        #expect(set.problems.map(\.error.description) == ["\(folder.path("x.yaml")):6: data.replicas: expected a string, found '3'"])
        let (tagged, _) = try load(yaml.replacingOccurrences(of: "replicas: 3", with: "replicas: !!str 3\n  quoted: \"4\""))
        #expect(tagged.problems == [])
        guard case .configMap(let configMap)? = tagged.resources.values.first?.resource else {
            Issue.record("no config map: \(tagged)")
            return
        }
        #expect(configMap.data == ["replicas": "3", "quoted": "4"])
    }

    @Test("IntOrString takes a number or a name")
    func intOrString() throws {
        let yaml = """
            apiVersion: v1
            kind: Service
            metadata:
              name: web
            spec:
              ports:
                - name: a
                  port: 80
                  targetPort: 8080
                - name: b
                  port: 81
                  targetPort: http
            """
        let (set, _) = try load(yaml)
        #expect(set.problems == [])
        guard case .service(let service)? = set.resources.values.first?.resource else {
            Issue.record("no service: \(set)")
            return
        }
        #expect(service.spec?.ports?.map(\.targetPort) == [.int(8080), .string("http")])
    }

    @Test("merge keys apply, the mapping's own keys winning; strings keep quotes, backslashes and control characters")
    func mergeAndEscapes() throws {
        let yaml = #"""
            apiVersion: v1
            kind: ConfigMap
            metadata:
              name: settings
              labels: &common
                app: shop
                tier: web
            data:
              <<: *common
              tier: "edge"
              text: "say \"hi\"\\n\n\ttab\u0001"
              "8080": port
            """#
        let (set, _) = try load(yaml)
        #expect(set.problems == [])
        guard case .configMap(let configMap)? = set.resources.values.first?.resource else {
            Issue.record("no config map: \(set)")
            return
        }
        #expect(configMap.data == ["app": "shop", "tier": "edge", "text": "say \"hi\"\\n\n\ttab\u{1}", "8080": "port"])
    }

    @Test("aliases that expand exponentially are cut off at the writer's limit, naming the line")
    func aliasExpansionCapped() throws {
        var yaml = "a: &a [x, x, x, x, x, x, x, x, x, x]\n"
        for level in 1..<9 {
            let previous = "*l\(level - 1)"
            yaml += "l\(level): &l\(level) [\(Array(repeating: level == 1 ? "*a" : previous, count: 10).joined(separator: ", "))]\n"
        }
        let root = try #require(try Parser(yaml: yaml.replacingOccurrences(of: "*l0", with: "*a"), resolver: .basic).singleRoot())
        #expect(throws: NodeJSONWriter.Failure.self) {
            try NodeJSONWriter.json(root, limit: 100_000)
        }
        let small = try #require(try Parser(yaml: "a: &a [x, 'y', 1]\nb: *a\n", resolver: .basic).singleRoot())
        #expect(String(decoding: try NodeJSONWriter.json(small, limit: 100_000), as: UTF8.self) == #"{"a":["x","y",1],"b":["x","y",1]}"#)
    }

    @Test("a mapping used as a key is a problem naming its line")
    func complexKey() throws {
        let (set, folder) = try load("apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: odd\ndata:\n  ? [a, b]\n  : c\n")
        #expect(set.resources.isEmpty)
        #expect(set.problems.map(\.error.description) == ["\(folder.path("x.yaml")):6: a mapping key must be a single value, not a list"])
        #expect(set.problems.first?.key == ObjectKey(kind: .configMap, namespace: "default", name: "odd"))
    }
}
