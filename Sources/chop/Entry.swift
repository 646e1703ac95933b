import ChopCLI

/// The executable is only this: everything else lives in ChopCLI (terminal glue) and ChopShell (logic),
/// where tests can reach it.
@main
extension Chop {}
