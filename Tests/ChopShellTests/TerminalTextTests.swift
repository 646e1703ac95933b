import XCTest

@testable import ChopShell

final class TerminalTextTests: XCTestCase {
    // MARK: - sanitize

    func testSanitizeKeepsPrintableText() {
        XCTAssertEqual(TerminalText.sanitize("hello wörld 日本 😀 e\u{301}"), "hello wörld 日本 😀 e\u{301}")
        XCTAssertEqual(TerminalText.sanitize(""), "")
        XCTAssertEqual(TerminalText.sanitize("bad \u{FFFD} byte"), "bad \u{FFFD} byte")
        XCTAssertEqual(TerminalText.sanitize("nbsp\u{A0}"), "nbsp\u{A0}")
    }

    func testSanitizeShowsEscape() {
        XCTAssertEqual(TerminalText.sanitize("\u{1B}[31mred\u{1B}[0m"), "^[[31mred^[[0m")
        XCTAssertEqual(TerminalText.sanitize("\u{1B}]0;title\u{07}"), "^[]0;title^G")
    }

    func testSanitizeUsesCaretNotationForC0AndDel() {
        XCTAssertEqual(TerminalText.sanitize("\u{00}"), "^@")
        XCTAssertEqual(TerminalText.sanitize("a\u{08}b"), "a^Hb")
        XCTAssertEqual(TerminalText.sanitize("line\n"), "line^J")
        XCTAssertEqual(TerminalText.sanitize("over\rwrite"), "over^Mwrite")
        XCTAssertEqual(TerminalText.sanitize("\u{1F}"), "^_")
        XCTAssertEqual(TerminalText.sanitize("x\u{7F}"), "x^?")
    }

    func testSanitizeTurnsTabIntoOneSpace() {
        XCTAssertEqual(TerminalText.sanitize("a\tb\t\tc"), "a b  c")
    }

    func testSanitizeLabelsC1Controls() {
        XCTAssertEqual(TerminalText.sanitize("\u{9B}2J"), "<U+009B>2J")
        XCTAssertEqual(TerminalText.sanitize("\u{80}\u{9F}"), "<U+0080><U+009F>")
    }

    func testSanitizeLabelsBidiControls() {
        XCTAssertEqual(TerminalText.sanitize("\u{202E}txt.exe"), "<U+202E>txt.exe")
        XCTAssertEqual(
            TerminalText.sanitize("\u{202A}\u{202B}\u{202C}\u{202D}"), "<U+202A><U+202B><U+202C><U+202D>")
        XCTAssertEqual(
            TerminalText.sanitize("\u{2066}a\u{2067}b\u{2068}c\u{2069}"), "<U+2066>a<U+2067>b<U+2068>c<U+2069>")
    }

    func testSanitizedTextHasNoControlCharacters() {
        let all = String(String.UnicodeScalarView((0...0xA0).compactMap { Unicode.Scalar(UInt32($0)) }))
        let clean = TerminalText.sanitize(all)
        XCTAssertFalse(clean.unicodeScalars.contains { $0.value < 0x20 || (0x7F...0x9F).contains($0.value) })
    }

    // MARK: - displayWidth

    func testDisplayWidthOfAsciiIsLength() {
        XCTAssertEqual(TerminalText.displayWidth(""), 0)
        XCTAssertEqual(TerminalText.displayWidth("abc def"), 7)
    }

    func testDisplayWidthOfWideCharacters() {
        XCTAssertEqual(TerminalText.displayWidth("日本語"), 6)
        XCTAssertEqual(TerminalText.displayWidth("한국어"), 6)
        XCTAssertEqual(TerminalText.displayWidth("ひらがな"), 8)
        XCTAssertEqual(TerminalText.displayWidth("ＡＢ"), 4)
        XCTAssertEqual(TerminalText.displayWidth("ｱ"), 1)
        XCTAssertEqual(TerminalText.displayWidth("😀🚀🦀"), 6)
        XCTAssertEqual(TerminalText.displayWidth("a日b"), 4)
    }

    func testDisplayWidthIgnoresZeroWidthScalars() {
        XCTAssertEqual(TerminalText.displayWidth("e\u{301}"), 1)
        XCTAssertEqual(TerminalText.displayWidth("a\u{200B}b"), 2)
        XCTAssertEqual(TerminalText.displayWidth("\u{200D}"), 0)
        XCTAssertEqual(TerminalText.displayWidth("\u{FE0F}"), 0)
        XCTAssertEqual(TerminalText.displayWidth("\u{20DD}"), 0)
    }

    // MARK: - truncate

    func testTruncateLeavesShortTextAlone() {
        XCTAssertEqual(TerminalText.truncate("hello", toWidth: 10), "hello")
        XCTAssertEqual(TerminalText.truncate("hello", toWidth: 5), "hello")
        XCTAssertEqual(TerminalText.truncate("", toWidth: 3), "")
    }

    func testTruncateEndsWithEllipsis() {
        XCTAssertEqual(TerminalText.truncate("hello world", toWidth: 5), "hell…")
        XCTAssertEqual(TerminalText.truncate("hello", toWidth: 4), "hel…")
        XCTAssertEqual(TerminalText.truncate("hello", toWidth: 1), "…")
    }

    func testTruncateToZeroOrLessIsEmpty() {
        XCTAssertEqual(TerminalText.truncate("hello", toWidth: 0), "")
        XCTAssertEqual(TerminalText.truncate("hello", toWidth: -3), "")
    }

    func testTruncateWideCharactersNeverExceedsWidth() {
        XCTAssertEqual(TerminalText.truncate("日本語abc", toWidth: 4), "日…")
        XCTAssertEqual(TerminalText.truncate("日本語", toWidth: 5), "日本…")
        XCTAssertEqual(TerminalText.truncate("日本語", toWidth: 6), "日本語")
        for width in 0...10 {
            let truncated = TerminalText.truncate("a日本語b😀c", toWidth: width)
            XCTAssertLessThanOrEqual(TerminalText.displayWidth(truncated), width, truncated)
        }
    }

    func testTruncateKeepsCombiningMarksWithTheirBase() {
        XCTAssertEqual(TerminalText.truncate("e\u{301}e\u{301}e\u{301}", toWidth: 2), "e\u{301}…")
    }
}
