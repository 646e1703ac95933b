import Foundation
import XCTest

@testable import Chopsticks

/// The checksum of every transfer, from the system's libcrypto: the FIPS 180 test vectors, and chunks.
final class SHA1Tests: XCTestCase {
    func testKnownDigests() {
        let empty = SHA1()
        XCTAssertEqual(empty.hexDigest(), "da39a3ee5e6b4b0d3255bfef95601890afd80709")
        let abc = SHA1()
        abc.update(Data("abc".utf8))
        XCTAssertEqual(abc.hexDigest(), "a9993e364706816aba3e25717850c26c9cd0d89d")
        let chunked = SHA1()
        for _ in 0..<1000 { chunked.update([UInt8](repeating: UInt8(ascii: "a"), count: 1000)) }
        XCTAssertEqual(chunked.hexDigest(), "34aa973cd4c4daa4f61eeb2bdbad27316534016f")
    }
}
