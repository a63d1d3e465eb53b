internal import PorticoModel

/// Reads the controller ConfigMap (`--configmap`) into `TranslationState.settings`, before any
/// processor that uses it.
///
/// Without the option the built-in defaults apply silently; a ConfigMap that is named but
/// missing is a warning and the defaults apply, so that deleting it never stops routing.
struct ControllerSettingsProcessor: TranslationProcessor {
    func run(_ state: inout TranslationState) {
        guard let name = state.options.controllerConfigMap else { return }
        guard
            let (key, configMap, origin) = state.namedConfigMap(
                name, whenMissing: "does not exist, so the built-in defaults apply (--configmap)"
            )
        else { return }
        let (settings, problems) = ControllerSettings.parse(configMap.data ?? [:])
        var report = ObjectReport(object: key, origin: origin)
        for problem in problems {
            report.warning("data[\(problem.key)]", problem.message)
        }
        state.settings = settings
        state.diagnostics.append(contentsOf: report.diagnostics)
    }
}
