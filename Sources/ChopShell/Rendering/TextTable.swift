/// A left-aligned plain-text table that fits a terminal width.
///
/// Used for per-host summaries (`status`, `hosts`, exit codes) where one row per host must stay on one line so the
/// table remains scannable; overlong cells are cut with "…" instead of wrapping. Layout is done on display width
/// (see `TerminalText.displayWidth`), and colouring is left to the caller, which can pad its own coloured text with
/// `columnWidths(maxWidth:)`.
public struct TextTable: Sendable {
    /// Narrowest a column is shrunk to when the table is too wide (unless its content is narrower), so that a
    /// truncated cell still shows a few characters plus "…".
    public static let minimumColumnWidth = 4

    /// Columns are separated by this many spaces; there are no borders.
    public static let columnGap = 2

    /// The header cells, shown as the first line.
    public private(set) var headers: [String]
    /// The body rows, in insertion order.
    public private(set) var rows: [[String]] = []

    /// Creates an empty table. Cells must already be sanitized (`TerminalText.sanitize`).
    public init(headers: [String]) {
        self.headers = headers
    }

    /// Appends a row. A row shorter than the header is padded with empty cells; a longer row adds columns with
    /// empty headers, so no data is silently dropped.
    public mutating func addRow(_ cells: [String]) {
        rows.append(cells)
    }

    /// Number of columns: the widest of the header and all rows.
    public var columnCount: Int {
        rows.reduce(headers.count) { max($0, $1.count) }
    }

    /// Column widths (in display columns) that `render(maxWidth:)` uses.
    ///
    /// Each column starts at its widest cell. While the table (including gaps) is wider than `maxWidth`, the last
    /// column shrinks first, because it usually holds free text such as command output; then the widest of the
    /// others shrink. No column is shrunk below `minimumColumnWidth`, so the table can stay wider than `maxWidth`
    /// when there is no room at all.
    public func columnWidths(maxWidth: Int) -> [Int] {
        let count = columnCount
        guard count > 0 else { return [] }
        var widths = [Int](repeating: 0, count: count)
        for row in [headers] + rows {
            for (column, cell) in row.enumerated() {
                widths[column] = max(widths[column], TerminalText.displayWidth(cell))
            }
        }
        let floors = widths.map { min($0, Self.minimumColumnWidth) }
        var excess = widths.reduce(0, +) + Self.columnGap * (count - 1) - maxWidth
        guard excess > 0 else { return widths }

        let last = count - 1
        let lastCut = min(excess, widths[last] - floors[last])
        widths[last] -= lastCut
        excess -= lastCut

        // Shrink the widest remaining columns level by level, so equally wide columns lose width evenly.
        while excess > 0 {
            let candidates = (0..<last).filter { widths[$0] > floors[$0] }
            guard let widest = candidates.map({ widths[$0] }).max() else { break }
            let top = candidates.filter { widths[$0] == widest }
            let nextLevel = candidates.map { widths[$0] }.filter { $0 < widest }.max() ?? 0
            let perColumn = max(1, min(widest - nextLevel, (excess + top.count - 1) / top.count))
            for column in top where excess > 0 {
                let cut = min(perColumn, widths[column] - floors[column], excess)
                widths[column] -= cut
                excess -= cut
            }
        }
        return widths
    }

    /// The table as lines: the header line followed by one line per row, without trailing spaces.
    ///
    /// Cells wider than their column are truncated with "…" (`TerminalText.truncate`). Returns no lines for a
    /// table without columns.
    public func render(maxWidth: Int) -> [String] {
        let widths = columnWidths(maxWidth: maxWidth)
        guard !widths.isEmpty else { return [] }
        let gap = String(repeating: " ", count: Self.columnGap)
        return ([headers] + rows).map { row in
            var line = ""
            for (column, width) in widths.enumerated() {
                let cell = TerminalText.truncate(column < row.count ? row[column] : "", toWidth: width)
                if column > 0 {
                    line += gap
                }
                line += cell + String(repeating: " ", count: max(0, width - TerminalText.displayWidth(cell)))
            }
            while line.last == " " {
                line.removeLast()
            }
            return line
        }
    }
}
