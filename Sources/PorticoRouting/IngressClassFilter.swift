internal import PorticoModel

/// Keeps the Ingresses this controller serves, oldest first. Ingresses of other classes are
/// someone else's and are dropped without a diagnostic.
///
/// An Ingress is ours when:
/// - `spec.ingressClassName` is our class, and the IngressClass of that name, if it exists,
///   names our controller (a missing IngressClass is accepted by name, as local mode rarely
///   ships one);
/// - otherwise, the older annotation `kubernetes.io/ingress.class` is our class;
/// - otherwise (no class at all), `watchIngressWithoutClass` is set, or an IngressClass with
///   our controller is annotated as the cluster default.
struct IngressClassFilter: TranslationProcessor {
    static let classAnnotation = "kubernetes.io/ingress.class"

    func run(_ state: inout TranslationState) {
        let options = state.options
        let classes = state.snapshot.ingressClasses
        let acceptsClassless = options.watchIngressWithoutClass || classes.values.contains { sourced in
            sourced.object.spec?.controller == options.controllerName
                && sourced.object.metadata.annotations?[IngressClass.isDefaultClassAnnotation] == "true"
        }
        // The snapshot's Ingresses come in no order; precedence (age, then namespace/name) is a
        // total order, so the sort alone decides the order every later step sees.
        state.ingresses = state.snapshot.ingresses.values
            .filter { Self.isOurs($0.object, options: options, classes: classes, acceptsClassless: acceptsClassless) }
            .map { (precedence: IngressPrecedence($0), ingress: $0) }
            .sorted { $0.precedence < $1.precedence }
            .map(\.ingress)
    }

    static func isOurs(
        _ ingress: Ingress,
        options: TranslationOptions,
        classes: [String: SourcedObject<IngressClass>],
        acceptsClassless: Bool
    ) -> Bool {
        if let className = ingress.spec?.ingressClassName, !className.isEmpty {
            guard className == options.ingressClass else { return false }
            guard let ingressClass = classes[className] else { return true }
            return ingressClass.object.spec?.controller == options.controllerName
        }
        if let annotated = ingress.metadata.annotations?[classAnnotation], !annotated.isEmpty {
            return annotated == options.ingressClass
        }
        return acceptsClassless
    }
}
