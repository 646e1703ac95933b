import XCTest

@testable import ChopShell

final class CommandLineSplitterTests: XCTestCase {
    // MARK: - words

    func testWhitespaceSeparatesWords() throws {
        XCTAssertEqual(try CommandLineSplitter.words("ls -l  /tmp"), ["ls", "-l", "/tmp"])
        XCTAssertEqual(try CommandLineSplitter.words(" \t a\tb \r\n c "), ["a", "b", "c"])
        XCTAssertEqual(try CommandLineSplitter.words(""), [])
        XCTAssertEqual(try CommandLineSplitter.words("   "), [])
    }

    func testSingleQuotesAreLiteral() throws {
        XCTAssertEqual(
            try CommandLineSplitter.words(#"echo 'a  b' 'c\d' '$x "y"'"#),
            ["echo", "a  b", #"c\d"#, #"$x "y""#])
    }

    func testDoubleQuotesEscapeOnlyFourCharacters() throws {
        XCTAssertEqual(
            try CommandLineSplitter.words(#"echo "a \"b\" \\ \$x \` \n 'q'""#),
            ["echo", #"a "b" \ $x ` \n 'q'"#])
    }

    func testBackslashOutsideQuotesEscapesNextCharacter() throws {
        XCTAssertEqual(try CommandLineSplitter.words(#"a\ b c\"d \\ \'"#), ["a b", #"c"d"#, #"\"#, "'"])
    }

    func testQuotesJoinAdjacentText() throws {
        XCTAssertEqual(try CommandLineSplitter.words(#"a'b'"c"d e"#), ["abcd", "e"])
    }

    func testEmptyQuotesGiveEmptyWords() throws {
        XCTAssertEqual(try CommandLineSplitter.words(#"'' "" x ''"#), ["", "", "x", ""])
    }

    func testBackslashNewlineIsContinuation() throws {
        XCTAssertEqual(try CommandLineSplitter.words("a\\\nb"), ["ab"])
        XCTAssertEqual(try CommandLineSplitter.words("a \\\n b"), ["a", "b"])
        XCTAssertEqual(try CommandLineSplitter.words("\"a\\\nb\""), ["ab"])
        XCTAssertEqual(try CommandLineSplitter.words("'a\\\nb'"), ["a\\\nb"])
    }

    func testHashIsNotACommentInWords() throws {
        XCTAssertEqual(try CommandLineSplitter.words("echo #x"), ["echo", "#x"])
    }

    func testWordsErrors() {
        assertWordsFail("echo 'abc", .unterminatedSingleQuote, "unterminated single quote")
        assertWordsFail("echo \"abc", .unterminatedDoubleQuote, "unterminated double quote")
        assertWordsFail(#"echo "abc\""#, .unterminatedDoubleQuote, "unterminated double quote")
        assertWordsFail("echo abc\\", .trailingBackslash, "trailing backslash with nothing to escape")
    }

    private func assertWordsFail(
        _ line: String, _ kind: SplitError.Kind, _ message: String,
        file: StaticString = #filePath, line sourceLine: UInt = #line
    ) {
        do {
            let words = try CommandLineSplitter.words(line)
            XCTFail("expected \(kind), got \(words)", file: file, line: sourceLine)
        } catch {
            XCTAssertEqual(error.kind, kind, file: file, line: sourceLine)
            XCTAssertEqual(error.description, message, file: file, line: sourceLine)
        }
    }

    // MARK: - commands

    func testCommandsSplitOnSemicolonsAndNewlines() throws {
        XCTAssertEqual(try CommandLineSplitter.commands("a; b;c"), ["a", "b", "c"])
        XCTAssertEqual(try CommandLineSplitter.commands("a\n\n  b x \n;;\n"), ["a", "b x"])
        XCTAssertEqual(try CommandLineSplitter.commands("a\r\nb\r\n"), ["a", "b"])
        XCTAssertEqual(try CommandLineSplitter.commands(""), [])
    }

    func testCommandsHonourQuotesAndEscapes() throws {
        XCTAssertEqual(
            try CommandLineSplitter.commands(#"echo 'a;b' "c;d"; x"#),
            [#"echo 'a;b' "c;d""#, "x"])
        XCTAssertEqual(try CommandLineSplitter.commands(#"echo a\;b; c"#), [#"echo a\;b"#, "c"])
        XCTAssertEqual(try CommandLineSplitter.commands("echo \"a\nb\"\nls"), ["echo \"a\nb\"", "ls"])
        XCTAssertEqual(try CommandLineSplitter.commands(#"echo "a\"; b"; c"#), [#"echo "a\"; b""#, "c"])
    }

    func testCommandsStripComments() throws {
        let script = """
            # header comment; not a command
            ls # list; still a comment
            echo a#b
            a;#b
              # indented comment
            """
        XCTAssertEqual(try CommandLineSplitter.commands(script), ["ls", "echo a#b", "a"])
        XCTAssertEqual(try CommandLineSplitter.commands("echo '#x' \"#y\" \\#z"), [##"echo '#x' "#y" \#z"##])
    }

    func testCommandsJoinContinuationLines() throws {
        // A continued line joins with one space, its indentation dropped, as scripts are written.
        XCTAssertEqual(try CommandLineSplitter.commands("echo a \\\n  b\nls"), ["echo a b", "ls"])
        XCTAssertEqual(try CommandLineSplitter.commands("echo a\\\n\tb"), ["echo a b"])
        XCTAssertEqual(
            try CommandLineSplitter.numberedCommands("add local a\nrun echo \\\n  b\nping", semicolons: false),
            [.init(line: 1, text: "add local a"), .init(line: 2, text: "run echo b"), .init(line: 4, text: "ping")])
        XCTAssertEqual(try CommandLineSplitter.commands("echo \"a\\\nb\""), ["echo \"ab\""])
    }

    func testCommandsKeepEscapedTrailingSpace() throws {
        let commands = try CommandLineSplitter.commands("echo a\\ ;b")
        XCTAssertEqual(commands, ["echo a\\ ", "b"])
        XCTAssertEqual(try CommandLineSplitter.words(commands[0]), ["echo", "a "])
    }

    func testCommandsErrors() {
        XCTAssertThrowsError(try CommandLineSplitter.commands("echo 'a;\nb")) { error in
            XCTAssertEqual((error as? SplitError)?.kind, .unterminatedSingleQuote)
        }
        XCTAssertThrowsError(try CommandLineSplitter.commands("echo \"a")) { error in
            XCTAssertEqual((error as? SplitError)?.kind, .unterminatedDoubleQuote)
        }
        XCTAssertThrowsError(try CommandLineSplitter.commands("ls\necho a\\")) { error in
            XCTAssertEqual((error as? SplitError)?.kind, .trailingBackslash)
        }
        XCTAssertEqual(try CommandLineSplitter.commands("ls # it's fine \\"), ["ls"])
    }

    // MARK: - quote

    func testQuoteLeavesSafeWordsAlone() {
        XCTAssertEqual(CommandLineSplitter.quote("abc"), "abc")
        XCTAssertEqual(CommandLineSplitter.quote("a/b-c.d_e@f%g+h=i:j,k"), "a/b-c.d_e@f%g+h=i:j,k")
    }

    func testQuoteWrapsEverythingElse() {
        XCTAssertEqual(CommandLineSplitter.quote(""), "''")
        XCTAssertEqual(CommandLineSplitter.quote("a b"), "'a b'")
        XCTAssertEqual(CommandLineSplitter.quote("$HOME"), "'$HOME'")
        XCTAssertEqual(CommandLineSplitter.quote("it's"), #"'it'\''s'"#)
        XCTAssertEqual(CommandLineSplitter.quote("日本"), "'日本'")
        XCTAssertEqual(CommandLineSplitter.quote("*"), "'*'")
    }

    func testQuoteRoundTripsThroughWords() throws {
        for word in ["", "plain", "a b", "it's", #"back\slash"#, "\"dq\"", "tab\there", "new\nline", "'", "~x", "a;b"] {
            XCTAssertEqual(try CommandLineSplitter.words(CommandLineSplitter.quote(word)), [word], word)
        }
    }
}
