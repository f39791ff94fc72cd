import Foundation

/// An append-only temporary file of binary records, written through a
/// buffer with plain `write(2)` calls. Values are stored in the machine's
/// own byte order: the file never outlives the run that wrote it.
final class SpillWriter {
    let path: String
    private let fd: Int32
    private var buffer: [UInt8] = []
    private let capacity: Int

    init(path: String, bufferBytes: Int = 256 << 10) throws {
        self.path = path
        capacity = bufferBytes
        fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o600)
        guard fd >= 0 else { throw SpillWriter.failure("create", path, errno) }
        buffer.reserveCapacity(bufferBytes)
    }

    deinit { close(fd) }

    @inline(__always)
    func append<T: BitwiseCopyable>(_ value: T) {
        withUnsafeBytes(of: value) { buffer.append(contentsOf: $0) }
    }

    func append(bytes: UnsafeBufferPointer<UInt8>) {
        buffer.append(contentsOf: bytes)
    }

    /// Writes the buffer out when it is full; call after each record.
    @inline(__always)
    func recordDone() throws {
        if buffer.count >= capacity { try flush() }
    }

    func flush() throws {
        var done = 0
        try buffer.withUnsafeBytes { raw in
            while done < raw.count {
                let n = Foundation.write(fd, raw.baseAddress! + done, raw.count - done)
                if n < 0 {
                    if errno == EINTR { continue }
                    throw SpillWriter.failure("write", path, errno)
                }
                done += n
            }
        }
        buffer.removeAll(keepingCapacity: true)
    }

    static func failure(_ action: String, _ path: String, _ code: Int32) -> DesyncError {
        let folder = (path as NSString).deletingLastPathComponent
        return DesyncError(
            .output,
            "cannot \(action) the temporary file '\(path)': \(String(cString: strerror(code)))",
            cause: "large inputs are processed in partitions spilled to \(folder); free space"
                + " there or point --temp-dir at a folder with room (about half the input's"
                + " size)")
    }
}

/// Reads back a `SpillWriter`'s records in order, a large block at a time.
final class SpillReader {
    let path: String
    private let fd: Int32
    private var buffer: [UInt8]
    private var start = 0
    private var end = 0
    private var atEnd = false

    init(path: String, bufferBytes: Int = 4 << 20) throws {
        self.path = path
        fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { throw SpillWriter.failure("open", path, errno) }
        buffer = [UInt8](repeating: 0, count: bufferBytes)
    }

    deinit { close(fd) }

    /// True when every record has been read.
    func finished() throws -> Bool {
        if start < end { return false }
        try fill(1)
        return start >= end
    }

    /// Makes at least `count` bytes available, unless the file ends first.
    private func fill(_ count: Int) throws {
        guard end - start < count, !atEnd else { return }
        if start > 0 {
            buffer.withUnsafeMutableBytes { raw in
                _ = memmove(raw.baseAddress!, raw.baseAddress! + start, end - start)
            }
            end -= start
            start = 0
        }
        if buffer.count < count { buffer += [UInt8](repeating: 0, count: count - buffer.count) }
        while end < buffer.count {
            let n = buffer.withUnsafeMutableBytes { raw in
                Foundation.read(fd, raw.baseAddress! + end, raw.count - end)
            }
            if n < 0 {
                if errno == EINTR { continue }
                throw SpillWriter.failure("read", path, errno)
            }
            if n == 0 {
                atEnd = true
                break
            }
            end += n
        }
    }

    private func need(_ count: Int) throws {
        try fill(count)
        guard end - start >= count else {
            throw DesyncError(
                .output, "the temporary file '\(path)' ends inside a record",
                cause: "it was changed or truncated while desync ran; run again")
        }
    }

    @inline(__always)
    func read<T: BitwiseCopyable>(_: T.Type = T.self) throws -> T {
        let size = MemoryLayout<T>.size
        if end - start < size { try need(size) }
        let value = buffer.withUnsafeBytes { $0.loadUnaligned(fromByteOffset: start, as: T.self) }
        start += size
        return value
    }

    /// Passes over the next `count` bytes.
    func skip(_ count: Int) throws {
        if end - start < count { try need(count) }
        start += count
    }

    /// Calls `body` with the next `count` bytes, valid only during the call.
    func bytes<R>(_ count: Int, _ body: (UnsafeBufferPointer<UInt8>) throws -> R) throws -> R {
        if end - start < count { try need(count) }
        defer { start += count }
        return try buffer.withUnsafeBufferPointer {
            try body(UnsafeBufferPointer(rebasing: $0[start..<start + count]))
        }
    }
}
