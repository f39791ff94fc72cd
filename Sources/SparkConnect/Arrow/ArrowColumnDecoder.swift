/// Turns the body buffers of one column of one record batch into values.
///
/// Buffers, per Arrow's columnar format: a validity bitmap (bit set = not
/// null, may be empty when nothing is null), then the values (little-endian
/// fixed width, or a bitmap for booleans); strings have 32-bit offsets and
/// then UTF-8 data.
struct ArrowColumnDecoder {
    let name: String
    let count: Int
    let nullCount: Int
    /// The column's buffers in format order.
    let buffers: [ArraySlice<UInt8>]

    func decode(_ type: ArrowType) throws(SparkConnectError) -> ArrowColumn.Values {
        switch type {
        case .null:
            return .null(count: count)
        case .int(let width):
            switch width {
            case 8: return .int32(try fixed(Int8.self).map { $0.map(Int32.init) })
            case 16: return .int32(try fixed(Int16.self).map { $0.map(Int32.init) })
            case 32: return .int32(try fixed(Int32.self))
            default: return .int64(try fixed(Int64.self))
            }
        case .floatingPoint(let width):
            if width == 32 { return .double(try fixed(Float.self).map { $0.map(Double.init) }) }
            return .double(try fixed(Double.self))
        case .bool:
            let bits = buffers[1]
            guard bits.count * 8 >= count else { throw short("boolean values") }
            let valid = try validity()
            return .bool((0..<count).map { valid($0) ? Self.bit(bits, $0) : nil })
        case .timestamp(let unit, let zone):
            let raw = try fixed(Int64.self)
            let values: [Int64?] =
                switch unit {
                case 0: raw.map { $0.map { $0 * 1_000_000 } }
                case 1: raw.map { $0.map { $0 * 1_000 } }
                case 2: raw
                default: raw.map { $0.map { $0 / 1_000 } }  // FIXME: floors toward zero
                }
            return .timestamp(values, timeZone: zone)
        case .utf8:
            return .string(try strings())
        }
    }

    /// A function telling whether row `i` holds a value.
    private func validity() throws(SparkConnectError) -> (Int) -> Bool {
        let bitmap = buffers[0]
        if nullCount == 0 || bitmap.isEmpty {
            guard nullCount == 0 else { throw short("validity bitmap") }
            return { _ in true }
        }
        guard bitmap.count * 8 >= count else { throw short("validity bitmap") }
        return { Self.bit(bitmap, $0) }
    }

    private func fixed<T: BitwiseCopyable>(_: T.Type) throws(SparkConnectError) -> [T?] {
        let data = buffers[1]
        let width = MemoryLayout<T>.size
        guard data.count >= count * width else { throw short("values") }
        let valid = try validity()
        return data.withUnsafeBytes { raw in
            (0..<count).map { row in
                valid(row) ? raw.loadUnaligned(fromByteOffset: row * width, as: T.self) : nil
            }
        }
    }

    private func strings() throws(SparkConnectError) -> [String?] {
        let offsets = buffers[1]
        let data = buffers[2]
        guard count == 0 || offsets.count >= (count + 1) * 4 else { throw short("string offsets") }
        let valid = try validity()
        var result: [String?] = []
        result.reserveCapacity(count)
        var bad = false
        offsets.withUnsafeBytes { offsetBytes in
            data.withUnsafeBytes { dataBytes in
                for row in 0..<count {
                    guard valid(row) else {
                        result.append(nil)
                        continue
                    }
                    let start = Int(
                        offsetBytes.loadUnaligned(fromByteOffset: row * 4, as: Int32.self))
                    let end = Int(
                        offsetBytes.loadUnaligned(fromByteOffset: row * 4 + 4, as: Int32.self))
                    guard start >= 0, start <= end, end <= dataBytes.count else {
                        bad = true
                        result.append(nil)
                        continue
                    }
                    let bytes = UnsafeRawBufferPointer(rebasing: dataBytes[start..<end])
                    result.append(String(decoding: bytes, as: UTF8.self))
                }
            }
        }
        guard !bad else { throw short("string data") }
        return result
    }

    private static func bit(_ bitmap: ArraySlice<UInt8>, _ index: Int) -> Bool {
        bitmap[bitmap.startIndex + index >> 3] >> UInt8(index & 7) & 1 == 1
    }

    private func short(_ what: String) -> SparkConnectError {
        FlatBufferTable.malformed("column \(name): \(what) shorter than \(count) rows")
    }
}
