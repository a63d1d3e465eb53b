import Foundation

/// A temporary manifest folder for runs of the executable.
struct LocalFolder {
    let url: URL

    init(_ files: [String: String]) throws {
        url = FileManager.default.temporaryDirectory.appendingPathComponent("portico-deploy-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        for (name, text) in files {
            try text.write(to: url.appendingPathComponent(name), atomically: true, encoding: .utf8)
        }
    }

    func remove() { try? FileManager.default.removeItem(at: url) }

    /// A Service `name` in `default` with one ready endpoint on 127.0.0.1:`port`, and an Ingress
    /// routing `host` to it.
    static func route(_ name: String, host: String, port: Int) -> String {
        """
        apiVersion: v1
        kind: Service
        metadata: {name: \(name), namespace: default}
        spec:
          ports: [{name: http, port: 80}]
        ---
        apiVersion: discovery.k8s.io/v1
        kind: EndpointSlice
        metadata:
          name: \(name)-1
          namespace: default
          labels: {kubernetes.io/service-name: \(name)}
        addressType: IPv4
        ports: [{name: http, port: \(port)}]
        endpoints:
          - addresses: ["127.0.0.1"]
            conditions: {ready: true}
        ---
        apiVersion: networking.k8s.io/v1
        kind: Ingress
        metadata: {name: \(name), namespace: default}
        spec:
          ingressClassName: portico
          rules:
            - host: \(host)
              http:
                paths:
                  - path: /
                    pathType: Prefix
                    backend:
                      service: {name: \(name), port: {number: 80}}

        """
    }
}
