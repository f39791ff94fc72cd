import Testing

@testable import SparkConnect

/// The Arrow IPC reader against batches recorded from Spark 4.3.0.
struct ArrowStreamReaderTests {
    /// The two `arrow_batch.data` streams of the recorded query.
    static let streams: [[UInt8]] = RecordedSamples.queryResponses.compactMap {
        try? ExecutePlanResponse(decoding: $0[...]).arrowBatch
    }

    @Test func readsRecordedBatches() throws {
        #expect(Self.streams.count == 2)
        var table = ArrowTable(columns: [])
        for stream in Self.streams { try table.append(ArrowStreamReader.read(stream)) }

        #expect(table.columnNames == ["i32", "i64", "d", "s", "b", "ts", "n"])
        #expect(table.rowCount == 3)
        #expect(table["i32"]?.values == .int32([0, 1, 2]))
        #expect(table["i64"]?.values == .int64([0, 1, 2]))
        #expect(table["d"]?.values == .double([0, 0.25, 0.5]))
        #expect(table["s"]?.values == .string(["0", nil, "2"]))
        #expect(table["b"]?.values == .bool([true, false, true]))
        #expect(table["n"]?.values == .string([nil, nil, nil]))
        let start: Int64 = 1_761_611_616_450_004
        #expect(
            table["ts"]?.values
                == .timestamp([start, start + 1_000_000, start + 2_000_000], timeZone: "UTC"))
    }

    @Test func accessorsWidenAndConvert() throws {
        let table = try ArrowStreamReader.read(Self.streams[1])
        #expect(table["i32"]?.int(0) == 1)
        #expect(table["i64"]?.double(1) == 2)
        #expect(table["D"]?.double(1) == 0.5)  // case-insensitive lookup
        #expect(table["b"]?.bool(0) == false)
        #expect(table["s"]?.string(0) == nil)
    }

    /// Every truncation of a recorded stream either decodes fewer rows or
    /// throws `.arrow`; none may crash.
    @Test func truncatedStreamsFailCleanly() {
        let stream = Self.streams[1]
        for length in stride(from: 0, to: stream.count, by: 3) {
            do {
                let table = try ArrowStreamReader.read(stream[0..<length])
                #expect(table.rowCount <= 2)
            } catch {
                #expect(error.code == .arrow)
            }
        }
    }

    /// Flipping bytes of the metadata must not crash the reader.
    @Test func corruptedMetadataFailsCleanly() {
        let stream = Self.streams[1]
        for index in stride(from: 0, to: min(stream.count, 600), by: 1) {
            var corrupted = stream
            corrupted[index] ^= 0xff
            do {
                _ = try ArrowStreamReader.read(corrupted)
            } catch {
                #expect(error.code == .arrow)
            }
        }
    }

    @Test func emptyStreamIsAnEmptyTable() throws {
        let table = try ArrowStreamReader.read([0xff, 0xff, 0xff, 0xff, 0, 0, 0, 0])
        #expect(table.columns.isEmpty)
        #expect(table.rowCount == 0)
    }
}
