import Foundation
import PorticoProxy
import PorticoRouteTable
import PorticoTestSupport
import Testing

/// `CertificateStore.compile`: every kind of bad material is reported against its Secret and
/// isolated; a bad update keeps the last good certificate; SNI selection picks exact, then
/// wildcard, then default.
@Suite struct CertificateStoreTests {
    let authority: TestCertificateAuthority
    let store: CertificateStore

    init() throws {
        authority = try TestCertificateAuthority()
        store = try CertificateStore.withGeneratedDefault()
    }

    func source(_ secret: String, _ hosts: [String], _ leaf: TestCertificateAuthority.Leaf?) -> ServerCertificateSource {
        ServerCertificateSource(
            secret: secret, hosts: hosts,
            material: leaf.map { PEMMaterial(certificateChain: Array($0.chainPEM.utf8), privateKey: Array($0.keyPEM.utf8)) }
        )
    }

    func source(_ secret: String, _ hosts: [String], chain: String, key: String) -> ServerCertificateSource {
        ServerCertificateSource(
            secret: secret, hosts: hosts, material: PEMMaterial(certificateChain: Array(chain.utf8), privateKey: Array(key.utf8))
        )
    }

    func servedName(_ set: CertificateSet, _ name: String?) -> String { set.certificate(forServerName: name).secret }

    @Test func sniPicksExactThenWildcardThenDefault() throws {
        let exact = try authority.issue(commonName: "exact", dnsNames: ["a.example.com"])
        let wildcard = try authority.issue(commonName: "wild", dnsNames: ["*.example.com"])
        let compiled = store.compile(
            [source("default/exact", ["a.example.com"], exact), source("default/wild", ["*.example.com"], wildcard)],
            defaultCertificate: nil, now: Date()
        )
        #expect(compiled.problems.isEmpty)
        let set = compiled.set
        #expect(servedName(set, "a.example.com") == "default/exact")
        #expect(servedName(set, "A.Example.COM.") == "default/exact")
        #expect(servedName(set, "b.example.com") == "default/wild")
        #expect(servedName(set, "x.b.example.com") == "generated")
        #expect(servedName(set, "example.com") == "generated")
        #expect(servedName(set, "other.test") == "generated")
        #expect(servedName(set, nil) == "generated")
        #expect(set.hostNames == ["*.example.com", "a.example.com"])
    }

    @Test(arguments: [
        (TestCertificateAuthority.KeyType.ecdsaP256, TestCertificateAuthority.KeyFormat.pkcs8),
        (.ecdsaP256, .sec1),
        (.rsa2048, .pkcs1),
        (.rsa2048, .pkcs8),
    ])
    func everyKeyFormatLoads(keyType: TestCertificateAuthority.KeyType, keyFormat: TestCertificateAuthority.KeyFormat) throws {
        let leaf = try authority.issue(commonName: "k", dnsNames: ["k.test"], keyType: keyType, keyFormat: keyFormat)
        let compiled = store.compile([source("default/k", ["k.test"], leaf)], defaultCertificate: nil, now: Date())
        #expect(compiled.problems.isEmpty)
        #expect(servedName(compiled.set, "k.test") == "default/k")
    }

    @Test func badMaterialIsReportedPerSecretAndIsolated() throws {
        let good = try authority.issue(commonName: "good", dnsNames: ["good.test"])
        let mismatched = try authority.issue(commonName: "mismatch", dnsNames: ["mismatch.test"])
        let expired = try authority.issue(
            commonName: "expired", dnsNames: ["expired.test"],
            notValidBefore: Date().addingTimeInterval(-7200), notValidAfter: Date().addingTimeInterval(-3600)
        )
        let narrow = try authority.issue(commonName: "narrow", dnsNames: ["one.test"])
        let compiled = store.compile(
            [
                source("default/good", ["good.test"], good),
                source("default/garbage", ["garbage.test"], chain: "-----BEGIN CERTIFICATE-----\nnot base64\n-----END CERTIFICATE-----\n", key: good.keyPEM),
                source("default/badkey", ["badkey.test"], chain: good.chainPEM, key: "-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n"),
                source("default/mismatch", ["mismatch.test"], chain: mismatched.chainPEM, key: TestCertificateAuthority.unrelatedKeyPEM()),
                source("default/expired", ["expired.test"], expired),
                source("default/narrow", ["one.test", "two.test"], narrow),
            ],
            defaultCertificate: nil, now: Date()
        )
        #expect(compiled.problems.map(\.description) == [
            "Secret default/badkey: tls.key holds no readable RSA or ECDSA private key (PKCS#1, PKCS#8 or SEC1 PEM); its hosts get the default certificate",
            "Secret default/expired: the certificate expired at \(expired.notValidAfter.formatted(.iso8601)); its hosts get the default certificate",
            "Secret default/garbage: tls.crt holds no readable PEM certificate; its hosts get the default certificate",
            "Secret default/mismatch: tls.key does not match the certificate in tls.crt; its hosts get the default certificate",
            "Secret default/narrow: the certificate does not cover host \"two.test\" (no matching subject alternative name); that host gets the default certificate",
        ])
        let set = compiled.set
        #expect(servedName(set, "good.test") == "default/good")
        #expect(servedName(set, "one.test") == "default/narrow")
        for host in ["garbage.test", "badkey.test", "mismatch.test", "expired.test", "two.test"] {
            #expect(servedName(set, host) == "generated", "\(host)")
        }
    }

    @Test func badUpdateKeepsTheLastGoodCertificate() throws {
        let first = try authority.issue(commonName: "v1", dnsNames: ["web.test"])
        store.publish(store.compile([source("default/web", ["web.test"], first)], defaultCertificate: nil, now: Date()).set)

        let broken = store.compile(
            [source("default/web", ["web.test"], chain: first.chainPEM, key: TestCertificateAuthority.unrelatedKeyPEM())],
            defaultCertificate: nil, now: Date()
        )
        #expect(broken.problems.map(\.description) == [
            "Secret default/web: tls.key does not match the certificate in tls.crt; its last good certificate is still served"
        ])
        #expect(broken.set.certificate(forServerName: "web.test") === store.current.certificate(forServerName: "web.test"))

        // Translation found the Secret unusable (no material): the last good one stays too.
        let unusable = store.compile([source("default/web", ["web.test"], nil)], defaultCertificate: nil, now: Date())
        #expect(unusable.problems.isEmpty)
        #expect(servedName(unusable.set, "web.test") == "default/web")

        // A good update replaces it.
        let second = try authority.issue(commonName: "v2", dnsNames: ["web.test"])
        let rotated = store.compile([source("default/web", ["web.test"], second)], defaultCertificate: nil, now: Date())
        #expect(rotated.problems.isEmpty)
        #expect(rotated.set.certificate(forServerName: "web.test") !== store.current.certificate(forServerName: "web.test"))
    }

    @Test func unchangedMaterialIsNotParsedAgain() throws {
        let leaf = try authority.issue(commonName: "same", dnsNames: ["same.test"])
        store.publish(store.compile([source("default/same", ["same.test"], leaf)], defaultCertificate: nil, now: Date()).set)
        let again = store.compile([source("default/same", ["same.test"], leaf)], defaultCertificate: nil, now: Date())
        #expect(again.set.certificate(forServerName: "same.test") === store.current.certificate(forServerName: "same.test"))
    }

    @Test func defaultCertificateSecretReplacesTheGeneratedOne() throws {
        let leaf = try authority.issue(commonName: "fallback", dnsNames: ["fallback.test"])
        let compiled = store.compile([], defaultCertificate: source("ops/fallback", [], leaf), now: Date())
        #expect(compiled.problems.isEmpty)
        #expect(servedName(compiled.set, "anything.test") == "ops/fallback")
        #expect(servedName(compiled.set, nil) == "ops/fallback")

        let broken = store.compile(
            [], defaultCertificate: source("ops/fallback", [], chain: "garbage", key: "garbage"), now: Date()
        )
        #expect(servedName(broken.set, nil) == "generated")
        #expect(broken.problems.count == 1)
    }

    @Test func generatedDefaultSaysWhatItIs() throws {
        let certificate = store.generatedDefault
        #expect(certificate.secret == "generated")
        let year = certificate.notValidAfter.timeIntervalSince1970 - certificate.notValidBefore.timeIntervalSince1970
        #expect(year > 364 * 24 * 3600 && year < 367 * 24 * 3600)
    }
}
