import XCTest

@testable import ChopShell

final class NodeSetTests: XCTestCase {
    // MARK: - expand

    func testExpandSplitsTopLevelCommas() throws {
        XCTAssertEqual(try NodeSet.expand("a,b,web[1-3]"), ["a", "b", "web1", "web2", "web3"])
    }

    func testExpandPlainNameIsItself() throws {
        XCTAssertEqual(try NodeSet.expand("localhost"), ["localhost"])
        XCTAssertEqual(try NodeSet.expand("web1.example.com"), ["web1.example.com"])
    }

    func testExpandKeepsZeroPadding() throws {
        let names = try NodeSet.expand("web[01-12].example.com")
        XCTAssertEqual(names.count, 12)
        XCTAssertEqual(names.first, "web01.example.com")
        XCTAssertEqual(names[8], "web09.example.com")
        XCTAssertEqual(names[9], "web10.example.com")
        XCTAssertEqual(names.last, "web12.example.com")
    }

    func testExpandPaddingAcrossWidthChange() throws {
        XCTAssertEqual(try NodeSet.expand("x[08-11]"), ["x08", "x09", "x10", "x11"])
        XCTAssertEqual(try NodeSet.expand("x[098-101]"), ["x098", "x099", "x100", "x101"])
        XCTAssertEqual(try NodeSet.expand("x[9-11]"), ["x9", "x10", "x11"])
    }

    func testExpandSingleValueKeepsItsDigits() throws {
        XCTAssertEqual(try NodeSet.expand("x[007]"), ["x007"])
        XCTAssertEqual(try NodeSet.expand("x[0]"), ["x0"])
    }

    func testExpandListOfValuesAndRanges() throws {
        XCTAssertEqual(try NodeSet.expand("db[1,3,5-7]"), ["db1", "db3", "db5", "db6", "db7"])
    }

    func testExpandCommaInsideBracketsDoesNotSplitItems() throws {
        XCTAssertEqual(try NodeSet.expand("web[1,2].x,db"), ["web1.x", "web2.x", "db"])
    }

    func testExpandSeveralGroupsIsCartesianProductLeftmostSlowest() throws {
        XCTAssertEqual(
            try NodeSet.expand("r[1-2]n[1-3]"),
            ["r1n1", "r1n2", "r1n3", "r2n1", "r2n2", "r2n3"])
        XCTAssertEqual(try NodeSet.expand("[1-2]-x"), ["1-x", "2-x"])
    }

    func testExpandStep() throws {
        XCTAssertEqual(try NodeSet.expand("n[1-10/3]"), ["n1", "n4", "n7", "n10"])
        XCTAssertEqual(try NodeSet.expand("n[01-09/4]"), ["n01", "n05", "n09"])
        XCTAssertEqual(try NodeSet.expand("n[1-3/1]"), ["n1", "n2", "n3"])
    }

    func testExpandIgnoresWhitespaceButRefusesEmptyItems() throws {
        XCTAssertEqual(try NodeSet.expand(" a , b "), ["a", "b"])
        XCTAssertEqual(try NodeSet.expand("x[ 1 , 3 ]"), ["x1", "x3"])
        XCTAssertEqual(try NodeSet.expand(""), [])
        assertExpandFails(",", .emptyItem, "empty item in ',': nothing before the first ','")
        assertExpandFails("a,,b", .emptyItem, "empty item in 'a,,b': nothing between two commas")
        assertExpandFails("nova6,", .emptyItem, "empty item in 'nova6,': nothing after the last ','")
        assertExpandFails(" a , ,b", .emptyItem, "empty item in ' a , ,b': nothing between two commas")
    }

    func testNegativeRanges() throws {
        XCTAssertEqual(try NodeSet.expand("n[-5]"), ["n-5"])
        XCTAssertEqual(try NodeSet.expand("n[-2-1]"), ["n-2", "n-1", "n0", "n1"])
        XCTAssertEqual(try NodeSet.expand("n[-5--3]"), ["n-5", "n-4", "n-3"])
        XCTAssertEqual(
            Set(try NodeSet.expand(NodeSet.fold(try NodeSet.expand("n[-2-1]")))), ["n-2", "n-1", "n0", "n1"])
    }

    func testPaddingMismatchInOneRange() throws {
        assertExpandFails(
            "n[1-044]", .paddingMismatch,
            "padding mismatch in '1-044' in 'n[1-044]': a zero-padded range has the same number of digits at both "
                + "ends, e.g. 001-044")
        assertExpandFails(
            "n[001-44]", .paddingMismatch,
            "padding mismatch in '001-44' in 'n[001-44]': a zero-padded range has the same number of digits at both "
                + "ends, e.g. 001-044")
        XCTAssertEqual(try NodeSet.expand("n[08-10]"), ["n08", "n09", "n10"])
        XCTAssertEqual(try NodeSet.expand("n[1,03,05]"), ["n1", "n03", "n05"])
    }

    func testExpandDropsDuplicatesKeepingFirst() throws {
        XCTAssertEqual(try NodeSet.expand("web[1-3],web2,a,a"), ["web1", "web2", "web3", "a"])
        XCTAssertEqual(try NodeSet.expand("x[3,1-3]"), ["x3", "x1", "x2"])
    }

    func testExpandAllowsExactlyTheMaximum() throws {
        let names = try NodeSet.expand("x[1-100000]")
        XCTAssertEqual(names.count, 100_000)
        XCTAssertEqual(names.last, "x100000")
    }

    // MARK: - expand errors

    private func assertExpandFails(
        _ pattern: String, _ kind: NodeSetError.Kind, _ message: String,
        file: StaticString = #filePath, line: UInt = #line
    ) {
        do {
            let names = try NodeSet.expand(pattern)
            XCTFail("expected \(kind) for '\(pattern)', got \(names.prefix(5))", file: file, line: line)
        } catch {
            XCTAssertEqual(error.kind, kind, file: file, line: line)
            XCTAssertEqual(error.message, message, file: file, line: line)
            XCTAssertEqual(error.description, message, file: file, line: line)
            XCTAssertFalse(error.description.contains("\n"), file: file, line: line)
        }
    }

    func testUnbalancedBrackets() {
        assertExpandFails("web[1-3", .unbalancedBracket, "unbalanced bracket in 'web[1-3': missing ']'")
        assertExpandFails("web1-3]", .unbalancedBracket, "unbalanced bracket in 'web1-3]': ']' without '['")
        assertExpandFails("a,web[1,2", .unbalancedBracket, "unbalanced bracket in 'a,web[1,2': missing ']'")
        assertExpandFails("x[1[2]]", .unbalancedBracket, "nested '[' in 'x[1[2]]': bracket groups cannot nest")
    }

    func testEmptyRange() {
        assertExpandFails("x[]", .emptyRange, "empty range '[]' in 'x[]'")
        assertExpandFails("x[ ]", .emptyRange, "empty range '[]' in 'x[ ]'")
        assertExpandFails("x[1,,3]", .emptyRange, "empty range element in 'x[1,,3]'")
        assertExpandFails("x[1,]", .emptyRange, "empty range element in 'x[1,]'")
    }

    func testReversedRange() {
        assertExpandFails("web[5-1]", .reversedRange, "reversed range '5-1' in 'web[5-1]': start is greater than end")
    }

    func testNonNumericRange() {
        assertExpandFails("x[a-c]", .nonNumericRange, "non-numeric range 'a-c' in 'x[a-c]'")
        assertExpandFails("x[1-]", .nonNumericRange, "range '1-' in 'x[1-]' has no end after '-'")
        assertExpandFails("x[-]", .nonNumericRange, "non-numeric range '-' in 'x[-]'")
        assertExpandFails("x[1-2-3]", .nonNumericRange, "non-numeric range '1-2-3' in 'x[1-2-3]'")
        assertExpandFails("x[+1]", .nonNumericRange, "non-numeric range '+1' in 'x[+1]'")
        assertExpandFails("x[1-5/a]", .nonNumericRange, "non-numeric range '1-5/a' in 'x[1-5/a]'")
    }

    func testNumberTooLarge() {
        assertExpandFails(
            "x[1-99999999999999999999]", .numberTooLarge,
            "number too large in '1-99999999999999999999' in 'x[1-99999999999999999999]'")
    }

    func testInvalidStep() {
        assertExpandFails("x[1-10/0]", .invalidStep, "invalid step '0' in 'x[1-10/0]': must be at least 1")
        assertExpandFails("x[5/2]", .invalidStep, "step needs a range in '5/2' in 'x[5/2]'")
    }

    func testTooManyNames() {
        assertExpandFails("x[1-100001]", .tooManyNames, "'x[1-100001]' expands to more than 100000 names")
        assertExpandFails("r[1-1000]n[1-1000]", .tooManyNames, "'r[1-1000]n[1-1000]' expands to more than 100000 names")
        assertExpandFails("x[1-60000],y[1-60000]", .tooManyNames, "pattern expands to more than 100000 names")
        assertExpandFails(
            "x[1-999999999999999999]y[1-999999999999999999]", .tooManyNames,
            "'x[1-999999999999999999]y[1-999999999999999999]' expands to more than 100000 names")
    }

    // MARK: - isPattern

    func testIsPattern() {
        XCTAssertTrue(NodeSet.isPattern("web[1-3]"))
        XCTAssertTrue(NodeSet.isPattern("a,b"))
        XCTAssertTrue(NodeSet.isPattern("web1]"))
        XCTAssertFalse(NodeSet.isPattern("web1"))
        XCTAssertFalse(NodeSet.isPattern("web1.example.com"))
        XCTAssertFalse(NodeSet.isPattern(""))
    }

    // MARK: - fold

    func testFoldPaddedSeriesAndOtherPrefix() {
        let names = (1...9).map { "web0\($0)" } + ["web11", "db1"]
        XCTAssertEqual(NodeSet.fold(names), "db1,web[01-09,11]")
    }

    func testFoldKeepsOrderOfFirstAppearanceAndSortsNumbers() {
        XCTAssertEqual(NodeSet.fold(["db2", "web3", "db1", "web1", "web2"]), "db[1-2],web[1-3]")
    }

    func testFoldNamesWithoutDigitsStayAsIs() {
        XCTAssertEqual(NodeSet.fold(["localhost", "gateway", "web1"]), "gateway,localhost,web1")
        XCTAssertEqual(NodeSet.fold(["red2", "green", "red1", "blue", "red3"]), "blue,green,red[1-3]")
        XCTAssertEqual(NodeSet.fold(["web10", "web9", "web2"]), "web[2,9-10]")
    }

    func testFoldEmptyAndSingle() {
        XCTAssertEqual(NodeSet.fold([]), "")
        XCTAssertEqual(NodeSet.fold(["web01"]), "web01")
    }

    func testFoldDropsDuplicates() {
        XCTAssertEqual(NodeSet.fold(["a1", "a1", "a2"]), "a[1-2]")
    }

    func testFoldRespectsPadding() {
        XCTAssertEqual(NodeSet.fold(["web1", "web01"]), "web[1,01]")
        XCTAssertEqual(NodeSet.fold(["n1", "n03", "n05"]), "n[1,03,05]")
        XCTAssertEqual(NodeSet.fold(["n08", "n09", "n10", "n100"]), "n[08-10,100]")
        XCTAssertEqual(NodeSet.fold(["web09", "web10"]), "web[09-10]")
        XCTAssertEqual(NodeSet.fold(["web9", "web10"]), "web[9-10]")
        // ClusterShell's order: shorter text first (nodeset -f says web[1-2,01-02]).
        XCTAssertEqual(NodeSet.fold(["web01", "web1", "web2", "web02"]), "web[1-2,01-02]")
    }

    /// The rules ClusterShell has and chop follows (the oracle test checks the whole corpus against nodeset).
    func testClusterShellRulesForDigitsNextToBrackets() throws {
        XCTAssertEqual(try NodeSet.fold(pattern: "n[-5-5]"), "n[-5-5]")
        XCTAssertEqual(NodeSet.fold(try NodeSet.expand("n[-5-5]")), "n[0-5],n-[1-5]", "names alone: as nodeset -f")
        XCTAssertEqual(try NodeSet.expand("n0[1-3]"), ["n01", "n02", "n03"])
        XCTAssertEqual(try NodeSet.expand("prod-1[10-345]").count, 1236, "110-1345, as ClusterShell reads it")
        XCTAssertEqual(try NodeSet.expand("nova[1-2]56"), ["nova156", "nova256"])
        XCTAssertEqual(try NodeSet.expand("n[ 1 - 2 ]"), ["n1", "n2"])
        for (bad, message) in [
            ("0[7-10]", "padding mismatch in '07-010'"), ("prod-0[10-345]", "padding mismatch in '010-0345'"),
            ("n[-001]", "a negative number cannot be zero-padded"),
            ("n[1-4]0[3-4]", "a '[' cannot follow ']' directly or after digits only"),
            ("n[1-2][3-4]", "a '[' cannot follow ']' directly"),
            ("n[1-7/2]0", "digits cannot follow a range with a step"),
        ] {
            XCTAssertThrowsError(try NodeSet.expand(bad), bad) { error in
                XCTAssertTrue("\(error)".contains(message), "\(bad): \(error)")
            }
        }
        // Several dimensions fold in ClusterShell's order: larger vectors first.
        XCTAssertEqual(try NodeSet.fold(pattern: "da[2-3]c[1-2],da[3-4]c[3-4]"), "da3c[1-4],da2c[1-2],da4c[3-4]")
        XCTAssertEqual(NodeSet.fold(["r1n1", "r1n2", "r2n1", "r2n2", "r3n1"]), "r[1-2]n[1-2],r3n1")
    }

    func testFoldKeepsSuffixes() {
        XCTAssertEqual(
            NodeSet.fold(["web1.example.com", "web2.example.com", "web3.example.org"]),
            "web[1-2].example.com,web3.example.org")
    }

    func testFoldMultipleNumericFields() throws {
        XCTAssertEqual(NodeSet.fold(try NodeSet.expand("r[1-2]n[1-3]")), "r[1-2]n[1-3]")
        XCTAssertEqual(NodeSet.fold(["r1n1", "r2n1"]), "r[1-2]n1")
        XCTAssertEqual(NodeSet.fold(["r1n1", "r1n2", "r2n1"]), "r1n[1-2],r2n1")
        XCTAssertEqual(NodeSet.fold(["10.0.0.1", "10.0.0.2", "10.0.0.3"]), "10.0.0.[1-3]")
    }

    func testFoldTreatsHugeDigitRunsAsText() {
        XCTAssertEqual(
            NodeSet.fold(["x12345678901234567890", "y1"]), "x12345678901234567890,y1")
    }

    func testRoundTripKeepsTheSet() throws {
        let samples: [[String]] = [
            ["web01", "web02", "web10", "web1", "web9", "web010", "db", "db1", "db001"],
            ["r1n1", "r1n2", "r2n1", "r2n2", "r3n5", "x", "10.0.0.1", "10.0.1.1"],
            try NodeSet.expand("a[1-3]b[01-02]c[8-11],z[098-102]"),
        ]
        for names in samples {
            let folded = NodeSet.fold(names)
            XCTAssertEqual(Set(try NodeSet.expand(folded)), Set(names), folded)
        }
    }

    func testRoundTripOnPseudoRandomNames() throws {
        var state: UInt64 = 0x2545_F491_4F6C_DD1D
        func next(_ bound: Int) -> Int {
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            return Int((state >> 33) % UInt64(bound))
        }
        let prefixes = ["web", "db", "r", "node-", ""]
        let suffixes = ["", ".lan", "n", "-a"]
        for _ in 0..<50 {
            var names: [String] = []
            for _ in 0..<(1 + next(40)) {
                let padded = next(3) == 0
                let number = next(120)
                let digits = padded && number < 100 ? (number < 10 ? "00\(number)" : "0\(number)") : "\(number)"
                names.append(prefixes[next(prefixes.count)] + digits + suffixes[next(suffixes.count)])
            }
            let folded = NodeSet.fold(names)
            XCTAssertEqual(Set(try NodeSet.expand(folded)), Set(names), folded)
        }
    }
}
