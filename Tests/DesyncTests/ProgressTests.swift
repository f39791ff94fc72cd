import Desync
import DesyncCLI
import DesyncTestSupport
import Foundation
import Testing

/// The progress line: on stderr when stderr is a terminal, never on
/// stdout, and not at all with --quiet or when stderr is not a terminal.
@Suite struct ProgressTests {
    func run(_ arguments: [String], terminal: Bool) -> (code: Int32, out: String, err: String) {
        let capture = Console.Capture()
        let code = CLI.main(arguments, console: .capturing(capture, terminal: terminal))
        return (code, capture.out, capture.err)
    }

    @Test func stagesShowProgressOnATerminalOnly() throws {
        let folder = temporaryFolder()
        let generate = [
            "generate", "--out", folder, "--sessions", "2", "--players", "2", "--ticks", "300",
        ]
        let shown = run(generate, terminal: true)
        #expect(shown.code == 0)
        #expect(shown.err.contains("\r\u{1B}[2Kgenerate: ") && shown.err.contains("ticks (100%)"))
        #expect(!shown.out.contains("\u{1B}"))

        let db = "sqlite:\(folder)/x.db"
        let runShown = run(["run", "--input", folder, "--db", db], terminal: true)
        #expect(runShown.code == 0, "\(runShown.err)")
        for stage in ["read: ", "join: ", "persist: "] {
            #expect(runShown.err.contains("\u{1B}[2K" + stage), "no progress for \(stage)")
        }
        #expect(runShown.err.contains("join: 2.4k/2.4k rows (100%)"))
        #expect(!runShown.out.contains("\u{1B}") && runShown.out.contains("desync_by_ping"))
        // The line is cleared before anything else is written.
        #expect(runShown.err.hasSuffix("\r\u{1B}[2K"))

        let quiet = run(["run", "--input", folder, "--db", db, "--quiet"], terminal: true)
        #expect(quiet.code == 0 && quiet.err.isEmpty)
        let piped = run(["run", "--input", folder, "--db", db], terminal: false)
        #expect(piped.code == 0 && piped.err.isEmpty)
        #expect(run(generate + ["--quiet", "--force"], terminal: true).err.isEmpty)
    }

    @Test func verboseLogsEachStageWithDurationAndCounts() throws {
        let folder = temporaryFolder()
        // 10 sessions × 5 players (the defaults) × 50 ticks = 2,500 rows a stream.
        #expect(
            run(["generate", "--out", folder, "--ticks", "50", "--quiet"], terminal: false).code
                == 0)
        let r = run(
            ["run", "--input", folder, "--db", "sqlite:\(folder)/x.db", "--verbose"],
            terminal: false)
        #expect(r.code == 0)
        let lines = r.err.split(separator: "\n")
        for stage in ["read", "join", "analyse", "persist"] {
            let line = lines.first { $0.contains("event=stage stage=\(stage) ") }
            #expect(line?.contains("seconds=") == true, "no stage log for \(stage)")
        }
        #expect(lines.contains { $0.contains("stage=read") && $0.contains("player_events=2500") })
        #expect(lines.contains { $0.contains("stage=join") && $0.contains("joined=2500") })
        #expect(lines.allSatisfy { $0.hasPrefix("level=") })
        #expect(!r.out.contains("level="))
    }
}
