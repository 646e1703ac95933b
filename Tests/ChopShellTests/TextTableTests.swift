import XCTest

@testable import ChopShell

final class TextTableTests: XCTestCase {
    func testRendersLeftAlignedColumnsWithTwoSpaces() {
        var table = TextTable(headers: ["HOST", "EXIT"])
        table.addRow(["web01", "0"])
        table.addRow(["db1", "127"])
        XCTAssertEqual(table.columnWidths(maxWidth: 80), [5, 4])
        XCTAssertEqual(table.render(maxWidth: 80), ["HOST   EXIT", "web01  0", "db1    127"])
    }

    func testNoLineHasTrailingSpaces() {
        var table = TextTable(headers: ["A", "LONG HEADER", "C"])
        table.addRow(["x", "", ""])
        table.addRow(["", "y", " "])
        let lines = table.render(maxWidth: 80)
        XCTAssertEqual(lines, ["A  LONG HEADER  C", "x", "   y"])
        XCTAssertFalse(lines.contains { $0.hasSuffix(" ") })
    }

    func testShrinksLastColumnFirst() {
        var table = TextTable(headers: ["HOST", "EXIT", "OUTPUT"])
        table.addRow(["web01", "0", "hello world this is long"])
        table.addRow(["db1", "127", "x"])
        XCTAssertEqual(table.columnWidths(maxWidth: 30), [5, 4, 17])
        XCTAssertEqual(
            table.render(maxWidth: 30),
            [
                "HOST   EXIT  OUTPUT",
                "web01  0     hello world this…",
                "db1    127   x",
            ])
    }

    func testThenShrinksWidestOtherColumn() {
        var table = TextTable(headers: ["A", "B", "C"])
        table.addRow([
            String(repeating: "a", count: 10), String(repeating: "b", count: 20), String(repeating: "c", count: 8),
        ])
        XCTAssertEqual(table.columnWidths(maxWidth: 30), [10, 12, 4])
        XCTAssertEqual(table.render(maxWidth: 30)[1], "aaaaaaaaaa  bbbbbbbbbbb…  ccc…")
    }

    func testEquallyWideColumnsShrinkEvenly() {
        var table = TextTable(headers: ["A", "B", "C"])
        table.addRow([String(repeating: "a", count: 10), String(repeating: "b", count: 10), "cccc"])
        XCTAssertEqual(table.columnWidths(maxWidth: 20), [6, 6, 4])
        XCTAssertEqual(table.columnWidths(maxWidth: 21), [6, 7, 4])
    }

    func testNeverShrinksBelowFourColumns() {
        var table = TextTable(headers: ["A", "B", "C", "D"])
        table.addRow([String(repeating: "a", count: 10), String(repeating: "b", count: 10), "cccccc", "x"])
        XCTAssertEqual(table.columnWidths(maxWidth: 5), [4, 4, 4, 1])
        XCTAssertEqual(table.render(maxWidth: 5), ["A     B     C     D", "aaa…  bbb…  ccc…  x"])
    }

    func testUsesDisplayWidth() {
        var table = TextTable(headers: ["名前", "N"])
        table.addRow(["日本", "1"])
        table.addRow(["a", "2"])
        XCTAssertEqual(table.columnWidths(maxWidth: 80), [4, 1])
        XCTAssertEqual(table.render(maxWidth: 80), ["名前  N", "日本  1", "a     2"])
    }

    func testPadsTruncatedWideCells() {
        var table = TextTable(headers: ["NAME", "V"])
        table.addRow(["日本語日本語", "v"])
        XCTAssertEqual(table.columnWidths(maxWidth: 9), [6, 1])
        XCTAssertEqual(table.render(maxWidth: 9), ["NAME    V", "日本…   v"])
    }

    func testRaggedRows() {
        var table = TextTable(headers: ["A", "B"])
        table.addRow(["x"])
        table.addRow(["1", "2", "3"])
        XCTAssertEqual(table.columnCount, 3)
        XCTAssertEqual(table.render(maxWidth: 80), ["A  B", "x", "1  2  3"])
    }

    func testEmptyTables() {
        XCTAssertEqual(TextTable(headers: []).render(maxWidth: 80), [])
        XCTAssertEqual(TextTable(headers: []).columnWidths(maxWidth: 80), [])
        XCTAssertEqual(TextTable(headers: ["A", "B"]).render(maxWidth: 80), ["A  B"])
    }
}
