import XCTest

@testable import ChopShell

final class UnifiedDiffTests: XCTestCase {
    func testPlaceholder() {}
}
