import Testing

@testable import SparkConnect

/// The hand-written protobuf layer, against hand-built bytes and bytes
/// recorded from Spark 4.3.0 (no server needed).
struct ProtobufTests {
    static let varints: [(UInt64, [UInt8])] = [
        (0, [0x08, 0x00]), (1, [0x08, 0x01]), (127, [0x08, 0x7f]), (128, [0x08, 0x80, 0x01]),
        (300, [0x08, 0xac, 0x02]),
        (UInt64.max, [0x08, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01]),
    ]

    @Test(arguments: varints)
    func varintRoundTrip(value: UInt64, bytes: [UInt8]) throws {
        var writer = ProtoWriter()
        writer.varint(1, value)
        #expect(writer.bytes == bytes)
        var reader = ProtoReader(bytes)
        let field = try #require(try reader.next())
        #expect(field.number == 1)
        guard case .varint(let decoded) = field.value else {
            Issue.record("not a varint")
            return
        }
        #expect(decoded == value)
        #expect(try reader.next() == nil)
    }

    @Test func encodesAQueryRequestByHand() {
        let request = ExecutePlanRequest(
            sessionID: "s", userID: "u", userName: "n", operationID: "o", clientType: "c",
            plan: .query("SELECT 1"))
        let expected: [UInt8] =
            [0x0a, 0x01, 0x73]  // session_id = "s"
            + [0x12, 0x06, 0x0a, 0x01, 0x75, 0x12, 0x01, 0x6e]  // user_context
            // plan { root { sql (10) { query = "SELECT 1" } } }
            + [0x1a, 0x0e, 0x0a, 0x0c, 0x52, 0x0a, 0x0a, 0x08] + Array("SELECT 1".utf8)
            + [0x22, 0x01, 0x63]  // client_type = "c"
            + [0x32, 0x01, 0x6f]  // operation_id = "o"
        #expect(request.encoded() == expected)
    }

    @Test func encodesACommandAsSqlCommandInput() {
        let request = ExecutePlanRequest(
            sessionID: "s", userID: "u", userName: "u", operationID: nil, clientType: "c",
            plan: .command("SET x=1"))
        let sql = Array("SET x=1".utf8)
        // plan (3) { command (2) { sql_command (5) { input (6) { sql (10) { query (1) } } } } }
        let relation: [UInt8] = [0x52, UInt8(sql.count + 2), 0x0a, UInt8(sql.count)] + sql
        let sqlCommand: [UInt8] = [0x32, UInt8(relation.count)] + relation
        let command: [UInt8] = [0x2a, UInt8(sqlCommand.count)] + sqlCommand
        let plan: [UInt8] = [0x12, UInt8(command.count)] + command
        let encoded = request.encoded()
        let planField: [UInt8] = [0x1a, UInt8(plan.count)] + plan
        #expect(encoded.starts(with: [0x0a, 0x01, 0x73]))
        #expect(encoded.contains(planField))
    }

    @Test func skipsUnknownFieldsOfEveryWireType() throws {
        var bytes: [UInt8] = []
        bytes += [0x98, 0x06, 0x2a]  // field 99 varint 42
        bytes += [0x19] + Array(repeating: 0x11, count: 8)  // field 3 fixed64
        bytes += [0x35] + Array(repeating: 0x22, count: 4)  // field 6 fixed32
        bytes += [0x62, 0x03, 0x61, 0x62, 0x63]  // field 12 operation_id "abc"
        bytes += [0xfa, 0x3e, 0x02, 0x08, 0x01]  // field 999 message
        let response = try ExecutePlanResponse(decoding: bytes[...])
        #expect(response.operationID == "abc")
        #expect(response.arrowBatch == nil)
    }

    @Test(arguments: [
        [UInt8]([0x0a, 0x05, 0x61]),  // string longer than the buffer
        [0x08, 0x80],  // varint cut short
        [0x0b, 0x00],  // group start: unsupported
        [0x00, 0x01],  // field number 0
        [0x09, 0x00, 0x00],  // fixed64 cut short
    ])
    func rejectsMalformedInput(bytes: [UInt8]) {
        let error = #expect(throws: SparkConnectError.self) {
            _ = try ExecutePlanResponse(decoding: bytes[...])
        }
        #expect(error?.code == .protocolViolation)
    }

    @Test func decodesRecordedQueryResponses() throws {
        let responses = try RecordedSamples.queryResponses.map {
            try ExecutePlanResponse(decoding: $0[...])
        }
        #expect(responses.allSatisfy { $0.sessionID == "00112233-4455-6677-8899-aabbccddeeff" })
        let batches = responses.compactMap(\.arrowBatch)
        #expect(batches.count == 2)
        #expect(responses.map(\.arrowRowCount).reduce(0, +) == 3)
        #expect(!responses.contains { $0.isSQLCommandResult })
    }

    @Test func decodesRecordedCommandResponse() throws {
        let responses = try RecordedSamples.commandResponses.map {
            try ExecutePlanResponse(decoding: $0[...])
        }
        #expect(responses.contains { $0.isSQLCommandResult })
        #expect(responses.allSatisfy { $0.arrowBatch == nil })
    }

    @Test func decodesRecordedErrorStatus() throws {
        let status = try RPCStatus(decoding: RecordedSamples.tableNotFoundStatus[...])
        #expect(status.code == 13)
        #expect(status.message.hasPrefix("[TABLE_OR_VIEW_NOT_FOUND]"))
        #expect(status.reason == "org.apache.spark.sql.catalyst.ExtendedAnalysisException")
        #expect(status.metadata["errorClass"] == "TABLE_OR_VIEW_NOT_FOUND")
        #expect(status.metadata["sqlState"] == "42P01")
    }

    @Test func mapsAFailedCallToSparkConnectError() throws {
        let client = try SparkConnectClient(remote: "sc://127.0.0.1:1")
        let status = GRPCStatus(
            code: 13, details: "short", errorString: nil,
            trailers: [("grpc-status-details-bin", RecordedSamples.tableNotFoundStatus)])
        let error = client.mapError(
            status, sql: "SELECT * FROM t WHERE url = 'jdbc:postgresql://a:b@h/d?password=pw1'")
        #expect(error.code == .server)
        #expect(error.errorClass == "TABLE_OR_VIEW_NOT_FOUND")
        #expect(error.sqlState == "42P01")
        #expect(!error.description.contains("pw1"))
        #expect(!error.description.contains(":b@"))
    }

    static let secrets: [(String, String)] = [
        ("jdbc:postgresql://h/db?user=u&password=s3cret&ssl=true", "password=***&ssl"),
        ("OPTIONS (user 'u', password 's3cret')", "password '***'"),
        ("OPTIONS (password \"s3cret\")", "password '***'"),
        ("postgresql://alice:s3cret@db:5432/x", "alice:***@db"),
        ("PASSWORD = s3cret", "PASSWORD = ***"),
    ]

    @Test(arguments: secrets)
    func redactsSecrets(text: String, expected: String) {
        let redacted = SparkRedaction.redact(text)
        #expect(!redacted.contains("s3cret"))
        #expect(redacted.contains(expected))
    }

    static let remotes: [(String, String, Int, String?)] = [
        ("sc://127.0.0.1:15002", "127.0.0.1", 15002, nil),
        ("sc://spark.example", "spark.example", 15002, nil),
        ("sc://h:1/;user_id=ana;use_ssl=false", "h", 1, "ana"),
    ]

    @Test(arguments: remotes)
    func parsesRemotes(text: String, host: String, port: Int, user: String?) throws {
        let remote = try SparkRemote(parsing: text)
        #expect(remote.host == host)
        #expect(remote.port == port)
        #expect(remote.userID == user)
    }

    @Test(arguments: ["http://h:1", "sc://", "sc://h:0", "sc://h:x", "sc://h/;use_ssl=true"])
    func rejectsBadRemotes(text: String) {
        let error = #expect(throws: SparkConnectError.self) { _ = try SparkRemote(parsing: text) }
        #expect(error?.code == .invalidRemote)
    }
}
