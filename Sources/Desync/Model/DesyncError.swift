/// The one error type the pipeline throws to its callers.
///
/// `code` is what callers match on and what decides the process exit code;
/// `message` says what went wrong and what to do, naming the file, line,
/// table or database involved. Row values and passwords are never put in a
/// message: the callers that build these errors pass redacted locations.
public struct DesyncError: Error, CustomStringConvertible, Sendable {
    public enum Code: String, Sendable, CaseIterable {
        /// A command-line mistake: unknown option, malformed value.
        case usage
        /// The input is missing, unreadable, empty or not in the expected form.
        case input
        /// More rows were rejected than `--max-reject-rate` allows.
        case rejectBudget
        /// The database cannot be reached, refused the login, or failed.
        case database
        /// A table exists with columns the pipeline cannot write into.
        case schema
        /// Writing output files failed.
        case output
        /// The Spark engine failed.
        case engine
        /// A bug in desync itself.
        case internalError
    }

    public var code: Code
    public var message: String
    /// The lower-level error text (from SQLite, libpq, the OS), if any.
    public var cause: String?
    /// The ledger of a run that read its input and then failed its checks
    /// (the reject budget), so the command line can still report it.
    public var ledger: Ledger?

    public init(_ code: Code, _ message: String, cause: String? = nil) {
        self.code = code
        self.message = message
        self.cause = cause
    }

    public var description: String {
        guard let cause, !cause.isEmpty else { return message }
        return "\(message)\n  cause: \(cause)"
    }

    /// The process exit code for this error; the README documents the table.
    public var exitCode: Int32 {
        switch code {
        case .usage: return 64
        case .input: return 66
        case .rejectBudget: return 65
        case .database: return 69
        case .schema: return 78
        case .output: return 73
        case .engine: return 70
        case .internalError: return 70
        }
    }
}
