@testable import Desync
import Testing

/// The one-pass speed computation must agree with the sorting one, which
/// follows the notebook's window definition literally.
@Suite struct ClientSpeedTests {
    /// Three players over two sessions, rows interleaved, each player's
    /// times increasing; positions from a fixed pseudo-random walk.
    static func interleaved(rows: Int) -> PlayerEvents {
        var e = PlayerEvents()
        var state: UInt64 = 12345
        func next() -> Double {
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            return Double(state >> 11) / Double(1 << 53) * 100
        }
        for i in 0..<rows {
            let who = Int32(i % 3)
            e.eventID.append("id-\(i)")
            e.session.append(who == 2 ? 1 : 0)
            e.player.append(who)
            e.eventType.append(0)
            // Player 1 skips a tick now and then: uneven time steps.
            e.timestamp.append(Int64(i / 3) * 50_000 + (who == 1 && i % 7 == 0 ? 20_000 : 0))
            e.x.append(next())
            e.y.append(next())
            e.z.append(next() / 5)
            e.line.append(Int64(i + 1))
        }
        return e
    }

    @Test func onePassEqualsSorted() throws {
        let events = Self.interleaved(rows: 301)
        let fast = try #require(TickMetrics.orderedSpeeds(events))
        let slow = TickMetrics.sortedSpeeds(events)
        #expect(fast == slow)
        // A hand check: player 0's second event (row 3) is 50 ms after its
        // first (row 0), and the first takes the second's speed.
        let dx = events.x[3] - events.x[0]
        let dy = events.y[3] - events.y[0]
        let dz = events.z[3] - events.z[0]
        let expected = (dx * dx + dy * dy + dz * dz).squareRoot() / 0.05
        #expect(fast[3] == expected)
        #expect(fast[0] == expected)
    }

    @Test func outOfOrderFallsBackToSorting() {
        var events = Self.interleaved(rows: 30)
        events.timestamp.swapAt(3, 6)  // player 0 goes back in time
        #expect(TickMetrics.orderedSpeeds(events) == nil)
        let speeds = TickMetrics.clientSpeeds(events)
        #expect(speeds == TickMetrics.sortedSpeeds(events))
        #expect(speeds[6] != 0)
    }

    @Test func singleEventPlayerHasSpeedZero() throws {
        var events = Self.interleaved(rows: 2)
        events.player[1] = 9
        let speeds = try #require(TickMetrics.orderedSpeeds(events))
        #expect(speeds == [0, 0])
    }
}
