import Desync
import DesyncTestSupport
import Foundation
import Testing

/// Validation while reading: each kind of bad line becomes exactly one
/// reject with the right reason, line number, a message naming the field
/// and the raw line, and the good lines around it still load.
@Suite struct RobustnessValidationTests {
    /// One bad line and what must become of it.
    struct Case: CustomTestStringConvertible, Sendable {
        var name: String
        var stream: Desync.Stream
        var line: [UInt8]
        var reason: String
        /// A word the message must contain (the field's name).
        var mentions: String

        init(
            _ name: String, _ stream: Desync.Stream, _ line: String, _ reason: String,
            _ mentions: String
        ) {
            self.init(name, stream, Array(line.utf8), reason, mentions)
        }

        init(
            _ name: String, _ stream: Desync.Stream, _ line: [UInt8], _ reason: String,
            _ mentions: String
        ) {
            self.name = name
            self.stream = stream
            self.line = line
            self.reason = reason
            self.mentions = mentions
        }

        var testDescription: String { name }
    }

    /// The bad lines use tick 100, which no good line uses.
    static func state(_ changes: [String: String?]) -> String { Telemetry.state(100, changes) }
    static func event(_ changes: [String: String?]) -> String { Telemetry.event(100, changes) }

    static let cases: [Case] = [
        Case(
            "malformed JSON", .serverState, "{\"state_id\": \"x\" \"ping\": 3}", "malformed_json",
            "expected"),
        Case("not an object", .playerEvents, "[1, 2, 3]", "malformed_json", "'{'"),
        Case(
            "trailing garbage", .serverState, state([:]) + " x", "malformed_json", "end of the line"
        ),
        Case("missing field", .serverState, state(["ping": nil]), "missing_field", "'ping'"),
        Case(
            "null field", .serverState, state(["packet_loss": "null"]), "missing_field",
            "'packet_loss'"),
        Case(
            "null event_id", .playerEvents, event(["event_id": "null"]), "missing_field",
            "'event_id'"),
        Case(
            "empty session", .playerEvents, event(["session_id": "\"\""]), "missing_field",
            "'session_id'"),
        Case("string for number", .serverState, state(["ping": "\"20\""]), "wrong_type", "'ping'"),
        Case(
            "string for coordinate", .playerEvents, event(["client_position_y": "\"2.5\""]),
            "wrong_type",
            "'client_position_y'"),
        Case(
            "number for string", .serverState, state(["session_id": "42"]), "wrong_type",
            "'session_id'"),
        Case("boolean for number", .serverState, state(["ping": "true"]), "wrong_type", "'ping'"),
        Case(
            "object for string", .playerEvents, event(["player_id": "{\"a\": 1}"]), "wrong_type",
            "'player_id'"),
        Case("fractional ping", .serverState, state(["ping": "20.5"]), "wrong_type", "'ping'"),
        Case(
            "NaN coordinate", .playerEvents, event(["client_position_x": "NaN"]), "non_finite",
            "'client_position_x'"),
        Case(
            "Infinity coordinate", .serverState, state(["server_position_z": "Infinity"]),
            "non_finite", "'server_position_z'"),
        Case(
            "-Infinity coordinate", .serverState, state(["server_position_y": "-Infinity"]),
            "non_finite", "'server_position_y'"),
        Case(
            "1e999 coordinate", .playerEvents, event(["client_position_z": "1e999"]), "non_finite",
            "'client_position_z'"),
        Case("1e999 ping", .serverState, state(["ping": "1e999"]), "non_finite", "'ping'"),
        Case(
            "NaN loss", .serverState, state(["packet_loss": "NaN"]), "non_finite", "'packet_loss'"),
        Case("ping -1", .serverState, state(["ping": "-1"]), "out_of_range", "ping"),
        Case("ping 60001", .serverState, state(["ping": "60001"]), "out_of_range", "ping"),
        Case(
            "ping 4294967295", .serverState, state(["ping": "4294967295"]), "out_of_range", "ping"),
        Case(
            "ping beyond Int64", .serverState, state(["ping": "99999999999999999999999"]),
            "out_of_range", "ping"),
        Case(
            "loss 1.5", .serverState, state(["packet_loss": "1.5"]), "out_of_range", "packet_loss"),
        Case(
            "loss -0.1", .serverState, state(["packet_loss": "-0.1"]), "out_of_range", "packet_loss"
        ),
        Case(
            "coordinate 2e9", .serverState, state(["server_position_x": "2e9"]), "out_of_range",
            "'server_position_x'"),
        Case(
            "coordinate -2e9", .playerEvents, event(["client_position_x": "-2e9"]), "out_of_range",
            "'client_position_x'"),
        Case(
            "timestamp words", .serverState, state(["timestamp": "\"yesterday\""]), "bad_timestamp",
            "'timestamp'"),
        Case(
            "timestamp date only", .playerEvents, event(["timestamp": "\"2025-10-28\""]),
            "bad_timestamp", "'timestamp'"),
        Case(
            "timestamp as number", .playerEvents, event(["timestamp": "1761609600"]), "wrong_type",
            "'timestamp'"),
        Case(
            "timestamp bad zone", .serverState,
            state(["timestamp": "\"2025-10-28T00:00:00+25:00\""]), "bad_timestamp", "'timestamp'"),
        Case(
            "timestamp ten fraction digits", .serverState,
            state(["timestamp": "\"2025-10-28T00:00:00.1234567891\""]), "bad_timestamp",
            "'timestamp'"),
        Case(
            "February 30", .playerEvents, event(["timestamp": "\"2025-02-30T10:00:00\""]),
            "bad_timestamp", "'timestamp'"),
        Case(
            "February 29 of 2023", .serverState, state(["timestamp": "\"2023-02-29T10:00:00\""]),
            "bad_timestamp", "'timestamp'"),
        Case(
            "month 13", .serverState, state(["timestamp": "\"2025-13-01T10:00:00\""]),
            "bad_timestamp", "'timestamp'"),
        Case(
            "hour 25", .playerEvents, event(["timestamp": "\"2025-10-28T25:00:00\""]),
            "bad_timestamp", "'timestamp'"),
        Case(
            "year 0", .playerEvents, event(["timestamp": "\"0000-01-01T00:00:00\""]),
            "bad_timestamp", "'timestamp'"),
        // A zone can push a valid local time out of the years a timestamp
        // column stores as text (0001 to 9999).
        Case(
            "beyond year 9999 in UTC", .serverState,
            state(["timestamp": "\"9999-12-31T23:59:59-05:00\""]), "bad_timestamp", "'timestamp'"),
        Case(
            "before year 1 in UTC", .playerEvents,
            event(["timestamp": "\"0001-01-01T00:00:00+05:00\""]), "bad_timestamp", "'timestamp'"),
        Case(
            "bad escape", .playerEvents, event(["player_id": "\"p\\x\""]), "malformed_json",
            "'player_id'"),
        // U+0000 is valid JSON but neither store can keep it in a text
        // column: SQLite cut the id at it, PostgreSQL refused the COPY.
        Case(
            "NUL in an id", .serverState, state(["session_id": "\"s1\\u0000x\""]), "invalid_text",
            "'session_id'"),
        Case(
            "invalid UTF-8", .playerEvents,
            Array(event(["player_id": "\"p1\""]).utf8.prefix(40)) + [0xC3, 0x28]
                + Array(" \"x\": 1}".utf8),
            "invalid_utf8", "UTF-8"),
        Case(
            "overlong UTF-8", .serverState,
            Array("{\"state_id\": \"".utf8) + [0xC0, 0xAF] + Array("\"}".utf8),
            "invalid_utf8", "UTF-8"),
    ]

    @Test(arguments: cases)
    func badLineIsRejectedAndItsNeighboursLoad(_ c: Case) throws {
        let (events, states) = TestInput.clean(5)
        var eventLines = Telemetry.file(events)
        var stateLines = Telemetry.file(states)
        // The bad line becomes line 3 of its stream.
        func insert(_ data: inout Data) {
            var lines = data.split(separator: 0x0A, omittingEmptySubsequences: false).map {
                Data($0)
            }
            lines.insert(Data(c.line), at: 2)
            data = Data(lines.joined(separator: [0x0A]))
        }
        if c.stream == .playerEvents { insert(&eventLines) } else { insert(&stateLines) }
        let input = try TestInput(events: eventLines, states: stateLines)
        let result = try input.run()

        let rejects = try StoredReject.all(try input.sqlite.open())
        try #require(rejects.count == 1, "\(rejects)")
        let r = rejects[0]
        #expect(r.stream == c.stream.rawValue)
        #expect(r.line == 3)
        #expect(r.reason == c.reason)
        #expect(r.message.contains(c.mentions), "\(r.message)")
        #expect(r.raw == String(decoding: c.line, as: UTF8.self))
        let l = result.ledger
        #expect(l.read[c.stream] == 6 && l.rejected[c.stream] == 1 && l.accepted[c.stream] == 5)
        #expect(l.rejectedByReason == [RejectReason(rawValue: c.reason)!: 1])
        #expect(l.joined == 5 && l.clientOnly == 0 && l.serverOnly == 0)
        #expect(l.balances)
    }

    @Test func truncatedLastLineWithoutNewlineIsOneReject() throws {
        let (events, states) = TestInput.clean(4)
        let cut = String(Telemetry.state(4).prefix(70))
        let stateText = states.map { $0 + "\n" }.joined() + cut  // no final newline
        let input = try TestInput(events: Telemetry.file(events), states: Data(stateText.utf8))
        let result = try input.run()
        let rejects = try StoredReject.all(try input.sqlite.open())
        #expect(rejects.map(\.line) == [5])
        #expect(rejects.map(\.reason) == ["malformed_json"])
        #expect(rejects.first?.raw == cut)
        #expect(result.ledger.accepted[.serverState] == 4 && result.ledger.joined == 4)
    }

    @Test func completeLastLineWithoutNewlineLoads() throws {
        let (events, states) = TestInput.clean(4)
        let text = states.joined(separator: "\n")
        let input = try TestInput(events: Telemetry.file(events), states: Data(text.utf8))
        let result = try input.run()
        #expect(result.ledger.read[.serverState] == 4 && result.ledger.rejected[.serverState] == 0)
        #expect(result.ledger.joined == 4)
    }

    @Test func crlfLinesAreAccepted() throws {
        let (events, states) = TestInput.clean(6)
        var crlf = states.map { $0 + "\r\n" }
        crlf[3] = "{\"ping\": 1\r\n"  // a bad one: its raw line holds no CR
        let input = try TestInput(
            events: Data(events.map { $0 + "\r\n" }.joined().utf8), states: Data(crlf.joined().utf8)
        )
        let result = try input.run()
        #expect(result.ledger.accepted[.playerEvents] == 6)
        #expect(result.ledger.accepted[.serverState] == 5)
        #expect(result.ledger.joined == 5)
        let rejects = try StoredReject.all(try input.sqlite.open())
        #expect(rejects.map(\.line) == [4] && rejects.first?.raw == "{\"ping\": 1")
        // The values of a CRLF line are exact: the last key's value holds no CR.
        let stored = try input.sqlite.open().query(
            "SELECT client_position_z FROM player_events ORDER BY timestamp LIMIT 1")
        #expect(stored[0][0] == "1.25")
    }

    @Test func blankLinesAreNotRowsAndKeepLineNumbers() throws {
        let (events, states) = TestInput.clean(4)
        let stateText = [
            states[0], "", "   ", states[1], "\t", states[2], "{oops}", states[3], "", "",
        ]
        .joined(separator: "\n")
        let input = try TestInput(events: Telemetry.file(events), states: Data(stateText.utf8))
        let result = try input.run()
        let l = result.ledger
        #expect(l.read[.serverState] == 5)  // 4 good and the bad one; blank lines are not rows
        // "", "   ", "\t" and the empty line before the end; the final
        // newline ends the last line and starts none.
        #expect(l.blankLines[.serverState] == 4)
        #expect(l.accepted[.serverState] == 4 && l.rejected[.serverState] == 1)
        #expect(l.balances)
        let rejects = try StoredReject.all(try input.sqlite.open())
        #expect(rejects.map(\.line) == [7])
        // The ledger row stores the blank lines next to the counts.
        let row = try input.sqlite.open().query(
            "SELECT server_state_read, server_state_blank_lines, player_events_blank_lines"
                + " FROM pipeline_runs")
        #expect(row == [["5", "4", "0"]])
    }

    @Test func lineOverTheLimitIsRejectedAndItsRawLineCut() throws {
        let (events, states) = TestInput.clean(3)
        let padding = String(repeating: "a", count: 5000)
        let long = Telemetry.state(100, ["comment": "\"\(padding)\""])
        let input = try TestInput(events: events, states: [states[0], long, states[1], states[2]])
        let result = try input.run(maxLineBytes: 1024)
        let rejects = try StoredReject.all(try input.sqlite.open())
        try #require(rejects.count == 1)
        #expect(rejects[0].line == 2 && rejects[0].reason == "line_too_long")
        #expect(
            rejects[0].message.contains("\(long.utf8.count) bytes")
                && rejects[0].message.contains("--max-line-bytes"))
        let kept = Validation.maxStoredRawBytes
        #expect(
            rejects[0].raw == String(long.prefix(kept))
                + " …[cut: \(long.utf8.count - kept) more bytes]")
        #expect(result.ledger.joined == 3)
        // The same line is fine under the default limit.
        let again = try input.run()
        #expect(again.ledger.rejected[.serverState] == 0)
    }

    @Test func longLineWithoutAnyNewlineDoesNotStopTheFile() throws {
        // A line larger than a read chunk, then good lines.
        let (events, states) = TestInput.clean(3)
        let huge = "{\"junk\": \"" + String(repeating: "z", count: 9 << 20) + "\"}"
        let input = try TestInput(events: events, states: [huge] + states)
        let result = try input.run()
        let rejects = try StoredReject.all(try input.sqlite.open())
        #expect(rejects.map(\.reason) == ["line_too_long"] && rejects.map(\.line) == [1])
        #expect(rejects.first.map { $0.raw.utf8.count < 2100 } == true)
        #expect(result.ledger.joined == 3)
    }

    /// A JSON array given for JSON Lines is one huge line: it is skipped
    /// in bounded memory (not held whole), still hashed, and the message
    /// says what the file is.
    @Test(arguments: [false, true])
    func jsonArrayLineIsSkippedHashedAndExplained(endsWithNewline: Bool) throws {
        let (events, states) = TestInput.clean(4)
        let array = "[" + Array(repeating: states[0], count: 60_000).joined(separator: ",") + "]"
        var text = [states[0], states[1], array, states[2], states[3]].joined(separator: "\n")
        if endsWithNewline { text += "\n" }
        let input = try TestInput(events: Telemetry.file(events), states: Data(text.utf8))
        var reader = StreamReader()
        reader.chunkBytes = 1 << 20
        var dimensions = Dimensions()
        let read = try reader.read(.serverState, path: input.statesPath, dimensions: &dimensions)
        #expect(read.rejects.map(\.lineNumber) == [3])
        #expect(read.rejects.first?.reason == .lineTooLong)
        #expect(read.rejects.first?.message.contains("line is \(array.utf8.count) bytes") == true)
        #expect(read.rejects.first?.message.contains("not a JSON array") == true)
        #expect(
            read.rejects.first?.rawLine.hasSuffix("[cut: \(array.utf8.count - 2048) more bytes]")
                == true)
        #expect(read.accepted == 4 && read.rowsRead == 5)
        let sum = ChildProcess.run("/usr/bin/sha256sum", [input.statesPath]).out.prefix(64)
        #expect(read.file.sha256 == String(sum))
    }

    @Test func byteOrderMarkAtTheStartIsNotPartOfTheFirstLine() throws {
        let (events, states) = TestInput.clean(3)
        let input = try TestInput(
            events: Data([0xEF, 0xBB, 0xBF]) + Telemetry.file(events),
            states: Data([0xEF, 0xBB, 0xBF]) + Telemetry.file(states))
        let result = try input.run()
        #expect(
            result.ledger.rejected[.playerEvents] == 0 && result.ledger.rejected[.serverState] == 0)
        #expect(result.ledger.joined == 3)
        let sum = ChildProcess.run("/usr/bin/sha256sum", [input.eventsPath]).out.prefix(64)
        #expect(result.ledger.inputs.first { $0.stream == .playerEvents }?.sha256 == String(sum))
        // Elsewhere a byte order mark is a malformed line.
        let inside = try TestInput(
            events: events, states: [states[0], "\u{FEFF}" + states[1], states[2]])
        #expect(try inside.run().ledger.rejectedByReason == [.malformedJSON: 1])
    }

    @Test func unknownKeysAndAnyKeyOrderAreAccepted() throws {
        let line =
            "{\"ping\": 30, \"extra\": [1, {\"a\": null}], \"packet_loss\": 0.5,"
            + " \"server_position_z\": 1.25, \"server_position_y\": 2.5, \"server_position_x\": 0.0,"
            + " \"timestamp\": \"\(Telemetry.time(0))\", \"player_id\": \"p1\", \"session_id\": \"s1\","
            + " \"state_id\": \"s-0\"}"
        let input = try TestInput(events: [Telemetry.event(0)], states: [line])
        let result = try input.run()
        #expect(result.ledger.joined == 1 && result.ledger.rejected[.serverState] == 0)
    }

    @Test func oneRejectPerBadLineOverManyChunks() throws {
        // Bad lines spread over a file read in several chunks keep their
        // exact line numbers.
        var states: [String] = []
        var expected: [Int64] = []
        for i in 0..<40_000 {
            if i % 997 == 13 {
                states.append(Telemetry.state(i, ["ping": "-5"]))
                expected.append(Int64(i + 1))
            } else {
                states.append(Telemetry.state(i))
            }
        }
        let events = (0..<40_000).map { Telemetry.event($0) }
        let input = try TestInput(events: events, states: states)
        var reader = StreamReader()
        reader.chunkBytes = 1 << 16
        var dimensions = Dimensions()
        let read = try reader.read(.serverState, path: input.statesPath, dimensions: &dimensions)
        #expect(read.rejects.map(\.lineNumber) == expected)
        #expect(read.rejects.allSatisfy { $0.reason == .outOfRange })
        #expect(read.accepted == Int64(40_000 - expected.count))
    }
}
