extension StreamReader {
    /// Drops rows delivered twice: the same id, or the same session, player
    /// and timestamp. The first copy in file order wins: it is the one the
    /// producer wrote first, later copies are retransmissions, and keeping
    /// the first makes the outcome independent of how often a row repeats.
    /// Each dropped copy is recorded as a `duplicate` reject naming the
    /// line of the copy it repeats, with its values rendered back as a JSON
    /// line (the raw bytes are gone by then), so a copy that differs from
    /// the one used is not lost.
    func removeDuplicates(_ input: inout StreamInput, dimensions d: Dimensions) {
        if input.file.stream == .playerEvents {
            let e = input.events
            let keep = duplicateMask(
                count: e.count, ids: e.eventID, session: e.session, player: e.player,
                time: e.timestamp, lines: e.line, input: &input
            ) { Self.render(e, $0, d) }
            if let keep { input.events = Self.keeping(e, keep) }
        } else {
            let s = input.states
            let keep = duplicateMask(
                count: s.count, ids: s.stateID, session: s.session, player: s.player,
                time: s.timestamp, lines: s.line, input: &input
            ) { Self.render(s, $0, d) }
            if let keep { input.states = Self.keeping(s, keep) }
        }
    }

    /// A dropped copy's values as a JSON line (its raw bytes are gone).
    static func render(_ e: PlayerEvents, _ i: Int, _ d: Dimensions) -> String {
        "{\"event_id\": \(JSONText.quoted(e.eventID[i])), \"session_id\": "
            + "\(JSONText.quoted(d.sessions[e.session[i]])), \"player_id\": "
            + "\(JSONText.quoted(d.players[e.player[i]])), \"event_type\": "
            + "\(JSONText.quoted(d.eventTypes[e.eventType[i]])), \"timestamp\": "
            + "\"\(Timestamp(microseconds: e.timestamp[i]).isoText)Z\", \"client_position_x\": "
            + "\(e.x[i]), \"client_position_y\": \(e.y[i]), \"client_position_z\": \(e.z[i])}"
    }

    static func render(_ s: ServerStates, _ i: Int, _ d: Dimensions) -> String {
        "{\"state_id\": \(JSONText.quoted(s.stateID[i])), \"session_id\": "
            + "\(JSONText.quoted(d.sessions[s.session[i]])), \"player_id\": "
            + "\(JSONText.quoted(d.players[s.player[i]])), \"timestamp\": "
            + "\"\(Timestamp(microseconds: s.timestamp[i]).isoText)Z\", \"server_position_x\": "
            + "\(s.x[i]), \"server_position_y\": \(s.y[i]), \"server_position_z\": \(s.z[i]), "
            + "\"ping\": \(s.ping[i]), \"packet_loss\": \(s.packetLoss[i])}"
    }

    /// The rows whose `keep` is true, in order.
    static func keeping(_ e: PlayerEvents, _ keep: [Bool]) -> PlayerEvents {
        var out = PlayerEvents()
        out.reserve(e.count)
        for i in 0..<e.count where keep[i] {
            out.eventID.append(row: i, of: e.eventID)
            out.session.append(e.session[i])
            out.player.append(e.player[i])
            out.eventType.append(e.eventType[i])
            out.timestamp.append(e.timestamp[i])
            out.x.append(e.x[i])
            out.y.append(e.y[i])
            out.z.append(e.z[i])
            out.line.append(e.line[i])
        }
        return out
    }

    static func keeping(_ s: ServerStates, _ keep: [Bool]) -> ServerStates {
        var out = ServerStates()
        out.reserve(s.count)
        for i in 0..<s.count where keep[i] {
            out.stateID.append(row: i, of: s.stateID)
            out.session.append(s.session[i])
            out.player.append(s.player[i])
            out.timestamp.append(s.timestamp[i])
            out.x.append(s.x[i])
            out.y.append(s.y[i])
            out.z.append(s.z[i])
            out.ping.append(s.ping[i])
            out.packetLoss.append(s.packetLoss[i])
            out.line.append(s.line[i])
        }
        return out
    }

    /// Which rows to keep, or nil when every row is unique.
    private func duplicateMask(
        count: Int, ids: StringColumn, session: [Int32], player: [Int32], time: [Int64],
        lines: [Int64], input: inout StreamInput, render: (Int) -> String
    ) -> [Bool]? {
        var byID = RowKeyTable(capacity: count)
        var byKey = RowKeyTable(capacity: count)
        var keep: [Bool]? = nil
        ids.bytes.withUnsafeBufferPointer { bytes in
            let offsets = ids.offsets
            func idBytes(_ row: Int) -> UnsafeBufferPointer<UInt8> {
                UnsafeBufferPointer(rebasing: bytes[offsets[row]..<offsets[row + 1]])
            }
            for i in 0..<count {
                let row = Int32(i)
                let key = RowKeyTable.hash(session: session[i], player: player[i], time: time[i])
                let sameKey = byKey.find(hash: key) { other in
                    let o = Int(other)
                    return session[o] == session[i] && player[o] == player[i] && time[o] == time[i]
                }
                let mine = idBytes(i)
                let idHash = RowKeyTable.hash(bytes: mine)
                let sameID = byID.find(hash: idHash) { idBytes(Int($0)).elementsEqual(mine) }
                guard let original = sameID ?? sameKey else {
                    _ = byKey.insert(row, hash: key) { _ in false }
                    _ = byID.insert(row, hash: idHash) { _ in false }
                    continue
                }
                if keep == nil { keep = Array(repeating: true, count: count) }
                keep![i] = false
                input.duplicates += 1
                input.rejects.append(
                    Self.duplicateReject(
                        input.file, line: lines[i], original: lines[Int(original)],
                        byID: sameID != nil, rawLine: render(i)))
            }
        }
        return keep
    }

    /// The reject recording a dropped copy.
    static func duplicateReject(
        _ file: InputFile, line: Int64, original: Int64, byID: Bool, rawLine: String
    ) -> RejectedRecord {
        let what = byID ? "id" : "session, player and timestamp"
        // Cut like every stored raw line (a copy may carry a huge id).
        var rendered = rawLine
        let stored = rendered.withUTF8 { Validation.storedRaw($0) }
        return RejectedRecord(
            stream: file.stream, sourceFile: file.path, lineNumber: line, reason: .duplicate,
            message: "same \(what) as line \(original); the first copy is used",
            rawLine: stored)
    }
}
