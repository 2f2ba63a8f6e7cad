//! Go's `conf/lex_test.go`, first part: scalar values (strings, escapes, numbers, booleans,
//! comments, dates, variables). Each test checks the full item stream, as `expect` does in Go.

use super::ItemType::*;
use super::{eof, expect, it};

// go: conf/TestPlainValue
#[test]
fn plain_value() {
    expect("foo", &[it(Key, "foo", 1, 0), eof()]);
}

// go: conf/TestSimpleKeyStringValues
#[test]
fn simple_key_string_values() {
    expect(
        "foo = \"bar\"",
        &[it(Key, "foo", 1, 0), it(String, "bar", 1, 7), eof()],
    );
    expect(
        "foo = 'bar'",
        &[it(Key, "foo", 1, 0), it(String, "bar", 1, 7), eof()],
    );
    expect(
        "foo='bar'",
        &[it(Key, "foo", 1, 0), it(String, "bar", 1, 5), eof()],
    );
    expect(
        "foo='bar'\r\n",
        &[it(Key, "foo", 1, 0), it(String, "bar", 1, 5), eof()],
    );
    expect(
        "foo=\t'bar'\t",
        &[it(Key, "foo", 1, 0), it(String, "bar", 1, 6), eof()],
    );
}

// go: conf/TestComplexStringValues
#[test]
fn complex_string_values() {
    expect(
        "foo = 'bar\\r\\n  \\t'",
        &[
            it(Key, "foo", 1, 0),
            it(String, "bar\\r\\n  \\t", 1, 7),
            eof(),
        ],
    );
}

// go: conf/TestStringStartingWithNumber
#[test]
fn string_starting_with_number() {
    expect(
        "foo = 3xyz",
        &[it(Key, "foo", 1, 0), it(String, "3xyz", 1, 6), eof()],
    );
    expect(
        "foo = 3xyz,",
        &[it(Key, "foo", 1, 0), it(String, "3xyz", 1, 6), eof()],
    );
    expect(
        "foo = 3xyz;",
        &[it(Key, "foo", 1, 0), it(String, "3xyz", 1, 6), eof()],
    );
    expect(
        r#"
        foo = 3xyz
        "#,
        &[it(Key, "foo", 2, 9), it(String, "3xyz", 2, 15), eof()],
    );
    expect(
        r#"
        map {
          foo = 3xyz}
        "#,
        &[
            it(Key, "map", 2, 9),
            it(MapStart, "", 2, 14),
            it(Key, "foo", 3, 11),
            it(String, "3xyz", 3, 17),
            it(MapEnd, "", 3, 22),
            eof(),
        ],
    );
    expect(
        r#"
        map {
          foo = 3xyz;
        }
        "#,
        &[
            it(Key, "map", 2, 9),
            it(MapStart, "", 2, 14),
            it(Key, "foo", 3, 11),
            it(String, "3xyz", 3, 17),
            it(MapEnd, "", 4, 10),
            eof(),
        ],
    );
    expect(
        r#"
        map {
          foo = 3xyz,
          bar = 4wqs
        }
        "#,
        &[
            it(Key, "map", 2, 9),
            it(MapStart, "", 2, 14),
            it(Key, "foo", 3, 11),
            it(String, "3xyz", 3, 17),
            it(Key, "bar", 4, 11),
            it(String, "4wqs", 4, 17),
            it(MapEnd, "", 5, 10),
            eof(),
        ],
    );
}

// go: conf/TestBinaryString
#[test]
fn binary_string() {
    expect(
        "foo = \\x65",
        &[it(Key, "foo", 1, 0), it(String, "e", 1, 9), eof()],
    );
}

// MANUAL TestBinaryStringLatin1

// go: conf/TestSimpleKeyIntegerValues
#[test]
fn simple_key_integer_values() {
    expect(
        "foo = 123",
        &[it(Key, "foo", 1, 0), it(Integer, "123", 1, 6), eof()],
    );
    expect(
        "foo=123",
        &[it(Key, "foo", 1, 0), it(Integer, "123", 1, 4), eof()],
    );
    expect(
        "foo=123\r\n",
        &[it(Key, "foo", 1, 0), it(Integer, "123", 1, 4), eof()],
    );
}

// go: conf/TestSimpleKeyNegativeIntegerValues
#[test]
fn simple_key_negative_integer_values() {
    expect(
        "foo = -123",
        &[it(Key, "foo", 1, 0), it(Integer, "-123", 1, 6), eof()],
    );
    expect(
        "foo=-123",
        &[it(Key, "foo", 1, 0), it(Integer, "-123", 1, 4), eof()],
    );
    expect(
        "foo=-123\r\n",
        &[it(Key, "foo", 1, 0), it(Integer, "-123", 1, 4), eof()],
    );
}

// go: conf/TestConvenientIntegerValues
#[test]
fn convenient_integer_values() {
    expect(
        "foo = 1k",
        &[it(Key, "foo", 1, 0), it(Integer, "1k", 1, 6), eof()],
    );
    expect(
        "foo = 1K",
        &[it(Key, "foo", 1, 0), it(Integer, "1K", 1, 6), eof()],
    );
    expect(
        "foo = 1m",
        &[it(Key, "foo", 1, 0), it(Integer, "1m", 1, 6), eof()],
    );
    expect(
        "foo = 1M",
        &[it(Key, "foo", 1, 0), it(Integer, "1M", 1, 6), eof()],
    );
    expect(
        "foo = 1g",
        &[it(Key, "foo", 1, 0), it(Integer, "1g", 1, 6), eof()],
    );
    expect(
        "foo = 1G",
        &[it(Key, "foo", 1, 0), it(Integer, "1G", 1, 6), eof()],
    );
    expect(
        "foo = 1MB",
        &[it(Key, "foo", 1, 0), it(Integer, "1MB", 1, 6), eof()],
    );
    expect(
        "foo = 1Gb",
        &[it(Key, "foo", 1, 0), it(Integer, "1Gb", 1, 6), eof()],
    );
    expect(
        "foo = -1m",
        &[it(Key, "foo", 1, 0), it(Integer, "-1m", 1, 6), eof()],
    );
    expect(
        "foo = -1GB ",
        &[it(Key, "foo", 1, 0), it(Integer, "-1GB", 1, 6), eof()],
    );
    expect(
        "foo = 1Ghz",
        &[it(Key, "foo", 1, 0), it(String, "1Ghz", 1, 6), eof()],
    );
    expect(
        "foo = 2Pie",
        &[it(Key, "foo", 1, 0), it(String, "2Pie", 1, 6), eof()],
    );
    expect(
        "foo = 3Mbs,",
        &[it(Key, "foo", 1, 0), it(String, "3Mbs", 1, 6), eof()],
    );
    expect(
        "foo = 4Gb, bar = 5Gø",
        &[
            it(Key, "foo", 1, 0),
            it(Integer, "4Gb", 1, 6),
            it(Key, "bar", 1, 11),
            it(String, "5Gø", 1, 17),
            eof(),
        ],
    );
}

// go: conf/TestSimpleKeyFloatValues
#[test]
fn simple_key_float_values() {
    expect(
        "foo = 22.2",
        &[it(Key, "foo", 1, 0), it(Float, "22.2", 1, 6), eof()],
    );
    expect(
        "foo=22.2",
        &[it(Key, "foo", 1, 0), it(Float, "22.2", 1, 4), eof()],
    );
    expect(
        "foo=22.2\r\n",
        &[it(Key, "foo", 1, 0), it(Float, "22.2", 1, 4), eof()],
    );
}

// go: conf/TestBadBinaryStringEndingAfterZeroHexChars
#[test]
fn bad_binary_string_ending_after_zero_hex_chars() {
    expect(
        "foo = xyz\\x\n",
        &[
            it(Key, "foo", 1, 0),
            it(
                Error,
                "Expected two hexadecimal digits after '\\x', but hit end of line",
                2,
                1,
            ),
        ],
    );
}

// go: conf/TestBadBinaryStringEndingAfterOneHexChar
#[test]
fn bad_binary_string_ending_after_one_hex_char() {
    expect(
        "foo = xyz\\xF\n",
        &[
            it(Key, "foo", 1, 0),
            it(
                Error,
                "Expected two hexadecimal digits after '\\x', but hit end of line",
                2,
                1,
            ),
        ],
    );
}

// go: conf/TestBadBinaryStringWithZeroHexChars
#[test]
fn bad_binary_string_with_zero_hex_chars() {
    expect(
        "foo = \"[\\x]\"",
        &[
            it(Key, "foo", 1, 0),
            it(
                Error,
                "Expected two hexadecimal digits after '\\x', but got ']\"'",
                1,
                12,
            ),
        ],
    );
}

// go: conf/TestBadBinaryStringWithOneHexChar
#[test]
fn bad_binary_string_with_one_hex_char() {
    expect(
        "foo = \"[\\xe]\"",
        &[
            it(Key, "foo", 1, 0),
            it(
                Error,
                "Expected two hexadecimal digits after '\\x', but got 'e]'",
                1,
                12,
            ),
        ],
    );
}

// go: conf/TestBadFloatValues
#[test]
fn bad_float_values() {
    expect(
        "foo = .2",
        &[
            it(Key, "foo", 1, 0),
            it(Error, "Floats must start with a digit", 1, 7),
        ],
    );
}

// go: conf/TestBadKey
#[test]
fn bad_key() {
    expect(
        " :foo = 22",
        &[it(Error, "Unexpected key separator ':'", 1, 1)],
    );
}

// go: conf/TestSimpleKeyBoolValues
#[test]
fn simple_key_bool_values() {
    expect(
        "foo = true",
        &[it(Key, "foo", 1, 0), it(Bool, "true", 1, 6), eof()],
    );
    expect(
        "foo=true",
        &[it(Key, "foo", 1, 0), it(Bool, "true", 1, 4), eof()],
    );
    expect(
        "foo=true\r\n",
        &[it(Key, "foo", 1, 0), it(Bool, "true", 1, 4), eof()],
    );
}

// go: conf/TestComments
#[test]
fn comments() {
    expect(
        "# This is a comment",
        &[
            it(CommentStart, "", 1, 1),
            it(Text, " This is a comment", 1, 1),
            eof(),
        ],
    );
    expect(
        "# This is a comment\r\n",
        &[
            it(CommentStart, "", 1, 1),
            it(Text, " This is a comment", 1, 1),
            eof(),
        ],
    );
    expect(
        "// This is a comment\r\n",
        &[
            it(CommentStart, "", 1, 2),
            it(Text, " This is a comment", 1, 2),
            eof(),
        ],
    );
}

// go: conf/TestTopValuesWithComments
#[test]
fn top_values_with_comments() {
    expect(
        "foo = 123 // This is a comment",
        &[
            it(Key, "foo", 1, 0),
            it(Integer, "123", 1, 6),
            it(CommentStart, "", 1, 12),
            it(Text, " This is a comment", 1, 12),
            eof(),
        ],
    );
    expect(
        "foo=123    # This is a comment",
        &[
            it(Key, "foo", 1, 0),
            it(Integer, "123", 1, 4),
            it(CommentStart, "", 1, 12),
            it(Text, " This is a comment", 1, 12),
            eof(),
        ],
    );
}

// go: conf/TestRawString
#[test]
fn raw_string() {
    expect(
        "foo = bar",
        &[it(Key, "foo", 1, 0), it(String, "bar", 1, 6), eof()],
    );
    expect(
        "foo = bar' ",
        &[it(Key, "foo", 1, 0), it(String, "bar", 1, 6), eof()],
    );
}

// go: conf/TestDateValues
#[test]
fn date_values() {
    expect(
        "foo = 2016-05-04T18:53:41Z",
        &[
            it(Key, "foo", 1, 0),
            it(Datetime, "2016-05-04T18:53:41Z", 1, 6),
            eof(),
        ],
    );
}

// go: conf/TestVariableValues
#[test]
fn variable_values() {
    expect(
        "foo = $bar",
        &[it(Key, "foo", 1, 0), it(Variable, "bar", 1, 7), eof()],
    );
    expect(
        "foo =$bar",
        &[it(Key, "foo", 1, 0), it(Variable, "bar", 1, 6), eof()],
    );
    expect(
        "foo $bar",
        &[it(Key, "foo", 1, 0), it(Variable, "bar", 1, 5), eof()],
    );
}

// go: conf/TestBinaryStringLatin1
#[test]
fn binary_string_latin1() {
    // `\xe9` is one byte, not valid UTF-8 on its own; the item keeps the byte.
    expect(
        "foo = \\xe9",
        &[it(Key, "foo", 1, 0), it(String, [0xe9u8], 1, 9), eof()],
    );
}
