import DesyncCLI
import DesyncTestSupport
import Foundation
import Testing

@testable import Desync

/// CSV input: RFC 4180 quoting, headers in any order, and the same
/// validation and reasons as JSON Lines.
@Suite struct CSVInputTests {
    static let stateHeader =
        "ping,timestamp,session_id,player_id,state_id,server_position_x,server_position_y,"
        + "server_position_z,packet_loss"

    func read(
        _ text: String, _ stream: Desync.Stream = .serverState, chunkBytes: Int = 8 << 20,
        maxLineBytes: Int = 65_536
    ) throws -> StreamInput {
        let folder = temporaryFolder("csv")
        let path = folder + "/\(stream.rawValue).csv"
        try writeFile(path, text)
        var reader = StreamReader()
        reader.chunkBytes = chunkBytes
        reader.validation.maxLineBytes = maxLineBytes
        var dimensions = Dimensions()
        return try reader.read(stream, path: path, dimensions: &dimensions)
    }

    func reasons(_ input: StreamInput) -> [Int64: RejectReason] {
        Dictionary(uniqueKeysWithValues: input.rejects.map { ($0.lineNumber, $0.reason) })
    }

    @Test func quotedCommasDoubledQuotesNewlinesAndCRLF() throws {
        let text =
            Self.stateHeader + "\r\n"
            + "33,2025-10-28T00:00:00,\"s,1\",\"p \"\"one\"\"\",a1,1.5,2,3,0.05\r\n"
            + "\"34\",2025-10-28T00:00:01,\"s\r\n2\",p2,a2,\"1.25\",2,3,0\r\n"
            + "35,2025-10-28T00:00:02,s3,p3,a3,1,2,3,0.1\n"
        let input = try read(text)
        #expect(input.rejects.isEmpty, "\(input.rejects.map(\.message))")
        #expect(input.rowsRead == 3)
        let s = input.states
        #expect(s.ping == [33, 34, 35])
        #expect(s.x == [1.5, 1.25, 1])
        #expect(s.packetLoss == [0.05, 0, 0.1])
        // Physical lines: header 1, rows on 2, 3-4 and 5.
        #expect(s.line == [2, 3, 5])
        #expect(s.stateID[0] == "a1")
    }

    @Test func quotedValuesKeepTheirText() throws {
        let folder = temporaryFolder("csv")
        let path = folder + "/player_events.csv"
        try writeFile(
            path,
            "event_id,session_id,player_id,event_type,timestamp,client_position_x,"
                + "client_position_y,client_position_z,extra\n"
                + "e1,\"s,1\",\"p \"\"q\"\"\",\"multi\nline\",2025-10-28T00:00:00,1,2,3,ignored\n"
                + "e2,123,p,player_move,2025-10-28 00:00:01Z,-1.5e1,2,3,\n")
        var dimensions = Dimensions()
        let input = try StreamReader().read(.playerEvents, path: path, dimensions: &dimensions)
        #expect(input.rejects.isEmpty, "\(input.rejects.map(\.message))")
        #expect(dimensions.sessions.values == ["s,1", "123"])
        #expect(dimensions.players.values == ["p \"q\"", "p"])
        #expect(dimensions.eventTypes.values == ["multi\nline", "player_move"])
        #expect(input.events.x == [1, -15])
        #expect(input.events.line == [2, 4])
    }

    @Test func malformedRecordsAreRejectedWithTheirStartLine() throws {
        let text =
            Self.stateHeader + "\n"
            + "33,2025-10-28T00:00:00,s,p,a1,1,2,3,0\n"  // 2: good
            + "33,2025-10-28T00:00:01,s,p,a2,1,2,3\n"  // 3: 8 fields
            + "33,2025-10-28T00:00:02,s,p,a3,1,2,3,0,9\n"  // 4: 10 fields
            + "33,2025-10-28T00:00:03,s,p,\"a4\"x,1,2,3,0\n"  // 5: text after quote
            + "33,2025-10-28T00:00:04,s,p,a\"5,1,2,3,0\"\n"  // 6: stray quotes
            + "33,2025-10-28T00:00:05,s,p,a6,1,2,3,0\n"  // 7: good
            + "\n"  // 8: blank
            + "abc,2025-10-28T00:00:06,s,p,a7,1,2,3,0\n"  // 9: wrong type
            + "33,2025-10-28T00:00:07,s,p,a8,1,2,3,1.5\n"  // 10: out of range
            + "33,not-a-time,s,p,a9,1,2,3,0\n"  // 11: bad timestamp
            + "33,2025-10-28T00:00:09,s,,a10,1,2,3,0\n"  // 12: empty field
            + "33,2025-10-28T00:00:10,s,p,a11,NaN,2,3,0\n"  // 13: non-finite
            + "33,2025-10-28T00:00:11,s,p,\"a12,1,2,3,0\n"  // 14: quote never closes
        let input = try read(text)
        #expect(input.states.line == [2, 7])
        #expect(
            reasons(input) == [
                3: .malformedCSV, 4: .malformedCSV, 5: .malformedCSV, 6: .malformedCSV,
                9: .wrongType, 10: .outOfRange, 11: .badTimestamp, 12: .missingField,
                13: .nonFinite, 14: .malformedCSV,
            ])
        #expect(input.blankLines == 1)
        #expect(input.rowsRead == 12)
        let count = input.rejects.first { $0.lineNumber == 3 }!.message
        #expect(count == "record has 8 fields, the header has 9")
    }

    /// A quote that never closes costs one line: the line holding it is
    /// rejected and the lines it would have swallowed are read again.
    @Test(arguments: [40, 1 << 20])
    func unclosedQuoteCostsOneBoundedRecord(chunkBytes: Int) throws {
        var text = Self.stateHeader + "\n" + "33,2025-10-28T00:00:00,s,p,\"a0,1,2,3,0\n"
        for i in 1...6 { text += "33,2025-10-28T00:00:0\(i),s,p,a\(i),1,2,3,0\n" }
        let input = try read(text, chunkBytes: chunkBytes, maxLineBytes: 100)
        // Line 2 opens a quote that never closes: it alone is rejected, and
        // lines 3 to 8 load.
        #expect(reasons(input) == [2: .malformedCSV])
        #expect(input.states.line == [3, 4, 5, 6, 7, 8])
        #expect(input.rowsRead == 7)
    }

    @Test func missingOrRepeatedColumnNamesFileAndColumn() throws {
        let missing = Self.stateHeader.replacingOccurrences(of: ",packet_loss", with: "")
        #expect {
            try read(missing + "\n33,2025-10-28T00:00:00,s,p,a,1,2,3\n")
        } throws: { error in
            let e = error as! DesyncError
            return e.code == .input && e.message.contains("server_state.csv line 1")
                && e.message.contains("lacks column 'packet_loss'")
        }
        #expect {
            try read(Self.stateHeader + ",ping\n")
        } throws: { error in
            (error as! DesyncError).message.contains("names column 'ping' twice")
        }
    }

    /// Chunks are cut only between records, so any chunk size gives the
    /// same rows, rejects and line numbers.
    @Test(arguments: [16, 37, 100, 1 << 20])
    func chunkSizeDoesNotMatter(chunkBytes: Int) throws {
        var text = "\u{FEFF}" + Self.stateHeader + "\r\n"
        for i in 0..<60 {
            let session = i % 7 == 0 ? "\"s\n\(i),x\"" : "s\(i)"
            let ping = i % 11 == 5 ? "x" : "\(i)"
            text += "\(ping),2025-10-28T00:00:\(10 + i % 50),\(session),p,id\(i),1,2,3,0\r\n"
        }
        let reference = try read(text)
        let input = try read(text, chunkBytes: chunkBytes)
        #expect(reference.states.count == 55)
        #expect(input.states.line == reference.states.line)
        #expect(input.states.ping == reference.states.ping)
        #expect(reasons(input) == reasons(reference))
        #expect(input.rowsRead == 60)
        // The checksum covers the whole file, header included.
        let hasher = SHA256Hasher()
        Array(text.utf8).withUnsafeBytes { hasher.update($0) }
        #expect(input.file.sha256 == hasher.finish())
    }

    /// The notebook fixtures written as CSV (columns reversed, ids quoted,
    /// CRLF line ends) give exactly the summaries Spark computed.
    @Test(arguments: Fixtures.names)
    func fixtureAsCSVMatchesSpark(fixture: String) throws {
        let folder = temporaryFolder("csv-fixture")
        for stream in Desync.Stream.allCases {
            try Self.convert(
                Fixtures.folder(fixture) + "/\(stream.rawValue).jsonl",
                to: folder + "/\(stream.rawValue).csv")
        }
        let store = StoreLocation.sqlite(path: folder + "/out.db")
        let config = RunConfiguration(
            playerEventsPath: folder + "/player_events.csv",
            serverStatePath: folder + "/server_state.csv", store: store)
        let result = try Pipeline(configuration: config).run()
        let expected = try Fixtures.expected(fixture)
        #expect(result.joinedRows == expected.desync_events.rows)
        #expect(result.ledger.balances)
        #expect(try StoredResults(try store.open()).mismatches(expected) == [])
    }

    /// JSON Lines to CSV with Foundation's JSON parser, independent of ours.
    static func convert(_ jsonl: String, to csv: String) throws {
        let text = try String(contentsOfFile: jsonl, encoding: .utf8)
        var out = ""
        var columns: [String] = []
        for line in text.split(separator: "\n") where !line.isEmpty {
            let object = try JSONSerialization.jsonObject(with: Data(line.utf8)) as! [String: Any]
            if columns.isEmpty {
                columns = object.keys.sorted().reversed()
                out += columns.joined(separator: ",") + "\r\n"
            }
            out +=
                columns.map { key -> String in
                    let value = object[key]!
                    if let s = value as? String {
                        return key.hasSuffix("_id")
                            ? "\"" + s.replacingOccurrences(of: "\"", with: "\"\"") + "\"" : s
                    }
                    return "\(value)"
                }.joined(separator: ",") + "\r\n"
        }
        try writeFile(csv, out)
    }

    @Test func runFindsCSVInAFolderAndHonoursInputFormat() throws {
        let folder = temporaryFolder("csv-cli")
        for stream in Desync.Stream.allCases {
            try Self.convert(
                Fixtures.folder("notebook-1000") + "/\(stream.rawValue).jsonl",
                to: folder + "/\(stream.rawValue).csv")
        }
        func run(_ arguments: [String]) -> (Int32, String, String) {
            let capture = Console.Capture()
            let code = CLI.main(arguments, console: .capturing(capture))
            return (code, capture.out, capture.err)
        }
        let db = "sqlite:\(folder)/x.db"
        let r = run(["run", "--input", folder, "--db", db, "--quiet"])
        #expect(r.0 == 0, "\(r.2)")
        #expect(
            r.1.contains(
                "high                            5.1338                 135                   19"))

        try FileManager.default.moveItem(
            atPath: folder + "/server_state.csv", toPath: folder + "/server_state.txt")
        let events = folder + "/player_events.csv"
        let states = folder + "/server_state.txt"
        let wrong = run(["run", "--player-events", events, "--server-state", states, "--db", db])
        #expect(wrong.0 == 65)  // read as JSON Lines: every row rejected
        let right = run([
            "run", "--player-events", events, "--server-state", states, "--db", db,
            "--input-format", "csv", "--quiet",
        ])
        #expect(right.0 == 0, "\(right.2)")
        let bad = run(["run", "--input", folder, "--input-format", "xml", "--db", db])
        #expect(bad.0 == 64 && bad.2.contains("--input-format must be auto, jsonl or csv"))
    }
}
