import Chopsticks

/// `add docker NAME... [--image IMAGE] [--python PATH]`: new throwaway containers started from an image.
public struct AddDockerCommand: ChopCommand, Equatable {
    public static let declaration = CommandDeclaration(
        name: "add docker",
        synopsis: "add docker NAME...",
        summary: "start containers from IMAGE (default: set docker-image)",
        options: [
            .value("--image", "IMAGE", example: "python:3-slim", "the image to start (default: set docker-image)"),
            .python,
        ],
        help: """
            Each container runs with --rm and --pull never; it is removed when it leaves the group or chop ends.

            Examples:
              add docker test1 --image python:3.12-slim
            """)

    public var names: [String]
    /// nil: the `docker-image` setting.
    public var image: String?
    public var python: String?

    public static func parse(_ arguments: CommandArguments) throws(ParseError) -> AddDockerCommand {
        let (names, options) = try arguments.names(
            least: 1, missing: "add docker needs a container name")
        return AddDockerCommand(names: names, image: options.value("--image"), python: options.value("--python"))
    }

    public func run(in session: isolated Session, target: String?) async throws -> CommandResult {
        let settings = session.settings
        var tunnels: [Tunnel] = []
        for name in names {
            let kind = try Docker(name, image: image ?? settings.dockerImage, python: python ?? settings.python)
            tunnels.append(Tunnel(kind, connectTimeout: max(settings.connectTimeout, 30)))
        }
        return try await MemberDirectory.add(tunnels, in: session)
    }
}
