import ChopShell
import Foundation

/// The user's own defaults, as clush reads `clush.conf` and Ansible `ansible.cfg`: chop lines (`set fanout 128`,
/// `inventory ~/fleet/hosts.yml`, `name …`) run at start, in every mode, before the command line's hosts.
///
/// A line that fails is reported as `FILE:LINE` and skipped, and chop goes on: a typo in a file edited weeks ago
/// must not lock the user out of the shell. A missing file is no error (most users have none).
struct InitFile {
    /// `$XDG_CONFIG_HOME/chop/init.chop`, by default `~/.config/chop/init.chop`.
    static var defaultPath: String { Terminal.configFolder + "/chop/init.chop" }

    let path: String

    func run(in session: Session) async {
        guard FileManager.default.fileExists(atPath: path) else { return }
        guard let text = try? String(contentsOfFile: path, encoding: .utf8) else {
            let message = "chop: cannot read \(path) (not UTF-8 text, or not readable); going on without it\n"
            FileHandle.standardError.write(Data(message.utf8))
            return
        }
        _ = await session.runScript(text, name: path, onError: .skip)
    }
}
