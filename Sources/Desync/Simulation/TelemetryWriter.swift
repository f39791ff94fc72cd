import Foundation

/// Writes one JSON Lines file through a large buffer, so generating
/// millions of ticks costs a few thousand `write` calls and a constant
/// amount of memory.
public final class JSONLinesWriter {
    private let fd: Int32
    private let path: String
    private(set) var buffer: [UInt8] = []
    private let flushAt = 1 << 20

    public init(path: String) throws {
        self.path = path
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

    // MARK: Building a line

    public func begin() { buffer.append(UInt8(ascii: "{")) }

    public func key(_ name: StaticString, first: Bool = false) {
        if !first { buffer.append(contentsOf: [44, 32]) }
        buffer.append(34)
        buffer.append(contentsOf: UnsafeBufferPointer(start: name.utf8Start, count: name.utf8CodeUnitCount))
        buffer.append(contentsOf: [34, 58, 32])
    }

    /// A string value; ours are plain ASCII ids, so no escaping is needed.
    public func string(_ bytes: [UInt8]) {
        buffer.append(34)
        buffer.append(contentsOf: bytes)
        buffer.append(34)
    }

    public func string(_ text: String) {
        string(Array(text.utf8))
    }

    public func number(_ value: Double) {
        buffer.append(contentsOf: value.description.utf8)
    }

    public func number(_ value: Int) {
        buffer.append(contentsOf: String(value).utf8)
    }

    public func end() throws {
        buffer.append(contentsOf: [125, 10])
        if buffer.count >= flushAt { try flush() }
    }

    public func flush() throws {
        var offset = 0
        while offset < buffer.count {
            let n = buffer.withUnsafeBytes { write(fd, $0.baseAddress! + offset, $0.count - offset) }
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
