import Foundation
internal import Yams

/// Reads a kubeconfig file (`~/.kube/config`, `--kubeconfig PATH`) into a
/// `KubeClientConfiguration` for one context: the current one, or the one named.
///
/// Supported: certificate-authority (a path, relative to the kubeconfig's folder) and
/// certificate-authority-data, client-certificate/-key and their -data forms, token,
/// tokenFile, insecure-skip-tls-verify, and the context's namespace. Not supported, refused
/// with an error that says so: exec credential plugins and auth-provider (cloud CLIs); merged
/// `KUBECONFIG` lists of several files. Unknown fields are ignored, as kubectl does.
public enum KubeconfigLoader {
    /// Loads `path` and resolves `context` (nil: `current-context`). Every error is a
    /// `KubeAPIError` of kind `configuration` naming the file and the field at fault.
    public static func load(path: String, context: String? = nil, userAgent: String = "portico") throws -> KubeClientConfiguration {
        guard let bytes = FileManager.default.contents(atPath: path) else {
            throw configurationError(path, "cannot read the file (missing or unreadable)")
        }
        let file: KubeconfigFile
        do {
            file = try YAMLDecoder().decode(KubeconfigFile.self, from: bytes)
        } catch {
            throw configurationError(path, "is not a valid kubeconfig: \(error)")
        }
        let folder = URL(fileURLWithPath: path).deletingLastPathComponent().path
        return try Resolver(path: path, folder: folder, file: file).configuration(context: context, userAgent: userAgent)
    }

    static func configurationError(_ path: String, _ message: String) -> KubeAPIError {
        KubeAPIError(kind: .configuration, message: "kubeconfig \(path): \(message)")
    }

    /// Resolves one context of a decoded file into a configuration, reading the files it names.
    private struct Resolver {
        let path: String
        let folder: String
        let file: KubeconfigFile

        func configuration(context requested: String?, userAgent: String) throws -> KubeClientConfiguration {
            guard let contextName = requested ?? nonEmpty(file.currentContext) else {
                throw configurationError(path, "no current-context is set; pass --context NAME")
            }
            guard let context = file.contexts?.first(where: { $0.name == contextName })?.context else {
                let known = (file.contexts ?? []).map(\.name).joined(separator: ", ")
                throw configurationError(path, "context \"\(contextName)\" is not defined (contexts: \(known.isEmpty ? "none" : known))")
            }
            guard let clusterName = nonEmpty(context.cluster) else {
                throw configurationError(path, "context \"\(contextName)\" names no cluster")
            }
            guard let cluster = file.clusters?.first(where: { $0.name == clusterName })?.cluster else {
                throw configurationError(path, "cluster \"\(clusterName)\" of context \"\(contextName)\" is not defined")
            }
            guard let server = nonEmpty(cluster.server) else {
                throw configurationError(path, "cluster \"\(clusterName)\" has no server")
            }
            guard server.hasPrefix("https://") || server.hasPrefix("http://") else {
                throw configurationError(path, "server \"\(server)\" of cluster \"\(clusterName)\" is not an http(s) URL")
            }
            var configuration = KubeClientConfiguration(
                server: server.hasSuffix("/") ? String(server.dropLast()) : server,
                insecureSkipTLSVerify: cluster.insecureSkipTLSVerify ?? false,
                namespace: nonEmpty(context.namespace),
                userAgent: userAgent
            )
            if let data = nonEmpty(cluster.certificateAuthorityData) {
                configuration.certificateAuthorityPEM = try decodeBase64(data, field: "certificate-authority-data of cluster \"\(clusterName)\"")
                configuration.certificateAuthoritySource = "certificate-authority-data of cluster \"\(clusterName)\" in \(path)"
            } else if let caPath = nonEmpty(cluster.certificateAuthority) {
                let resolved = resolve(caPath)
                configuration.certificateAuthorityPEM = try read(resolved, field: "certificate-authority of cluster \"\(clusterName)\"")
                configuration.certificateAuthoritySource = resolved
            }
            if let userName = nonEmpty(context.user) {
                guard let user = file.users?.first(where: { $0.name == userName })?.user else {
                    throw configurationError(path, "user \"\(userName)\" of context \"\(contextName)\" is not defined")
                }
                try apply(user: user, named: userName, to: &configuration)
            }
            return configuration
        }

        private func apply(user: KubeconfigFile.User, named name: String, to configuration: inout KubeClientConfiguration) throws {
            if user.exec != nil {
                throw configurationError(path, "user \"\(name)\" uses an exec credential plugin; exec credential plugins are not supported; use a token, tokenFile or client certificate")
            }
            if user.authProvider != nil {
                throw configurationError(path, "user \"\(name)\" uses an auth-provider; auth providers are not supported; use a token, tokenFile or client certificate")
            }
            if user.username != nil || user.password != nil {
                throw configurationError(path, "user \"\(name)\" uses basic authentication (username/password), which Kubernetes removed; use a token, tokenFile or client certificate")
            }
            if let token = nonEmpty(user.token) {
                configuration.bearerToken = .literal(token.trimmingCharacters(in: .whitespacesAndNewlines))
            } else if let tokenFile = nonEmpty(user.tokenFile) {
                configuration.bearerToken = .file(path: resolve(tokenFile))
            }
            let certificate = try material(data: user.clientCertificateData, file: user.clientCertificate, field: "client-certificate", user: name)
            let key = try material(data: user.clientKeyData, file: user.clientKey, field: "client-key", user: name)
            switch (certificate, key) {
            case (nil, nil):
                break
            case let ((certificatePEM, certificateSource)?, (keyPEM, _)?):
                configuration.clientCertificate = .init(certificatePEM: certificatePEM, keyPEM: keyPEM, source: certificateSource)
            case (_?, nil):
                throw configurationError(path, "user \"\(name)\" sets a client-certificate but no client-key")
            case (nil, _?):
                throw configurationError(path, "user \"\(name)\" sets a client-key but no client-certificate")
            }
        }

        /// The PEM of a `-data` field or of the file it names, with where it came from.
        private func material(data: String?, file: String?, field: String, user: String) throws -> (Data, String)? {
            if let data = nonEmpty(data) {
                let what = "\(field)-data of user \"\(user)\""
                return (try decodeBase64(data, field: what), "\(what) in \(path)")
            }
            if let file = nonEmpty(file) {
                let resolved = resolve(file)
                return (try read(resolved, field: "\(field) of user \"\(user)\""), resolved)
            }
            return nil
        }

        private func decodeBase64(_ text: String, field: String) throws -> Data {
            let compact = text.filter { !$0.isWhitespace }
            guard let data = Data(base64Encoded: compact), !data.isEmpty else {
                throw configurationError(path, "\(field) is not valid base64")
            }
            return data
        }

        private func read(_ file: String, field: String) throws -> Data {
            guard let data = FileManager.default.contents(atPath: file) else {
                throw configurationError(path, "\(field): cannot read \(file)")
            }
            return data
        }

        /// Paths in a kubeconfig are relative to the file's folder, as kubectl resolves them.
        private func resolve(_ file: String) -> String {
            file.hasPrefix("/") ? file : URL(fileURLWithPath: folder).appendingPathComponent(file).standardizedFileURL.path
        }

        private func nonEmpty(_ text: String?) -> String? {
            guard let text, !text.isEmpty else { return nil }
            return text
        }
    }
}
