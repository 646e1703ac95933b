/// The program that starts the agent as another user.
///
/// `sudo` goes through chop's password broker (`SudoLaunch`). `doas` (OpenDoas) and `su` read a password only
/// from a terminal, and chop never gives the agent one (a pty would corrupt the frames), so with them chop runs
/// where their rules need no password — a `permit nopass` rule, or `su` from root — and says so in one line
/// where one is needed.
public enum SudoTool: String, Sendable, CaseIterable {
    case sudo, doas, su
}
