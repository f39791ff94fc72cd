import Foundation

/// Where results go, as given to `--db`.
public enum StoreLocation: Sendable, Equatable {
    case sqlite(path: String)
    /// A libpq connection string: a `postgresql://` URI or `key=value` pairs.
    case postgres(conninfo: String)

    /// `sqlite:PATH`, a plain path (SQLite), a `postgres://` or
    /// `postgresql://` URI, or libpq `key=value` pairs.
    public init(_ text: String) throws {
        if text.hasPrefix("sqlite:") {
            var path = String(text.dropFirst("sqlite:".count))
            if path.hasPrefix("//") { path.removeFirst(2) }
            guard !path.isEmpty else {
                throw DesyncError(
                    .usage, "--db sqlite: needs a file name, as in --db sqlite:desync.db")
            }
            self = .sqlite(path: path)
        } else if text.hasPrefix("postgresql://") || text.hasPrefix("postgres://") {
            self = .postgres(conninfo: text)
        } else if text.contains("=") {
            self = .postgres(conninfo: text)
        } else if text.contains("://") {
            throw DesyncError(
                .usage,
                "--db \(ConnectionString.redacted(text)): unknown scheme; use sqlite:PATH or"
                    + " postgresql://user@host:port/database")
        } else {
            self = .sqlite(path: text)
        }
    }

    /// Safe to print: any password is replaced by `***`.
    public var display: String {
        switch self {
        case .sqlite(let path): return "sqlite:\(path)"
        case .postgres(let conninfo): return ConnectionString.redacted(conninfo)
        }
    }

    public func open(logger: Logger = .silent) throws -> ResultStore {
        switch self {
        case .sqlite(let path): return try SQLiteStore(path: path)
        case .postgres(let conninfo): return try PostgresStore(conninfo: conninfo)
        }
    }

    /// Opens a store that must already hold results (for commands that
    /// only read): a missing SQLite file is an error, not a new empty file.
    public func openExisting(logger: Logger = .silent) throws -> ResultStore {
        // An empty file is what a run that failed before writing leaves
        // behind: it holds no results either.
        if case .sqlite(let path) = self,
            ((try? FileManager.default.attributesOfItem(atPath: path)[.size] as? Int) ?? 0) == 0
        {
            throw DesyncError(
                .input,
                "no database at '\(TerminalText.escaped(path))'; make one with desync run"
                    + " --input DIR --db sqlite:\(TerminalText.escaped(path))")
        }
        return try open(logger: logger)
    }
}

/// Hides passwords in connection strings before they reach any output.
public enum ConnectionString {
    /// Replaces the password in `scheme://user:password@host`, in
    /// `?password=` / `&password=` query parameters and in `password=`
    /// key-value pairs (quoted or not) with `***`.
    public static func redacted(_ text: String) -> String {
        var out = text
        if let scheme = out.range(of: "://") {
            let rest = out[scheme.upperBound...]
            let authorityEnd = rest.firstIndex(where: { $0 == "/" || $0 == "?" }) ?? rest.endIndex
            if let at = rest[..<authorityEnd].lastIndex(of: "@"),
                let colon = rest[..<at].firstIndex(of: ":")
            {
                out.replaceSubrange(out.index(after: colon)..<at, with: "***")
            }
        }
        return redactPasswordPairs(out)
    }

    private static func redactPasswordPairs(_ text: String) -> String {
        var out = ""
        var rest = Substring(text)
        while let r = rest.range(of: "password", options: .caseInsensitive) {
            out += rest[..<r.upperBound]
            rest = rest[r.upperBound...]
            let trimmed = rest.drop(while: { $0 == " " })
            guard trimmed.first == "=" else { continue }
            out += rest[..<trimmed.startIndex] + "="
            var value = trimmed.dropFirst().drop(while: { $0 == " " })
            if value.first == "'" {
                value = value.dropFirst()
                var i = value.startIndex
                while i < value.endIndex {
                    if value[i] == "\\" {
                        i = value.index(i, offsetBy: 2, limitedBy: value.endIndex) ?? value.endIndex
                        continue
                    }
                    if value[i] == "'" { break }
                    i = value.index(after: i)
                }
                rest =
                    i < value.endIndex ? value[value.index(after: i)...] : value[value.endIndex...]
            } else {
                let end = value.firstIndex(where: { $0 == " " || $0 == "&" }) ?? value.endIndex
                rest = value[end...]
            }
            out += "***"
        }
        return out + rest
    }
}
