import Desync
import DesyncTestSupport
import Foundation
import Testing

/// Corrupts thousands of fixture lines at random (fixed seeds) and checks
/// that the pipeline never crashes, that the ledger adds up against counts
/// made here from the files and from the stored tables, and that no line
/// left intact is ever rejected.
@Suite struct RobustnessFuzzTests {
    /// What was done to a line, for the failure messages.
    enum Damage: CaseIterable {
        case cut, flipBytes, swapType, duplicate, dropKey, badNumber, badBytes, crlf, longLine,
            blank
    }

    /// A corrupted stream: its bytes and the 1-based lines changed or added.
    struct Corrupted {
        var bytes: [UInt8] = []
        var touched: Set<Int64> = []
        var lineCount: Int64 = 0
    }

    static func corrupt(_ lines: [[UInt8]], share: Double, seed: UInt64) -> Corrupted {
        var rng = RandomSource(seed: seed)
        var out = Corrupted()
        var pending: [(due: Int, line: [UInt8])] = []
        func emit(_ line: [UInt8], touched: Bool, crlf: Bool = false) {
            out.bytes += line + (crlf ? [0x0D, 0x0A] : [0x0A])
            out.lineCount += 1
            if touched { out.touched.insert(out.lineCount) }
        }
        func pick(_ n: Int) -> Int { Int(rng.next() % UInt64(max(n, 1))) }
        for (index, original) in lines.enumerated() {
            var line = original
            var crlf = false
            if rng.unit() < share {
                switch Damage.allCases[pick(Damage.allCases.count)] {
                case .cut:
                    line = Array(line.prefix(pick(line.count)))
                case .flipBytes:
                    for _ in 0...pick(3) {
                        var b = UInt8(truncatingIfNeeded: rng.next())
                        if b == 0x0A { b = 0x0B }  // keep one line one line
                        line[pick(line.count)] = b
                    }
                case .swapType:
                    // The first value after the k-th colon: a number gets
                    // quotes, a string loses them.
                    let colons = line.indices.filter { line[$0] == UInt8(ascii: ":") }
                    guard !colons.isEmpty else { break }
                    var at = colons[pick(colons.count)] + 1
                    while at < line.count && line[at] == 0x20 { at += 1 }
                    guard at < line.count else { break }
                    if line[at] == UInt8(ascii: "\"") {
                        line.remove(at: at)
                        if let close = line[at...].firstIndex(of: UInt8(ascii: "\"")) {
                            line.remove(at: close)
                        }
                    } else {
                        line.insert(UInt8(ascii: "\""), at: at)
                        let end = line[(at + 1)...].firstIndex {
                            $0 == UInt8(ascii: ",") || $0 == UInt8(ascii: "}")
                        }
                        line.insert(UInt8(ascii: "\""), at: end ?? line.count)
                    }
                case .duplicate:
                    pending.append((index + pick(50), original))
                    emit(line, touched: false)
                    continue
                case .dropKey:
                    let text = String(decoding: line, as: UTF8.self)
                    let parts = text.dropFirst().dropLast().components(separatedBy: ", \"")
                    guard parts.count > 1 else { break }
                    var kept = parts
                    kept.remove(at: pick(parts.count))
                    let body = kept.enumerated().map {
                        $0 == 0 || $1.hasPrefix("\"") ? $1 : "\"" + $1
                    }
                    line = Array(("{" + body.joined(separator: ", ") + "}").utf8)
                case .badNumber:
                    let values = [
                        "NaN", "Infinity", "-Infinity", "1e999", "-1", "4294967295", "1.5", "2e9",
                        "null", "\"\"", "true", "[]",
                    ]
                    let text = String(decoding: line, as: UTF8.self)
                    let keys = [
                        "ping", "packet_loss", "client_position_x", "server_position_y",
                        "timestamp", "player_id",
                    ]
                    let key = keys[pick(keys.count)]
                    guard let range = text.range(of: "\"\(key)\": ") else { break }
                    let rest = text[range.upperBound...]
                    let end = rest.firstIndex { $0 == "," || $0 == "}" } ?? rest.endIndex
                    line = Array(
                        (text[..<range.upperBound] + values[pick(values.count)] + text[end...]).utf8
                    )
                case .badBytes:
                    let junk: [[UInt8]] = [
                        [0xFF], [0xC3, 0x28], [0xED, 0xA0, 0x80], Array("\\u0000".utf8), [0x00],
                    ]
                    line.insert(contentsOf: junk[pick(junk.count)], at: pick(line.count))
                case .crlf:
                    crlf = true
                    emit(line, touched: false, crlf: true)
                    continue
                case .longLine:
                    line.insert(
                        contentsOf: Array(
                            "\"pad\": \"\(String(repeating: "x", count: 5000))\", ".utf8), at: 1)
                case .blank:
                    line = Array(repeating: 0x20, count: pick(4))
                }
                emit(line, touched: true, crlf: crlf)
            } else {
                emit(line, touched: false)
            }
            while let i = pending.firstIndex(where: { $0.due <= index }) {
                emit(pending.remove(at: i).line, touched: true)
            }
        }
        for p in pending { emit(p.line, touched: true) }
        return out
    }

    static func lines(_ path: String, limit: Int) throws -> [[UInt8]] {
        let data = try Data(contentsOf: URL(fileURLWithPath: path))
        return data.split(separator: 0x0A).prefix(limit).map { Array($0) }
    }

    /// Non-blank lines, counted here from the bytes: the rows the ledger
    /// must account for.
    static func rowsIn(_ bytes: [UInt8]) -> Int64 {
        var lines = bytes.split(separator: 0x0A, omittingEmptySubsequences: false)
        if bytes.last == 0x0A { lines.removeLast() }
        return Int64(
            lines.filter { line in line.contains { $0 != 0x20 && $0 != 0x09 && $0 != 0x0D } }.count)
    }

    @Test(arguments: [1, 2, 3, 4] as [UInt64])
    func corruptedFixtureNeverCrashesAndTheLedgerAddsUp(seed: UInt64) throws {
        let folder = Fixtures.folder("multi-50k")
        let events = Self.corrupt(
            try Self.lines(folder + "/player_events.jsonl", limit: 6000), share: 0.3, seed: seed)
        let states = Self.corrupt(
            try Self.lines(folder + "/server_state.jsonl", limit: 6000), share: 0.3,
            seed: seed + 100)
        #expect(events.touched.count > 1500 && states.touched.count > 1500)
        let input = try TestInput(
            events: Data(events.bytes), states: Data(states.bytes), label: "robust-fuzz")
        let result = try input.run(maxLineBytes: 4096)
        let l = result.ledger
        #expect(l.balances)

        let store = try input.sqlite.open()
        func count(_ sql: String) throws -> Int64 { Int64(try store.query(sql)[0][0] ?? "") ?? -1 }
        for (stream, corrupted, table) in [
            (Desync.Stream.playerEvents, events, "player_events"),
            (.serverState, states, "server_state"),
        ] {
            let name = stream.rawValue
            #expect(l.read[stream] == Self.rowsIn(corrupted.bytes), "\(name) read")
            #expect(
                l.read[stream]! == l.accepted[stream]! + l.rejected[stream]! + l.duplicates[stream]!
            )
            #expect(try count("SELECT count(*) FROM \(table)") == l.accepted[stream])
            #expect(
                try count(
                    "SELECT count(*) FROM rejected_records WHERE stream = '\(name)' AND reason <> 'duplicate'"
                ) == l.rejected[stream])
            #expect(
                try count(
                    "SELECT count(*) FROM rejected_records WHERE stream = '\(name)' AND reason = 'duplicate'"
                ) == l.duplicates[stream])
            // Each reject names a distinct line of the file...
            #expect(
                try count(
                    "SELECT count(DISTINCT line_number) FROM rejected_records WHERE stream = '\(name)'"
                ) == l.rejected[stream]! + l.duplicates[stream]!)
            #expect(
                try count("SELECT max(line_number) FROM rejected_records WHERE stream = '\(name)'")
                    <= corrupted.lineCount)
            // ...and no line left intact is rejected (it may repeat a
            // damaged line's id or key, and so be a duplicate).
            let rejectedLines = try store.query(
                "SELECT line_number FROM rejected_records WHERE stream = '\(name)' AND reason <> 'duplicate'"
            )
            .map { Int64($0[0]!)! }
            let wrongly = rejectedLines.filter { !corrupted.touched.contains($0) }
            #expect(wrongly.isEmpty, "\(name): intact lines rejected: \(wrongly.prefix(5))")
        }
        #expect(try count("SELECT count(*) FROM desync_events") == l.joined)
        #expect(
            try count("SELECT count(*) FROM unmatched_events WHERE stream = 'player_events'")
                == l.clientOnly)
        #expect(
            try count("SELECT count(*) FROM unmatched_events WHERE stream = 'server_state'")
                == l.serverOnly)
        #expect(l.accepted[.playerEvents] == l.joined + l.clientOnly)
        #expect(l.accepted[.serverState] == l.joined + l.serverOnly)
        // The damage reached every reason a line can have.
        for reason in [
            "malformed_json", "missing_field", "wrong_type", "non_finite", "out_of_range",
            "invalid_utf8", "line_too_long", "duplicate",
        ] {
            #expect(
                try count("SELECT count(*) FROM rejected_records WHERE reason = '\(reason)'") > 0,
                "\(reason)")
        }
    }

    /// The same damage through the built binary, with the default budget:
    /// a failed run (exit 65) that stored its ledger and rejects, never a
    /// crash.
    @Test func corruptedInputFailsTheBudgetCleanlyInAChildProcess() throws {
        let folder = Fixtures.folder("notebook-1000")
        let events = Self.corrupt(
            try Self.lines(folder + "/player_events.jsonl", limit: 1000), share: 0.5, seed: 9)
        let states = Self.corrupt(
            try Self.lines(folder + "/server_state.jsonl", limit: 1000), share: 0.5, seed: 10)
        let input = try TestInput(
            events: Data(events.bytes), states: Data(states.bytes), label: "robust-fuzz")
        let r = ChildProcess.desync([
            "run", "--input", input.folder, "--db", "sqlite:\(input.folder)/out.db",
        ])
        #expect(r.code == 65, "\(r.err)")
        #expect(!looksLikeACrash(r.err))
        let store = try input.sqlite.open()
        let ledger = try store.query(
            "SELECT status, player_events_read, player_events_accepted + player_events_rejected"
                + " + player_events_duplicates, server_state_read, server_state_accepted"
                + " + server_state_rejected + server_state_duplicates FROM pipeline_runs")
        try #require(ledger.count == 1)
        #expect(ledger[0][0] == "failed")
        #expect(ledger[0][1] == ledger[0][2] && ledger[0][3] == ledger[0][4])
        #expect(
            ledger[0][1] == "\(Self.rowsIn(events.bytes))"
                && ledger[0][3] == "\(Self.rowsIn(states.bytes))")
        #expect(try store.query("SELECT count(*) FROM desync_events")[0][0] == "0")
    }
}
