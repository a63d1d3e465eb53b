internal import PorticoModel

extension TranslationState {
    /// The ConfigMap an option names, with its key and where it came from. When it does not
    /// exist this reports a warning against its key saying what follows (`whenMissing`) and
    /// returns nil: a missing ConfigMap never stops routing.
    mutating func namedConfigMap(
        _ name: NamespacedName,
        whenMissing: String
    ) -> (key: ObjectKey, configMap: ConfigMap, origin: Origin)? {
        let key = ObjectKey(kind: .configMap, name: name)
        guard let sourced = self.snapshot.objects[key], case .configMap(let configMap) = sourced.resource else {
            self.diagnostics.append(
                Diagnostic(severity: .warning, object: key, origin: .apiServer, field: "", message: whenMissing)
            )
            return nil
        }
        return (key, configMap, sourced.origin)
    }
}
