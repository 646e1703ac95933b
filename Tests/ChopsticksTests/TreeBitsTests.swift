import XCTest

@testable import Chopsticks

/// `TreeBits`, the one-bit-a-file sets of wanted files that keep a tree put's memory flat.
final class TreeBitsTests: XCTestCase {
    func testInsertContainsAndIterationInOrder() {
        var bits = TreeBits([130, 3, 64, 63, 3, 0])
        XCTAssertEqual(bits.count, 5, "an index inserted twice counts once")
        XCTAssertEqual(Array(bits), [0, 3, 63, 64, 130])
        XCTAssertTrue(bits.contains(64))
        XCTAssertFalse(bits.contains(65))
        XCTAssertFalse(bits.contains(10_000), "beyond the last word")
        XCTAssertFalse(bits.contains(-1))
        bits.insert(1_000)
        XCTAssertEqual(bits.first(atOrAfter: 131), 1_000)
        XCTAssertEqual(bits.first(atOrAfter: 64), 64)
        XCTAssertNil(bits.first(atOrAfter: 1_001))
        XCTAssertEqual(bits.first, 0)
        XCTAssertTrue(TreeBits().isEmpty)
        XCTAssertNil(TreeBits().first)
    }
}
