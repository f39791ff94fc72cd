/// Describes each batch table's rows over the run's columns, for whichever
/// store writes them. Nothing is copied: the closures read the columns.
enum OutputTables {
    static func playerEvents(_ e: PlayerEvents, _ d: Dimensions, runID: String) -> TableRows {
        let sessions = d.sessions.values
        let players = d.players.values
        let types = d.eventTypes.values
        return TableRows(Tables.playerEvents, count: e.count) { i, sink in
            sink.text(e.eventID, i)
            sink.text(sessions[Int(e.session[i])])
            sink.text(players[Int(e.player[i])])
            sink.text(types[Int(e.eventType[i])])
            sink.timestamp(e.timestamp[i])
            sink.double(e.x[i])
            sink.double(e.y[i])
            sink.double(e.z[i])
            sink.text(runID)
        }
    }

    static func serverState(_ s: ServerStates, _ d: Dimensions, runID: String) -> TableRows {
        let sessions = d.sessions.values
        let players = d.players.values
        return TableRows(Tables.serverState, count: s.count) { i, sink in
            sink.text(s.stateID, i)
            sink.text(sessions[Int(s.session[i])])
            sink.text(players[Int(s.player[i])])
            sink.timestamp(s.timestamp[i])
            sink.double(s.x[i])
            sink.double(s.y[i])
            sink.double(s.z[i])
            sink.integer(Int64(s.ping[i]))
            sink.double(s.packetLoss[i])
            sink.text(runID)
        }
    }

    static func desyncEvents(
        _ t: JoinedTicks, _ e: PlayerEvents, _ s: ServerStates, _ d: Dimensions, runID: String
    ) -> TableRows {
        let sessions = d.sessions.values
        let players = d.players.values
        let types = d.eventTypes.values
        return TableRows(Tables.desyncEvents, count: t.count) { k, sink in
            let i = Int(t.eventRow[k])
            let j = Int(t.stateRow[k])
            sink.text(sessions[Int(e.session[i])])
            sink.text(players[Int(e.player[i])])
            sink.timestamp(e.timestamp[i])
            sink.text(e.eventID, i)
            sink.text(types[Int(e.eventType[i])])
            sink.double(e.x[i])
            sink.double(e.y[i])
            sink.double(e.z[i])
            sink.text(s.stateID, j)
            sink.double(s.x[j])
            sink.double(s.y[j])
            sink.double(s.z[j])
            sink.integer(Int64(s.ping[j]))
            sink.double(s.packetLoss[j])
            sink.double(t.distance[k])
            sink.boolean(t.isDesynced[k])
            sink.text(t.pingCategory[k].rawValue)
            sink.double(t.speed[k])
            sink.double(t.latencyExplained[k])
            sink.double(t.residual(k))
            sink.text(runID)
        }
    }

    static func byPing(_ rows: [SummaryRow<PingCategory>], runID: String) -> TableRows {
        TableRows(Tables.desyncByPing, count: rows.count) { i, sink in
            sink.text(rows[i].key.rawValue)
            sink.double(rows[i].averageDistance)
            sink.integer(rows[i].desyncedCount)
            sink.integer(rows[i].inSyncCount)
            sink.text(runID)
        }
    }

    static func byPacketLoss(_ rows: [SummaryRow<Double>], runID: String) -> TableRows {
        TableRows(Tables.desyncByPacketLoss, count: rows.count) { i, sink in
            sink.double(rows[i].key)
            sink.double(rows[i].averageDistance)
            sink.integer(rows[i].desyncedCount)
            sink.integer(rows[i].inSyncCount)
            sink.text(runID)
        }
    }

    static func rejects(_ rows: [RejectedRecord], runID: String) -> TableRows {
        TableRows(Tables.rejectedRecords, count: rows.count) { i, sink in
            let r = rows[i]
            sink.text(runID)
            sink.text(r.stream.rawValue)
            sink.text(r.sourceFile)
            sink.integer(r.lineNumber)
            sink.text(r.reason.rawValue)
            sink.text(r.message)
            sink.text(r.rawLine)
        }
    }

    static func unmatched(
        _ join: JoinResult, _ e: PlayerEvents, _ s: ServerStates, _ d: Dimensions, runID: String
    ) -> TableRows {
        let sessions = d.sessions.values
        let players = d.players.values
        let clientOnly = join.unmatchedEvents
        let serverOnly = join.unmatchedStates
        return TableRows(Tables.unmatchedEvents, count: clientOnly.count + serverOnly.count) {
            k, sink in
            sink.text(runID)
            if k < clientOnly.count {
                let i = Int(clientOnly[k])
                sink.text(Stream.playerEvents.rawValue)
                sink.text(e.eventID, i)
                sink.text(sessions[Int(e.session[i])])
                sink.text(players[Int(e.player[i])])
                sink.timestamp(e.timestamp[i])
                sink.integer(e.line[i])
            } else {
                let j = Int(serverOnly[k - clientOnly.count])
                sink.text(Stream.serverState.rawValue)
                sink.text(s.stateID, j)
                sink.text(sessions[Int(s.session[j])])
                sink.text(players[Int(s.player[j])])
                sink.timestamp(s.timestamp[j])
                sink.integer(s.line[j])
            }
        }
    }
}
