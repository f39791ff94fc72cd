/// `spark.connect.ExecutePlanResponse`, reduced to the fields desync reads.
///
/// A response stream carries Arrow batches, a `sql_command_result` for
/// commands, metrics and progress reports; everything else is skipped.
struct ExecutePlanResponse {
    var sessionID = ""
    var serverSideSessionID = ""
    var operationID = ""
    /// `arrow_batch.data`: one complete Arrow IPC stream.
    var arrowBatch: [UInt8]?
    /// `arrow_batch.row_count`.
    var arrowRowCount: Int64 = 0
    /// True when the message carried a `sql_command_result`.
    var isSQLCommandResult = false
    /// True when the message carried `result_complete`.
    var isResultComplete = false

    init(decoding bytes: ArraySlice<UInt8>) throws(SparkConnectError) {
        var reader = ProtoReader(bytes)
        while let field = try reader.next() {
            switch field.number {
            case 1: sessionID = try field.value.string()
            case 2: try decodeArrowBatch(field.value.data())
            case 5: isSQLCommandResult = true
            case 12: operationID = try field.value.string()
            case 14: isResultComplete = true
            case 15: serverSideSessionID = try field.value.string()
            default: continue  // metrics, schema, progress, newer fields
            }
        }
    }

    private mutating func decodeArrowBatch(_ bytes: ArraySlice<UInt8>) throws(SparkConnectError) {
        var reader = ProtoReader(bytes)
        var data: [UInt8] = []
        while let field = try reader.next() {
            switch field.number {
            case 1: arrowRowCount = try field.value.integer()
            case 2: data = Array(try field.value.data())
            default: continue
            }
        }
        arrowBatch = data
    }
}
