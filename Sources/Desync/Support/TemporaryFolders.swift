import Foundation
import Synchronization

/// The temporary folders a run is using, so that a run stopped by a signal
/// (Ctrl-C, `kill`) can remove them on its way out. A run killed with
/// SIGKILL cannot; its folder is named `desync-run-…` in the temporary
/// directory.
public enum TemporaryFolders {
    private static let live = Mutex<Set<String>>([])

    static func register(_ path: String) {
        live.withLock { _ = $0.insert(path) }
    }

    static func remove(_ path: String) {
        try? FileManager.default.removeItem(atPath: path)
        live.withLock { _ = $0.remove(path) }
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
