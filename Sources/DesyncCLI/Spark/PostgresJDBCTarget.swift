import Desync
import Foundation
import SparkConnect

/// Turns a libpq connection string (`postgresql://` URI or `key=value`
/// pairs) into what Spark's JDBC writer needs: a `jdbc:postgresql://` URL
/// and the user and password as separate options.
///
/// The host is used as written: the Spark cluster, not this machine, opens
/// the connection, so it must be a name the cluster can resolve (a Unix
/// socket path cannot work and is replaced by `localhost`).
enum PostgresJDBCTarget {
    static func make(
        conninfo: String, environment: [String: String] = ProcessInfo.processInfo.environment
    ) throws -> DesyncSparkJob.JDBCTarget {
        var fields: [String: String] = [:]
        if conninfo.hasPrefix("postgresql://") || conninfo.hasPrefix("postgres://") {
            fields = try uriFields(conninfo)
        } else {
            fields = keyValueFields(conninfo)
        }
        var host = fields["host"] ?? environment["PGHOST"] ?? "localhost"
        if host.hasPrefix("/") || host.isEmpty { host = "localhost" }
        if host.contains(":"), !host.hasPrefix("[") { host = "[\(host)]" }
        let port = fields["port"] ?? environment["PGPORT"] ?? "5432"
        let user = fields["user"] ?? environment["PGUSER"] ?? environment["USER"] ?? "postgres"
        let database = fields["dbname"] ?? environment["PGDATABASE"] ?? user
        let password = fields["password"] ?? environment["PGPASSWORD"] ?? ""
        let encodedDatabase =
            database.addingPercentEncoding(withAllowedCharacters: .urlPathAllowed) ?? database
        return DesyncSparkJob.JDBCTarget(
            url: "jdbc:postgresql://\(host):\(port)/\(encodedDatabase)", user: user,
            password: password)
    }

    /// `postgresql://user:password@host:port/dbname?key=value`.
    private static func uriFields(_ uri: String) throws -> [String: String] {
        guard let components = URLComponents(string: uri) else {
            throw DesyncError(
                .usage,
                "--db \(ConnectionString.redacted(uri)) is not a valid URI; use "
                    + "postgresql://user:password@host:port/database")
        }
        var fields: [String: String] = [:]
        if let user = components.user?.removingPercentEncoding, !user.isEmpty {
            fields["user"] = user
        }
        if let password = components.password?.removingPercentEncoding {
            fields["password"] = password
        }
        if let host = components.host?.removingPercentEncoding, !host.isEmpty {
            fields["host"] = host
        }
        if let port = components.port { fields["port"] = String(port) }
        let path = components.path.hasPrefix("/") ? String(components.path.dropFirst()) : ""
        if !path.isEmpty { fields["dbname"] = path.removingPercentEncoding ?? path }
        for item in components.queryItems ?? [] {
            if let value = item.value { fields[item.name] = value }
        }
        return fields
    }

    /// `host=h port=5432 dbname=d user=u password='p w'`.
    private static func keyValueFields(_ text: String) -> [String: String] {
        var fields: [String: String] = [:]
        var characters = Substring(text)
        func skipSpaces() { characters = characters.drop { $0 == " " || $0 == "\t" } }
        while true {
            skipSpaces()
            guard let equals = characters.firstIndex(of: "=") else { break }
            let key = characters[..<equals].trimmingCharacters(in: .whitespaces)
            characters = characters[characters.index(after: equals)...]
            skipSpaces()
            var value = ""
            if characters.first == "'" {
                characters = characters.dropFirst()
                while let c = characters.first, c != "'" {
                    characters = characters.dropFirst()
                    if c == "\\", let next = characters.first {
                        value.append(next)
                        characters = characters.dropFirst()
                    } else {
                        value.append(c)
                    }
                }
                characters = characters.dropFirst()
            } else {
                let end = characters.firstIndex { $0 == " " || $0 == "\t" } ?? characters.endIndex
                value = String(characters[..<end])
                characters = characters[end...]
            }
            fields[key] = value
        }
        return fields
    }
}
