/// Continuous movement and a network that drives the error.
// FIXME: not built yet; generates nothing beyond the notebook model.
struct RealisticSimulator {
    var options: GenerateOptions

    func generate(
        events: JSONLinesWriter, states: JSONLinesWriter, progress: (Int64) -> Void
    ) throws {
        throw DesyncError(.usage, "--profile realistic is not available yet; use --profile notebook")
    }
}
