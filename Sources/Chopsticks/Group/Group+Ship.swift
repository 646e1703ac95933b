/// chopsticks' import hook, as a group operation: the user's own modules become importable on every host.
extension Group {
    /// Ships each of `specs` (a `.py` file, a package directory, or a module name the local `python3` can
    /// import) to every member, which then imports it from chop on demand: `group.call("mymod.f")` just
    /// works. `reload` names modules to run again from their current local source. Throws when a spec
    /// cannot be shipped at all (before any host is contacted).
    public func ship(_ specs: [String], reload: [String] = []) async throws(ErrorResult) -> GroupResult<ShipResult> {
        var roots: [ShippedRoot] = []
        for spec in specs { roots.append(try await ShippedRoot.resolve(spec)) }
        let chosen = roots
        return await each { try await $0.ship(chosen, reload: reload) }
    }
}
