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
        let ours = state.snapshot.ingresses.indices.filter { index in
            Self.isOurs(state.snapshot.ingresses[index].object, options: options, classes: classes, acceptsClassless: acceptsClassless)
        }
        state.ingresses = ours
            .map { (precedence: IngressPrecedence(state.snapshot.ingresses[$0]), index: $0) }
            .sorted { $0.precedence < $1.precedence }
            .map { state.snapshot.ingresses[$0.index] }
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
