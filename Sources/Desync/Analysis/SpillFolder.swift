import Foundation

/// The temporary files of one external computation, in a folder the
/// caller owns: each file gets a unique name (`mkstemp`), and every file
/// still listed is deleted by `removeAll()` or, at the latest, when the
/// folder object goes away, so an error or an abandoned computation
/// leaves nothing behind (a killed process still can).
final class SpillFolder {
    let directory: String
    private var paths: Set<String> = []

    /// Checks that `directory` is a folder; files are created later.
    init(directory: String) throws {
        var info = stat()
        guard stat(directory, &info) == 0, info.st_mode & S_IFMT == S_IFDIR else {
            throw DesyncError(
                .output,
                "the temporary folder '\(directory)' does not exist or is not a folder: "
                    + "create it or point --temp-dir at another one")
        }
        self.directory = directory
    }

    deinit { removeAll() }

    /// The path of a new empty file, named after `purpose`, for a
    /// `SpillWriter`.
    func create(_ purpose: String) throws -> String {
        var template = Array("\(directory)/desync-\(purpose)-XXXXXX".utf8CString)
        let fd = template.withUnsafeMutableBufferPointer { mkstemp($0.baseAddress!) }
        let path = template.withUnsafeBufferPointer { String(cString: $0.baseAddress!) }
        guard fd >= 0 else { throw SpillWriter.failure("create", path, errno) }
        close(fd)
        paths.insert(path)
        return path
    }

    /// Deletes one file now (best effort).
    func remove(_ path: String) {
        guard paths.remove(path) != nil else { return }
        unlink(path)
    }

    /// Deletes every file this folder created and has not deleted yet.
    func removeAll() {
        for path in paths { unlink(path) }
        paths.removeAll()
    }
}

/// A finished run file: where it is and how many records it holds.
struct SpillRun {
    var path: String
    var count: Int
}
