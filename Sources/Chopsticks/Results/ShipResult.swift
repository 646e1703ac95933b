/// The outcome of shipping code to one host: every top-level name its agent can now import from chop, and
/// the modules it reloaded.
public struct ShipResult: OperationValue, Hashable {
    public var roots: [String]
    public var reloaded: [String]

    public init(roots: [String], reloaded: [String] = []) {
        self.roots = roots
        self.reloaded = reloaded
    }
}
