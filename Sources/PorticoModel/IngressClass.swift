/// networking.k8s.io/v1 IngressClass: names which controller owns Ingresses of a class.
public struct IngressClass: Codable, Hashable, Sendable {
    public var apiVersion: String?
    public var kind: String?
    public var metadata: ObjectMeta
    public var spec: Spec?

    public init(metadata: ObjectMeta, spec: Spec? = nil) {
        self.apiVersion = "networking.k8s.io/v1"
        self.kind = "IngressClass"
        self.metadata = metadata
        self.spec = spec
    }

    public struct Spec: Codable, Hashable, Sendable {
        public var controller: String?

        public init(controller: String? = nil) {
            self.controller = controller
        }
    }

    /// The annotation that makes a class the cluster default for Ingresses without a class.
    public static let isDefaultClassAnnotation = "ingressclass.kubernetes.io/is-default-class"
}
