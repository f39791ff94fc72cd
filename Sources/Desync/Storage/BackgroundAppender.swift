import Dispatch
import Synchronization

/// Runs a store's appends on one background thread, in the order they were
/// asked for, so the pipeline computes the next rows while the store (a
/// PostgreSQL backend parsing COPY, or SQLite inserting) writes the last
/// ones. The connection is used by one thread at a time: the writer while
/// appends are pending, the caller again after `drain`.
///
/// At most `pending` tables wait at once: each holds the rows it will
/// write, so this bounds the memory the overlap costs.
final class BackgroundAppender: TableAppender, @unchecked Sendable {
    private let queue = DispatchQueue(label: "desync.store-writer")
    private let slots: DispatchSemaphore
    private let failure = Mutex<DesyncErrorBox?>(nil)
    // Unchecked: `write` uses the store's connection, which only the
    // writer thread touches until `drain` returns.
    private let write: (TableRows) throws -> Void

    init(pending: Int = 4, _ write: @escaping (TableRows) throws -> Void) {
        slots = DispatchSemaphore(value: pending)
        self.write = write
    }

    func append(_ rows: TableRows) throws {
        guard rows.count > 0 else { return }
        if let error = failure.withLock({ $0 }) { throw error.error }
        slots.wait()
        queue.async { [self] in
            defer { slots.signal() }
            guard failure.withLock({ $0 }) == nil else { return }
            do {
                try write(rows)
            } catch {
                failure.withLock { $0 = DesyncErrorBox(error: error) }
            }
        }
    }

    /// Waits for every pending append; throws the first one's error.
    func drain() throws {
        queue.sync {}
        if let error = failure.withLock({ $0 }) { throw error.error }
    }

    /// Runs `body` with this appender and waits for its appends, also when
    /// `body` throws (the connection must be idle before a rollback).
    func run<R>(_ body: (TableAppender) throws -> R) throws -> R {
        let result: R
        do {
            result = try body(self)
        } catch {
            try? drain()
            throw error
        }
        try drain()
        return result
    }
}

/// An error crossing from the writer thread to the caller.
private struct DesyncErrorBox: @unchecked Sendable {
    // Errors thrown by the stores are `DesyncError`s (Sendable); the box
    // only spares the generic `any Error` a Sendable check.
    let error: any Error
}
