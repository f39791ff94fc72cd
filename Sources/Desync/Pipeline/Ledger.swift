/// The reconciliation ledger of one run: where every input row went.
///
/// For each stream, read = accepted + rejected + duplicates; and
/// accepted = joined + unmatched on each side.
public struct Ledger: Sendable {
    public var runID: String
    public var startedAt: Timestamp
    public var finishedAt: Timestamp
    public var status: String = "running"
    public var engine: String = "embedded"
    public var mode: WriteMode = .replace
    public var inputs: [InputFile] = []
    public var fingerprint: String = ""
    public var read: [Stream: Int64] = [:]
    public var accepted: [Stream: Int64] = [:]
    public var rejected: [Stream: Int64] = [:]
    public var duplicates: [Stream: Int64] = [:]
    /// Lines holding only spaces or tabs: not rows, so outside the sums.
    public var blankLines: [Stream: Int64] = [:]
    public var rejectedByReason: [RejectReason: Int64] = [:]
    public var joined: Int64 = 0
    public var clientOnly: Int64 = 0
    public var serverOnly: Int64 = 0
    public var options: String = ""
    public var message: String = ""
    public var joinMode: JoinMode = .exact
    /// The nearest join's tolerance in ms; 0 for the exact join.
    public var toleranceMs: Double = 0
    /// Unmatched rows with no partner within the tolerance; nil when the
    /// engine does not count them.
    public var clientOutsideTolerance: Int64?
    public var serverOutsideTolerance: Int64?

    public init(runID: String, startedAt: Timestamp) {
        self.runID = runID
        self.startedAt = startedAt
        self.finishedAt = startedAt
    }

    /// True when the counts account for every row.
    public var balances: Bool {
        Stream.allCases.allSatisfy { s in
            read[s, default: 0]
                == accepted[s, default: 0] + rejected[s, default: 0] + duplicates[s, default: 0]
        }
            && accepted[.playerEvents, default: 0] == joined + clientOnly
            && accepted[.serverState, default: 0] == joined + serverOnly
            && (clientOutsideTolerance ?? 0) <= clientOnly
            && (serverOutsideTolerance ?? 0) <= serverOnly
    }

    /// The inputs as a JSON array, for `pipeline_runs.inputs`.
    public var inputsJSON: String {
        "["
            + inputs.map {
                "{\"stream\":\"\($0.stream.rawValue)\",\"path\":\(JSONText.quoted($0.path)),"
                    + "\"bytes\":\($0.bytes),\"sha256\":\"\($0.sha256)\"}"
            }.joined(separator: ",") + "]"
    }

    public var rejectedByReasonJSON: String {
        "{"
            + rejectedByReason.keys.sorted().map {
                "\"\($0.rawValue)\":\(rejectedByReason[$0]!)"
            }.joined(separator: ",") + "}"
    }

    /// The ledger row of `pipeline_runs`.
    public var row: TableRows {
        let ledger = self
        return TableRows(Tables.pipelineRuns, count: 1) { _, sink in
            sink.text(ledger.runID)
            sink.timestamp(ledger.startedAt.microseconds)
            sink.timestamp(ledger.finishedAt.microseconds)
            sink.text(ledger.status)
            sink.text(ledger.engine)
            sink.text(ledger.mode.rawValue)
            sink.text(ledger.fingerprint)
            sink.text(ledger.inputsJSON)
            for stream in [Stream.playerEvents, .serverState] {
                sink.integer(ledger.read[stream, default: 0])
                sink.integer(ledger.accepted[stream, default: 0])
                sink.integer(ledger.rejected[stream, default: 0])
                sink.integer(ledger.duplicates[stream, default: 0])
            }
            sink.integer(ledger.joined)
            sink.integer(ledger.clientOnly)
            sink.integer(ledger.serverOnly)
            sink.text(ledger.rejectedByReasonJSON)
            sink.text(ledger.options)
            sink.text(ledger.message)
            sink.integer(ledger.blankLines[.playerEvents, default: 0])
            sink.integer(ledger.blankLines[.serverState, default: 0])
            sink.text(ledger.joinMode.rawValue)
            sink.double(ledger.toleranceMs)
            sink.optionalInteger(ledger.clientOutsideTolerance)
            sink.optionalInteger(ledger.serverOutsideTolerance)
        }
    }
}

/// JSON string quoting for the few JSON texts we build by hand.
public enum JSONText {
    public static func quoted(_ text: String) -> String {
        var out = "\""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            case _
            where scalar.value < 0x20 || scalar.value == 0x7F
                || (0x80..<0xA0).contains(scalar.value)
                || scalar.value == 0x2028 || scalar.value == 0x2029:
                let hex = String(scalar.value, radix: 16)
                out += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
            default: out.unicodeScalars.append(scalar)
            }
        }
        return out + "\""
    }

    /// A double as JSON: shortest round-trip digits; non-finite as null.
    public static func number(_ value: Double) -> String {
        value.isFinite ? "\(value)" : "null"
    }
}
