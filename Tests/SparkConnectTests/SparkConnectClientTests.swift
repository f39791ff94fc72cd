import SparkConnect
import Testing

/// Round trips through a real Spark Connect server.
@Suite(.enabled(if: SparkTestServer.enabled, SparkTestServer.skipReason), .serialized)
struct SparkConnectClientTests {
    @Test func selectsEveryReadType() throws {
        let spark = try SparkTestServer.client()
        let table = try spark.sql(
            """
            SELECT CAST(id AS INT) AS i32, id AS i64, CAST(id AS DOUBLE) / 4 AS d,
                   CAST(id AS STRING) AS s, id % 2 = 0 AS b,
                   TIMESTAMP'2025-10-28 00:33:36.450004' AS ts,
                   CAST(NULL AS STRING) AS n
            FROM range(3)
            """)
        #expect(table.columnNames == ["i32", "i64", "d", "s", "b", "ts", "n"])
        #expect(table.rowCount == 3)
        #expect(table["i32"]?.values == .int32([0, 1, 2]))
        #expect(table["i64"]?.values == .int64([0, 1, 2]))
        #expect(table["d"]?.values == .double([0, 0.25, 0.5]))
        #expect(table["s"]?.values == .string(["0", "1", "2"]))
        #expect(table["b"]?.values == .bool([true, false, true]))
        #expect(table["n"]?.values == .string([nil, nil, nil]))
        guard case .timestamp(let micros, _) = table["ts"]?.values else {
            Issue.record("ts is not a timestamp: \(String(describing: table["ts"]))")
            return
        }
        #expect(micros == Array(repeating: 1_761_611_616_450_004, count: 3))
    }

    @Test func readsManyBatches() throws {
        let spark = try SparkTestServer.client()
        let table = try spark.sql(
            "SELECT id, CASE WHEN id % 3 = 0 THEN NULL ELSE id * 2 END AS twice "
                + "FROM range(0, 100000, 1, 4)")
        #expect(table.rowCount == 100_000)
        var sum: Int64 = 0
        var nulls = 0
        for row in 0..<table.rowCount {
            if let value = table["twice"]?.int(row) { sum += value } else { nulls += 1 }
        }
        #expect(nulls == 33_334)
        var expected: Int64 = 0
        for id in 0..<Int64(100_000) where id % 3 != 0 { expected += id * 2 }
        #expect(sum == expected)
    }

    @Test func temporaryViewsLiveInTheSession() throws {
        let spark = try SparkTestServer.client()
        try spark.execute("CREATE OR REPLACE TEMPORARY VIEW desync_probe AS SELECT 42 AS answer")
        #expect(try spark.sql("SELECT answer FROM desync_probe")["answer"]?.int(0) == 42)

        let other = try SparkTestServer.client()
        #expect(other.sessionID != spark.sessionID)
        let error = #expect(throws: SparkConnectError.self) {
            _ = try other.sql("SELECT answer FROM desync_probe")
        }
        #expect(error?.code == .server)
        #expect(error?.errorClass == "TABLE_OR_VIEW_NOT_FOUND")

        try spark.close()
        try spark.close()  // a second close does nothing
        let closed = #expect(throws: SparkConnectError.self) {
            _ = try spark.sql("SELECT answer FROM desync_probe")
        }
        #expect(closed?.code == .server)
        try other.close()
    }

    @Test func serverErrorsCarrySparkClassAndRedactSecrets() throws {
        let spark = try SparkTestServer.client()
        let error = #expect(throws: SparkConnectError.self) {
            try spark.execute(
                "CREATE TEMPORARY VIEW broken USING jdbc OPTIONS (url "
                    + "'jdbc:postgresql://u:hunter2@127.0.0.1:1/x?password=hunter2', "
                    + "dbtable 'nope', password 'hunter2') garbage")
        }
        #expect(error?.code == .server)
        #expect(error?.errorClass != nil)
        #expect(error?.description.contains("hunter2") == false)
    }

    @Test func unreachableServerSaysWhatToDo() throws {
        // Port 1 on loopback: nothing listens there in the test environment.
        let spark = try SparkConnectClient(remote: "sc://127.0.0.1:1", timeout: .seconds(20))
        let error = #expect(throws: SparkConnectError.self) { _ = try spark.sql("SELECT 1") }
        #expect(error?.code == .unreachable)
        #expect(error?.message.contains("cannot reach Spark Connect at sc://127.0.0.1:1") == true)
    }
}
