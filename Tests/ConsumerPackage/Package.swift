// swift-tools-version:6.0
import PackageDescription

// A new user's package that depends on chop's library by path, as it would by URL: built and run by .ci/run
// (`swift run --package-path Tests/ConsumerPackage`), so the public API (#26 item 5) is tried from outside.
let package = Package(
    name: "ConsumerPackage",
    platforms: [.macOS(.v14)],
    dependencies: [.package(name: "chop", path: "../..")],
    targets: [
        .executableTarget(name: "Consumer", dependencies: [.product(name: "Chopsticks", package: "chop")])
    ],
    swiftLanguageModes: [.v6]
)
