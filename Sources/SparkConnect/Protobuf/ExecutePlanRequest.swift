/// `spark.connect.ExecutePlanRequest`, reduced to what desync sends: a plan
/// that is either a SQL query (a `Relation` with `SQL`) or a SQL command
/// (`Command.sql_command`).
///
/// Field numbers follow Spark 4.x `base.proto`, `commands.proto` and
/// `relations.proto`.
struct ExecutePlanRequest {
    /// What the plan does.
    enum Plan {
        /// `Plan.root = Relation { sql = SQL { query } }`: rows come back as Arrow.
        case query(String)
        /// `Plan.command = Command { sql_command = SqlCommand { input = Relation } }`:
        /// the statement runs at once on the server.
        case command(String)
    }

    var sessionID: String
    var userID: String
    var userName: String
    var operationID: String?
    var clientType: String
    var plan: Plan

    /// The message in protobuf wire format.
    func encoded() -> [UInt8] {
        var writer = ProtoWriter()
        writer.string(1, sessionID)
        writer.message(2) { user in
            user.string(1, userID)
            user.string(2, userName)
        }
        writer.message(3) { plan in
            switch self.plan {
            case .query(let sql):
                plan.message(1) { Self.writeSQLRelation(&$0, sql) }
            case .command(let sql):
                plan.message(2) { command in
                    command.message(5) { sqlCommand in
                        sqlCommand.message(6) { Self.writeSQLRelation(&$0, sql) }
                    }
                }
            }
        }
        writer.string(4, clientType)
        if let operationID { writer.string(6, operationID) }
        return writer.bytes
    }

    /// `Relation { sql (10) = SQL { query (1) } }`.
    private static func writeSQLRelation(_ relation: inout ProtoWriter, _ sql: String) {
        relation.message(10) { $0.string(1, sql) }
    }
}
