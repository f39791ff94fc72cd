import Foundation

/// One field of a line, located but not yet converted. JSON and CSV lines
/// both become these, so the typing and range rules live in one place.
enum RawField {
    case missing
    case null
    /// An empty CSV field.
    case empty
    case bool
    case composite
    case nonFinite
    /// A JSON number, or an unquoted CSV field.
    case number(UnsafeBufferPointer<UInt8>)
    /// A JSON string (escapes already decoded), or a quoted CSV field.
    case text(UnsafeBufferPointer<UInt8>)
}

/// The typed values of one valid row, slot by slot.
struct TypedRow {
    var texts: [UnsafeBufferPointer<UInt8>]
    var reals: [Double]
    var integers: [Int64]
    var timestamp: Int64 = 0

    init(fieldCount: Int) {
        texts = Array(repeating: UnsafeBufferPointer(start: nil, count: 0), count: fieldCount)
        reals = Array(repeating: 0, count: fieldCount)
        integers = Array(repeating: 0, count: fieldCount)
    }
}

/// Why one row failed, before it becomes a `RejectedRecord`.
struct RowProblem: Error {
    var reason: RejectReason
    var message: String
}

extension Validation {
    /// The checks a JSON line or CSV record passes before its fields are
    /// read: its length and its UTF-8. `unit` names it in the message.
    func precheck(_ bytes: UnsafeBufferPointer<UInt8>, unit: String) -> RowProblem? {
        guard bytes.count <= maxLineBytes else {
            return RowProblem(
                reason: .lineTooLong,
                message: Validation.tooLongMessage(
                    bytes, length: bytes.count, limit: maxLineBytes, unit: unit))
        }
        guard UTF8Check.isValid(bytes) else {
            return RowProblem(reason: .invalidUTF8, message: "\(unit) is not valid UTF-8")
        }
        return nil
    }
}

/// Applies a stream's types and plausible ranges to the located fields of
/// one row. CSV text is untyped, so `textNumbers` lets a number-looking
/// CSV field count as text (a session id `123`) and vice versa.
struct RowTyper {
    let schema: StreamSchema
    let validation: Validation
    var textNumbers = false

    func type(_ fields: [RawField], into row: inout TypedRow) throws(RowProblem) {
        for (slot, field) in schema.fields.enumerated() {
            let value = fields[slot]
            switch value {
            case .missing:
                throw RowProblem(reason: .missingField, message: "field '\(field.name)' is missing")
            case .null:
                throw RowProblem(reason: .missingField, message: "field '\(field.name)' is null")
            case .empty:
                throw RowProblem(reason: .missingField, message: "field '\(field.name)' is empty")
            default: break
            }
            switch field.kind {
            case .text, .timestamp:
                let bytes: UnsafeBufferPointer<UInt8>
                switch value {
                case .text(let b): bytes = b
                case .number(let b) where textNumbers: bytes = b
                default:
                    throw RowProblem(
                        reason: .wrongType,
                        message: "field '\(field.name)' must be a string, found \(value.typeName)")
                }
                guard bytes.count > 0 else {
                    throw RowProblem(
                        reason: .missingField, message: "field '\(field.name)' is an empty string")
                }
                if field.kind == .timestamp {
                    guard let t = Timestamp.parse(bytes) else {
                        throw RowProblem(
                            reason: .badTimestamp,
                            message: "field '\(field.name)' is not an ISO-8601 timestamp"
                                + " such as 2025-10-28T00:33:36.450004")
                    }
                    row.timestamp = t.microseconds
                } else {
                    // Only an escaped string can hold a NUL (the scanner
                    // refuses raw control bytes), and ids are short.
                    guard memchr(bytes.baseAddress!, 0, bytes.count) == nil else {
                        throw RowProblem(
                            reason: .invalidText,
                            message: "field '\(field.name)' holds a NUL character (\\u0000),"
                                + " which the stores cannot keep")
                    }
                    row.texts[slot] = bytes
                }
            case .real:
                let d = try number(value, field)
                guard d.isFinite else {
                    throw RowProblem(
                        reason: .nonFinite, message: "field '\(field.name)' is not a finite number")
                }
                if field.isFraction {
                    guard d >= 0, d <= 1 else {
                        throw RowProblem(
                            reason: .outOfRange,
                            message: "packet_loss must be a fraction in [0, 1], found \(d)")
                    }
                } else {
                    guard abs(d) <= validation.maxCoordinate else {
                        throw RowProblem(
                            reason: .outOfRange,
                            message: "field '\(field.name)' is beyond ±\(validation.maxCoordinate)")
                    }
                }
                row.reals[slot] = d
            case .integer:
                let d = try number(value, field)
                guard d.isFinite else {
                    throw RowProblem(
                        reason: .nonFinite, message: "field '\(field.name)' is not a finite number")
                }
                guard case .number(let b) = value, let i = NumberParser.integer(b) else {
                    // A whole number too large for 64 bits is out of range,
                    // not of the wrong type.
                    let whole = d.rounded() == d
                    throw RowProblem(
                        reason: whole ? .outOfRange : .wrongType,
                        message: whole
                            ? "\(field.name) must lie in 0...\(validation.maxPing) ms, found \(d)"
                            : "field '\(field.name)' must be a whole number of milliseconds")
                }
                guard i >= 0, i <= Int64(validation.maxPing) else {
                    throw RowProblem(
                        reason: .outOfRange,
                        message:
                            "\(field.name) must lie in 0...\(validation.maxPing) ms, found \(i)")
                }
                row.integers[slot] = i
            }
        }
    }

    private func number(_ value: RawField, _ field: StreamSchema.Field) throws(RowProblem) -> Double
    {
        switch value {
        case .number(let b): return NumberParser.double(b)
        case .nonFinite: return .nan
        case .text(let b) where textNumbers && Self.csvNumber(b) != nil:
            // A quoted CSV number: accepted when it is a plain number.
            return Self.csvNumber(b)!
        default:
            throw RowProblem(
                reason: .wrongType,
                message: "field '\(field.name)' must be a number, found \(value.typeName)")
        }
    }

    static func csvNumber(_ b: UnsafeBufferPointer<UInt8>) -> Double? {
        let text = String(decoding: b, as: UTF8.self)
        switch text {
        case "NaN", "nan", "Infinity", "-Infinity", "inf", "-inf": return .nan
        default: break
        }
        guard text.utf8.allSatisfy({ "0123456789+-.eE".utf8.contains($0) }) else { return nil }
        return Double(text)
    }
}

extension RawField {
    var typeName: String {
        switch self {
        case .missing: return "nothing"
        case .null: return "null"
        case .empty: return "an empty field"
        case .bool: return "a boolean"
        case .composite: return "an object or array"
        case .nonFinite: return "a non-finite number"
        case .number: return "a number"
        case .text: return "a string"
        }
    }
}
