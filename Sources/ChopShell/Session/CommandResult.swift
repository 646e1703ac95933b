import Chopsticks
import Foundation
import NIOConcurrencyHelpers

/// What a command line came to: the batch runner turns this into chop's exit status.
public enum CommandResult: Sendable, Equatable {
    /// Done, and every host succeeded (or there were no hosts involved).
    case ok
    /// The operation ran, and some host failed or errored.
    case hostsFailed
    /// The line was wrong (usage, unknown command, bad target) or a script check failed.
    case error
    /// The user asked to end the session.
    case quit
}
