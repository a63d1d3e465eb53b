/// YAML for a folder of manifests, as a user would write it: what the end-to-end tests and the
/// tests of the `portico` executable feed Portico in local mode.
public enum ManifestYAML {
    /// A Service named `name` in `default` with one EndpointSlice pointing at `port` on 127.0.0.1.
    public static func service(_ name: String, port: Int) -> String {
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

        """
    }

    /// An Ingress of class portico with one rule per (host, path, service).
    public static func ingress(_ name: String, rules: [(host: String, path: String, service: String)], pathType: String = "Prefix") -> String {
        var text = """
            apiVersion: networking.k8s.io/v1
            kind: Ingress
            metadata: {name: \(name), namespace: default}
            spec:
              ingressClassName: portico
              rules:

            """
        for rule in rules {
            text += """
                  - host: \(rule.host)
                    http:
                      paths:
                        - path: \(rule.path)
                          pathType: \(pathType)
                          backend:
                            service: {name: \(rule.service), port: {number: 80}}

                """
        }
        return text
    }

    /// A Service `name` (with its EndpointSlice on 127.0.0.1:`port`) and an Ingress of the same
    /// name routing every path of `host` to it.
    public static func route(_ name: String, host: String, port: Int) -> String {
        service(name, port: port) + "---\n" + ingress(name, rules: [(host, "/", name)])
    }
}
