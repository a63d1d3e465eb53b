/// Small manifests the tests write; each a function so that a test shows what differs.
enum Manifests {
    static func service(_ name: String, port: String = "80", namespace: String? = nil) -> String {
        """
        apiVersion: v1
        kind: Service
        metadata:
          name: \(name)
        \(namespace.map { "  namespace: \($0)" } ?? "")
        spec:
          ports:
            - name: http
              port: \(port)
        """
    }

    static func ingress(_ name: String, host: String = "example.com", serviceName: String = "web") -> String {
        """
        apiVersion: networking.k8s.io/v1
        kind: Ingress
        metadata:
          name: \(name)
        spec:
          rules:
            - host: \(host)
              http:
                paths:
                  - path: /
                    pathType: Prefix
                    backend:
                      service:
                        name: \(serviceName)
                        port:
                          number: 80
        """
    }
}
