/// One concern of translation, run in a fixed order over shared state, as Contour's DAG
/// builder runs its processors: each step reads what earlier steps produced and adds its part.
protocol TranslationProcessor {
    func run(_ state: inout TranslationState)
}
