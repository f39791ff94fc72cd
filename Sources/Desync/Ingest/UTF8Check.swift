/// Validates UTF-8 quickly: pure ASCII (the common case) is checked eight
/// bytes at a time, and only lines with high bytes take the full decoder.
enum UTF8Check {
    static func isValid(_ bytes: UnsafeBufferPointer<UInt8>) -> Bool {
        let n = bytes.count
        var i = 0
        let raw = UnsafeRawBufferPointer(bytes)
        while i + 8 <= n {
            let word = raw.loadUnaligned(fromByteOffset: i, as: UInt64.self)
            if word & 0x8080_8080_8080_8080 != 0 { return fullCheck(bytes) }
            i += 8
        }
        while i < n {
            if bytes[i] >= 0x80 { return fullCheck(bytes) }
            i += 1
        }
        return true
    }

    private static func fullCheck(_ bytes: UnsafeBufferPointer<UInt8>) -> Bool {
        var iterator = bytes.makeIterator()
        var decoder = UTF8()
        while true {
            switch decoder.decode(&iterator) {
            case .scalarValue: continue
            case .emptyInput: return true
            case .error: return false
            }
        }
    }
}
