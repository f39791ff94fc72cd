import Desync
import DesyncCLI
import DesyncTestSupport
import Foundation
import Testing

/// Renders a report in a real browser (Debian's headless Chromium): the
/// page must load with no console errors and no blocked fetches, carry
/// every chart, and screenshot at 1280 px wide. Skipped locally without
/// Chromium; in CI (`CI=true`) a missing browser fails the test.
@Suite(.serialized) struct ReportBrowserTests {
    static var chromium: String? {
        let environment = ProcessInfo.processInfo.environment
        let candidates =
            [environment["DESYNC_CHROMIUM"]].compactMap { $0 }
            + ["/usr/bin/chromium", "/usr/bin/chromium-browser", "/snap/bin/chromium"]
        return candidates.first { FileManager.default.isExecutableFile(atPath: $0) }
    }

    /// Runs Chromium headless on `page`; returns stdout and stderr.
    func chromium(_ browser: String, _ arguments: [String], page: String, profile: String) throws
        -> (out: String, err: String)
    {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: browser)
        process.arguments =
            [
                "--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars",
                "--no-first-run", "--disable-extensions", "--user-data-dir=\(profile)",
                "--enable-logging=stderr", "--v=0",
            ] + arguments + ["file://" + page]
        // stderr goes to a file, so a chatty browser cannot stall on a full
        // pipe while we read stdout.
        let errPath = profile + ".stderr"
        FileManager.default.createFile(atPath: errPath, contents: nil)
        let err = try FileHandle(forWritingTo: URL(fileURLWithPath: errPath))
        let out = Pipe()
        process.standardOutput = out
        process.standardError = err
        try process.run()
        let outData = out.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        try err.close()
        let errText = try String(contentsOfFile: errPath, encoding: .utf8)
        return (String(decoding: outData, as: UTF8.self), errText)
    }

    /// Lines of Chromium's log that show the page misbehaving: console
    /// output (errors, blocked fetches and scripts), uncaught exceptions,
    /// failed loads.
    func problems(_ log: String) -> [Substring] {
        log.split(separator: "\n").filter {
            $0.contains("CONSOLE") || $0.contains("Uncaught") || $0.contains("Refused to")
                || $0.contains("net::ERR")
        }
    }

    func browser() -> String? {
        guard let browser = Self.chromium else {
            if ProcessInfo.processInfo.environment["CI"] == "true" {
                Issue.record("chromium is not installed: CI must install it (scripts/setup.sh)")
            }
            return nil
        }
        return browser
    }

    /// The check above can fail: a page with a script error and a blocked
    /// fetch is caught.
    @Test func aBrokenPageIsCaught() throws {
        guard let browser = browser() else { return }
        let folder = temporaryFolder("report-browser")
        let page = folder + "/broken.html"
        try
            ("<!DOCTYPE html><html><head><meta http-equiv=\"Content-Security-Policy\""
            + " content=\"default-src 'none'\"></head><body><p>x</p>"
            + "<svg viewBox=\"0 0 10 10\"><image href=\"http://127.0.0.1:9/x.png\"/></svg>"
            + "</body></html>").write(toFile: page, atomically: true, encoding: .utf8)
        let dom = try chromium(browser, ["--dump-dom"], page: page, profile: folder + "/profile")
        #expect(dom.out.contains("<p>x</p>"))
        #expect(!problems(dom.err).isEmpty)
    }

    @Test func reportLoadsInChromiumWithoutErrors() throws {
        guard let browser = browser() else { return }
        let fixture = try ReportFixture()
        let config = RunConfiguration(
            playerEventsPath: fixture.folder + "/player_events.jsonl",
            serverStatePath: fixture.folder + "/server_state.jsonl",
            store: .sqlite(path: fixture.database))
        _ = try Pipeline(configuration: config).run()
        // A plain folder for the page: Chromium's file URL must not need
        // escaping of the fixture folder's markup characters.
        let folder = temporaryFolder("report-browser")
        let page = folder + "/report.html"
        let capture = Console.Capture()
        let code = CLI.main(
            ["report", "--db", "sqlite:" + fixture.database, "--out", page],
            console: .capturing(capture))
        #expect(code == 0, "\(capture.err)")

        let dom = try chromium(browser, ["--dump-dom"], page: page, profile: folder + "/profile-a")
        for title in [
            "Ledger", "By ping band", "By packet loss", "Distances", "Ping × packet loss",
            "Threshold sweep", "Worst sessions", "Players with the highest de-sync rate",
        ] {
            #expect(dom.out.contains("<h2>\(title)</h2>"), "the rendered page lacks \(title)")
        }
        // Ledger 2 (rows, rejects), ping 2, loss 2, histogram, heat map,
        // sweep, one timeline per session (2), players.
        #expect(dom.out.components(separatedBy: "<svg ").count - 1 == 12)
        // The script player id was parsed as text: no script element.
        #expect(!dom.out.contains("<script"))
        #expect(dom.out.contains("&lt;script&gt;alert(1)&lt;/script&gt;"))

        let png = folder + "/report.png"
        let shot = try chromium(
            browser, ["--screenshot=\(png)", "--window-size=1280,2400"], page: page,
            profile: folder + "/profile-b")
        for log in [dom.err, shot.err] {
            let lines = problems(log)
            #expect(lines.isEmpty, "browser errors: \(lines.joined(separator: "\n"))")
        }
        let image = try Data(contentsOf: URL(fileURLWithPath: png))
        #expect(image.count > 50_000, "screenshot only \(image.count) bytes")
        #expect(Array(image.prefix(8)) == [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A])
        // The IHDR chunk holds width and height, big-endian, at 16 and 20.
        func word(_ at: Int) -> Int { image[at..<at + 4].reduce(0) { $0 << 8 | Int($1) } }
        #expect(word(16) == 1280 && word(20) == 2400)
    }
}
