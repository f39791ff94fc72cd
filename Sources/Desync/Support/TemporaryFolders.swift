import Foundation
import Synchronization

/// The temporary folders a run is using, so that a run stopped by a signal
/// (Ctrl-C, `kill`) can remove them on its way out. A run killed with
/// SIGKILL cannot; its folder is named `desync-run-…` in the temporary
/// directory.
public enum TemporaryFolders {
    private static let live = Mutex<Set<String>>([])
    /// Open descriptors of the lock files this process holds, by path.
    private static let locks = Mutex<[String: Int32]>([:])

    /// The file in each spill folder its run keeps locked.
    static let lockName = "owner.lock"

    /// Creates `path` and holds an exclusive `flock` on it until the
    /// process ends or `remove` is called for its folder.
    static func lock(_ path: String) -> Bool {
        let fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0o600)
        guard fd >= 0 else { return false }
        guard flock(fd, LOCK_EX | LOCK_NB) == 0 else {
            close(fd)
            return false
        }
        locks.withLock { $0[path] = fd }
        return true
    }

    static func register(_ path: String) {
        live.withLock { _ = $0.insert(path) }
    }

    static func remove(_ path: String) {
        try? FileManager.default.removeItem(atPath: path)
        live.withLock { _ = $0.remove(path) }
        if let fd = locks.withLock({ $0.removeValue(forKey: path + "/" + lockName) }) {
            close(fd)
        }
    }

    /// Removes every registered folder; for a signal handler about to exit
    /// while the run's threads still write. Each folder is renamed first,
    /// so that files the run creates afterwards (by the old path) fail
    /// instead of landing in a folder being removed.
    public static func removeAll() {
        let paths = live.withLock { $0 }
        for path in paths {
            let doomed = path + ".removing"
            let target = rename(path, doomed) == 0 ? doomed : path
            try? FileManager.default.removeItem(atPath: target)
        }
    }
}
