/// Removes secrets from text that may end up in an error or a log: SQL sent
/// to Spark, JDBC URLs, and server messages that echo either.
///
/// Covered forms: `password=...` (URL query or key=value), `password '...'`
/// and `password "..."` (SQL `OPTIONS`), and `user:secret@` in URLs.
public enum SparkRedaction {
    /// The text with every recognised secret replaced by `***`.
    public static func redact(_ text: String) -> String {
        var result = text
        // key=value and URL query form; the value ends at &, ;, space or a quote.
        result.replace(#/(?i)(password\s*=\s*)[^&;\s'"]+/#) { match in
            "\(match.output.1)***"
        }
        // SQL OPTIONS form: password 'secret' or password "secret" (also `password`).
        result.replace(#/(?i)(`?password`?\s+)('(?:[^'\\]|\\.|'')*'|"(?:[^"\\]|\\.)*")/#) {
            match in "\(match.output.1)'***'"
        }
        // userinfo in a URL: scheme://user:secret@host
        result.replace(#/(://[^:/@\s]+:)[^@/\s]+@/#) { match in
            "\(match.output.1)***@"
        }
        return result
    }
}
