import Foundation

/// Writes one telemetry file, JSON Lines or CSV, through a large buffer, so
/// generating millions of ticks costs a few thousand `write` calls and a
/// constant amount of memory.
///
/// A record is built with `begin`, `key` and a value per field, then `end`.
/// In CSV the keys of the first record become the header row; every later
/// record must name the same keys in the same order.
public final class TelemetryWriter {
    public let format: TelemetryFormat
    private let fd: Int32
    private let path: String
    private(set) var buffer: [UInt8] = []
    private let flushAt = 1 << 20
    /// CSV only: the header, collected while the first record is built.
    private var header: [UInt8]? = nil
    private var recordStart = 0

    public init(path: String, format: TelemetryFormat = .jsonl) throws {
        self.path = path
        self.format = format
        fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        guard fd >= 0 else {
            throw DesyncError(
                .output, "cannot create '\(path)': \(String(cString: strerror(errno)))")
        }
        buffer.reserveCapacity(flushAt + 4096)
    }

    deinit {
        close(fd)
    }

    // MARK: Building a record

    public func begin() {
        recordStart = buffer.count
        if format == .jsonl { buffer.append(UInt8(ascii: "{")) }
    }

    public func key(_ name: StaticString, first: Bool = false) {
        let bytes = UnsafeBufferPointer(start: name.utf8Start, count: name.utf8CodeUnitCount)
        switch format {
        case .jsonl:
            if !first { buffer.append(contentsOf: [44, 32]) }
            buffer.append(34)
            buffer.append(contentsOf: bytes)
            buffer.append(contentsOf: [34, 58, 32])
        case .csv:
            if !first { buffer.append(44) }
            if !headerWritten {
                if !first { header!.append(44) } else { header = [] }
                header!.append(contentsOf: bytes)
            }
        }
    }

    private var headerWritten = false

    /// A string value. Ours are plain ASCII ids and timestamps: JSON needs
    /// no escaping for them; CSV quotes a value only when it holds a comma,
    /// a quote or a line break.
    public func string(_ bytes: [UInt8]) {
        switch format {
        case .jsonl:
            buffer.append(34)
            buffer.append(contentsOf: bytes)
            buffer.append(34)
        case .csv:
            guard bytes.contains(where: { $0 == 44 || $0 == 34 || $0 == 10 || $0 == 13 }) else {
                buffer.append(contentsOf: bytes)
                return
            }
            buffer.append(34)
            for b in bytes {
                if b == 34 { buffer.append(34) }
                buffer.append(b)
            }
            buffer.append(34)
        }
    }

    public func string(_ text: String) {
        string(Array(text.utf8))
    }

    private var scratch: [UInt8] = []

    /// A timestamp as `Timestamp.isoText` writes it, built without an
    /// intermediate `String`.
    public func timestamp(_ time: Timestamp) {
        scratch.removeAll(keepingCapacity: true)
        time.appendSQLText(to: &scratch)
        scratch[10] = 84
        if scratch[20...].allSatisfy({ $0 == 48 }) { scratch.removeLast(7) }
        string(scratch)
    }

    public func number(_ value: Double) {
        buffer.append(contentsOf: value.description.utf8)
    }

    public func number(_ value: Int) {
        buffer.append(contentsOf: String(value).utf8)
    }

    public func end() throws {
        switch format {
        case .jsonl:
            buffer.append(contentsOf: [125, 10])
        case .csv:
            buffer.append(10)
            if !headerWritten, var line = header {
                line.append(10)
                buffer.insert(contentsOf: line, at: recordStart)
                headerWritten = true
            }
        }
        if buffer.count >= flushAt { try flush() }
    }

    /// Text written as is (for documents such as `truth.json`).
    public func raw(_ text: String) throws {
        buffer.append(contentsOf: text.utf8)
        if buffer.count >= flushAt { try flush() }
    }

    public func flush() throws {
        var offset = 0
        while offset < buffer.count {
            let n = buffer.withUnsafeBytes {
                write(fd, $0.baseAddress! + offset, $0.count - offset)
            }
            if n < 0 {
                if errno == EINTR { continue }
                throw DesyncError(
                    .output, "cannot write '\(path)': \(String(cString: strerror(errno)))")
            }
            offset += n
        }
        buffer.removeAll(keepingCapacity: true)
    }
}
