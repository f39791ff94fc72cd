import Desync

extension RunCommand {
    /// `desync run --engine spark`: the whole job inside Spark.
    // FIXME: the Spark engine is being built; until then this says so.
    static func sparkRun(
        _ args: ParsedArguments, _ config: RunConfiguration, _ console: inout Console
    ) throws {
        throw DesyncError(.usage, "--engine spark is not available in this build yet; use --engine embedded")
    }
}
