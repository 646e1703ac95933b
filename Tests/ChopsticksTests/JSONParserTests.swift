import Chopsticks
import XCTest

/// The agent's replies are read exactly: no digit lost, no float turned into an int, Python's NaN accepted,
/// hostile input refused with an error instead of a crash.
final class JSONParserTests: XCTestCase {
    func testNumbersKeepTheirKindAndEveryDigit() throws {
        XCTAssertEqual(try JSONParser.parse("0"), .int(0))
        XCTAssertEqual(try JSONParser.parse("-9223372036854775808"), .int(Int64.min))
        XCTAssertEqual(try JSONParser.parse("9223372036854775808"), .bigInt("9223372036854775808"))
        XCTAssertEqual(try JSONParser.parse("1180591620717411303424"), .bigInt("1180591620717411303424"))
        XCTAssertEqual(
            try JSONParser.parse("-1267650600228229401496703205376"), .bigInt("-1267650600228229401496703205376"))
        XCTAssertEqual(try JSONParser.parse("2.0"), .double(2.0))
        XCTAssertEqual(try JSONParser.parse("1e300"), .double(1e300))
        XCTAssertEqual(try JSONParser.parse("5e-324"), .double(.leastNonzeroMagnitude))
        XCTAssertEqual(try JSONParser.parse("-0.0").doubleValue?.sign, .minus)
        XCTAssertEqual(try JSONParser.parse("Infinity"), .double(.infinity))
        XCTAssertEqual(try JSONParser.parse("-Infinity"), .double(-.infinity))
        XCTAssertTrue(try JSONParser.parse("NaN").doubleValue?.isNaN == true)
    }

    func testWritingKeepsFloatsFloatsAndNamesNonFiniteValues() throws {
        let value: JSONValue = [.double(2), .bigInt("1180591620717411303424"), .double(.nan), .double(-.infinity), 1]
        XCTAssertEqual(value.jsonText, #"[2.0,1180591620717411303424,"NaN","-Infinity",1]"#)
        XCTAssertEqual(value.displayText, "[2.0,1180591620717411303424,nan,-inf,1]")
        XCTAssertEqual(JSONWriter(nonFinite: .token).text(value), "[2.0,1180591620717411303424,NaN,-Infinity,1]")
        XCTAssertEqual(JSONValue.double(1e300).jsonText, "1e+300")
        XCTAssertEqual(JSONValue.double(.leastNonzeroMagnitude).jsonText, "5e-324")
        XCTAssertEqual(JSONValue.double(1e16).jsonText, "1e+16")
        XCTAssertEqual(JSONValue.double(0.0001).jsonText, "0.0001")
        XCTAssertEqual(JSONValue.integer("-00012"), .int(-12))
        XCTAssertEqual(JSONValue.integer("-000123456789012345678901"), .bigInt("-123456789012345678901"))
        XCTAssertNil(JSONValue.integer("12a"))
    }

    func testStringsEscapesAndSurrogates() throws {
        XCTAssertEqual(try JSONParser.parse(#""a\"b\\c\/\n\t\u00e9\ud83d\ude00""#), .string("a\"b\\c/\n\té😀"))
        XCTAssertEqual(try JSONParser.parse(#""\ud800x""#), .string("\u{FFFD}x"))
        XCTAssertEqual(try JSONParser.parse(#"{"b": [1, {"c": null}], "a": true}"#)["b"]?.arrayValue?.count, 2)
        let round: JSONValue = ["k": .string("\u{1B}[31m\u{0}\u{9B}\u{202E}é")]
        XCTAssertEqual(round.jsonText, #"{"k":"\u001b[31m\u0000\u009b\u202eé"}"#)
        XCTAssertEqual(try JSONParser.parse(round.jsonText), round)
    }

    func testWriterDigitsAndTextReadBackExactly() throws {
        let numbers: [Int64] = [0, 7, -7, 10, -10, 1_700_000_000_123_456_789, .max, .min]
        let value = JSONValue.array(numbers.map(JSONValue.int))
        XCTAssertEqual(value.jsonText, "[0,7,-7,10,-10,1700000000123456789,9223372036854775807,-9223372036854775808]")
        XCTAssertEqual(try JSONParser.parse(value.jsonText), value)
        // Plain ASCII, then text that needs escapes or is not ASCII, in one array many entries long: what a tree
        // listing frame is (each a byte-identical round trip).
        let names = (0..<3000).map { index in
            JSONValue.string(
                index % 3 == 0 ? "d\(index)/f\(index)" : index % 3 == 1 ? "a \"q\" \\ \(index)" : "é\u{7}\(index)")
        }
        let bytes = JSONWriter(nonFinite: .token).bytes(.array(names))
        XCTAssertEqual(try JSONParser.parse(String(decoding: bytes, as: UTF8.self)), .array(names))
        XCTAssertEqual(JSONValue.string("é\u{7}").jsonText, #""é\u0007""#)
    }

    func testBadInputIsAnErrorNeverACrash() {
        for bad in [
            "", "[", "{", "[1,]", "{\"a\"}", "{\"a\":}", "01", "1.", "-", "1e", "\"\\x\"", "\"abc", "tru", "nul",
            "[1 2]", "{\"a\":1 \"b\":2}", "Inf", "\"\u{1}\"", "1 2", "\"\\u12\"",
        ] {
            XCTAssertThrowsError(try JSONParser.parse(bad), bad)
        }
        let deep = String(repeating: "[", count: 100_000) + String(repeating: "]", count: 100_000)
        XCTAssertThrowsError(try JSONParser.parse(deep)) { error in
            XCTAssertTrue("\(error)".contains("nested deeper than 512"), "\(error)")
        }
    }
}
