import ArgumentParser
import ChopCLI
import Foundation
import XCTest

/// The committed shell completion scripts must be what the command-line parser generates today:
/// this test fails when an option changes and the scripts were not regenerated (see README).
final class CompletionScriptTests: XCTestCase {
    static let folder = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("Completions").path

    func testCommittedScriptsMatchTheParser() throws {
        for (shell, file) in [(CompletionShell.bash, "chop.bash"), (.zsh, "_chop"), (.fish, "chop.fish")] {
            let committed = try String(contentsOfFile: "\(Self.folder)/\(file)", encoding: .utf8)
            let generated = Chop.completionScript(for: shell)
            XCTAssertEqual(
                committed.trimmingCharacters(in: .newlines), generated.trimmingCharacters(in: .newlines),
                "Completions/\(file) is stale: run chop --generate-completion-script \(shell) > Completions/\(file)")
        }
    }
}
