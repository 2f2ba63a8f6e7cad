//! Go's `conf/lex_test.go`, middle part: arrays, maps, keys, separators, escapes, compound
//! strings, semicolons and unquoted strings.

use super::ItemType::*;
use super::{eof, expect, it};

// go: conf/TestArrays
#[test]
fn arrays() {
    expect(
        "foo = [1, 2, 3, 'bar']",
        &[
            it(Key, "foo", 1, 0),
            it(ArrayStart, "", 1, 7),
            it(Integer, "1", 1, 7),
            it(Integer, "2", 1, 10),
            it(Integer, "3", 1, 13),
            it(String, "bar", 1, 17),
            it(ArrayEnd, "", 1, 22),
            eof(),
        ],
    );
    expect(
        "foo = [1,2,3,'bar']",
        &[
            it(Key, "foo", 1, 0),
            it(ArrayStart, "", 1, 7),
            it(Integer, "1", 1, 7),
            it(Integer, "2", 1, 9),
            it(Integer, "3", 1, 11),
            it(String, "bar", 1, 14),
            it(ArrayEnd, "", 1, 19),
            eof(),
        ],
    );
    expect(
        "foo = [1, 2,3,'bar']",
        &[
            it(Key, "foo", 1, 0),
            it(ArrayStart, "", 1, 7),
            it(Integer, "1", 1, 7),
            it(Integer, "2", 1, 10),
            it(Integer, "3", 1, 12),
            it(String, "bar", 1, 15),
            it(ArrayEnd, "", 1, 20),
            eof(),
        ],
    );
}

// go: conf/TestMultilineArrays
#[test]
fn multiline_arrays() {
    expect(
        r#"
# top level comment
foo = [
 1, # One
 2, // Two
 3 # Three
 'bar'     ,
 "bar"
]
"#,
        &[
            it(CommentStart, "", 2, 2),
            it(Text, " top level comment", 2, 2),
            it(Key, "foo", 3, 1),
            it(ArrayStart, "", 3, 8),
            it(Integer, "1", 4, 2),
            it(CommentStart, "", 4, 6),
            it(Text, " One", 4, 6),
            it(Integer, "2", 5, 2),
            it(CommentStart, "", 5, 7),
            it(Text, " Two", 5, 7),
            it(Integer, "3", 6, 2),
            it(CommentStart, "", 6, 5),
            it(Text, " Three", 6, 5),
            it(String, "bar", 7, 3),
            it(String, "bar", 8, 3),
            it(ArrayEnd, "", 9, 2),
            eof(),
        ],
    );
}

// go: conf/TestMultilineArraysNoSep
#[test]
fn multiline_arrays_no_sep() {
    expect(
        r#"
# top level comment
foo = [
 1 // foo
 2
 3
 'bar'
 "bar"
]
"#,
        &[
            it(CommentStart, "", 2, 2),
            it(Text, " top level comment", 2, 2),
            it(Key, "foo", 3, 1),
            it(ArrayStart, "", 3, 8),
            it(Integer, "1", 4, 2),
            it(CommentStart, "", 4, 6),
            it(Text, " foo", 4, 6),
            it(Integer, "2", 5, 2),
            it(Integer, "3", 6, 2),
            it(String, "bar", 7, 3),
            it(String, "bar", 8, 3),
            it(ArrayEnd, "", 9, 2),
            eof(),
        ],
    );
}

// go: conf/TestSimpleMap
#[test]
fn simple_map() {
    expect(
        "foo = {ip='127.0.0.1', port = 4242}",
        &[
            it(Key, "foo", 1, 0),
            it(MapStart, "", 1, 7),
            it(Key, "ip", 1, 7),
            it(String, "127.0.0.1", 1, 11),
            it(Key, "port", 1, 23),
            it(Integer, "4242", 1, 30),
            it(MapEnd, "", 1, 35),
            eof(),
        ],
    );
}

// go: conf/TestMultilineMap
#[test]
fn multiline_map() {
    expect(
        r#"
foo = {
  ip = '127.0.0.1' # the IP
  port= 4242 // the port
}
"#,
        &[
            it(Key, "foo", 2, 1),
            it(MapStart, "", 2, 8),
            it(Key, "ip", 3, 3),
            it(String, "127.0.0.1", 3, 9),
            it(CommentStart, "", 3, 21),
            it(Text, " the IP", 3, 21),
            it(Key, "port", 4, 3),
            it(Integer, "4242", 4, 9),
            it(CommentStart, "", 4, 16),
            it(Text, " the port", 4, 16),
            it(MapEnd, "", 5, 2),
            eof(),
        ],
    );
}

// go: conf/TestNestedMaps
#[test]
fn nested_maps() {
    expect(
        r#"
foo = {
  host = {
    ip = '127.0.0.1'
    port= 4242
  }
}
"#,
        &[
            it(Key, "foo", 2, 1),
            it(MapStart, "", 2, 8),
            it(Key, "host", 3, 3),
            it(MapStart, "", 3, 11),
            it(Key, "ip", 4, 5),
            it(String, "127.0.0.1", 4, 11),
            it(Key, "port", 5, 5),
            it(Integer, "4242", 5, 11),
            it(MapEnd, "", 6, 4),
            it(MapEnd, "", 7, 2),
            eof(),
        ],
    );
}

// go: conf/TestQuotedKeys
#[test]
fn quoted_keys() {
    expect(
        "foo : 123",
        &[it(Key, "foo", 1, 0), it(Integer, "123", 1, 6), eof()],
    );
    expect(
        "'foo' : 123",
        &[it(Key, "foo", 1, 1), it(Integer, "123", 1, 8), eof()],
    );
    expect(
        "\"foo\" : 123",
        &[it(Key, "foo", 1, 1), it(Integer, "123", 1, 8), eof()],
    );
}

// go: conf/TestQuotedKeysWithSpace
#[test]
fn quoted_keys_with_space() {
    expect(
        "' foo' : 123",
        &[it(Key, " foo", 1, 1), it(Integer, "123", 1, 9), eof()],
    );
    expect(
        "\" foo\" : 123",
        &[it(Key, " foo", 1, 1), it(Integer, "123", 1, 9), eof()],
    );
}

// go: conf/TestColonKeySep
#[test]
fn colon_key_sep() {
    expect(
        "foo : 123",
        &[it(Key, "foo", 1, 0), it(Integer, "123", 1, 6), eof()],
    );
    expect(
        "foo:123",
        &[it(Key, "foo", 1, 0), it(Integer, "123", 1, 4), eof()],
    );
    expect(
        "foo: 123",
        &[it(Key, "foo", 1, 0), it(Integer, "123", 1, 5), eof()],
    );
    expect(
        "foo:  123\r\n",
        &[it(Key, "foo", 1, 0), it(Integer, "123", 1, 6), eof()],
    );
}

// go: conf/TestWhitespaceKeySep
#[test]
fn whitespace_key_sep() {
    expect(
        "foo 123",
        &[it(Key, "foo", 1, 0), it(Integer, "123", 1, 4), eof()],
    );
    expect(
        "foo 123",
        &[it(Key, "foo", 1, 0), it(Integer, "123", 1, 4), eof()],
    );
    expect(
        "foo\t123",
        &[it(Key, "foo", 1, 0), it(Integer, "123", 1, 4), eof()],
    );
    expect(
        "foo\t\t123\r\n",
        &[it(Key, "foo", 1, 0), it(Integer, "123", 1, 5), eof()],
    );
}

// go: conf/TestEscapedString
#[test]
fn escaped_string() {
    expect(
        r#"
foo  = \t
bar  = \r
baz  = \n
q    = \"
bs   = \\
"#,
        &[
            it(Key, "foo", 2, 1),
            it(String, "\t", 2, 9),
            it(Key, "bar", 3, 1),
            it(String, "\r", 3, 9),
            it(Key, "baz", 4, 1),
            it(String, "\n", 4, 9),
            it(Key, "q", 5, 1),
            it(String, "\"", 5, 9),
            it(Key, "bs", 6, 1),
            it(String, "\\", 6, 9),
            eof(),
        ],
    );
}

// go: conf/TestCompoundStringES
#[test]
fn compound_string_es() {
    expect(
        "foo = \"\\\\end\"",
        &[it(Key, "foo", 1, 0), it(String, "\\end", 1, 8), eof()],
    );
}

// go: conf/TestCompoundStringSE
#[test]
fn compound_string_se() {
    expect(
        "foo = \"start\\\\\"",
        &[it(Key, "foo", 1, 0), it(String, "start\\", 1, 8), eof()],
    );
}

// go: conf/TestCompoundStringEE
#[test]
fn compound_string_ee() {
    expect(
        "foo = \\x45\\x71",
        &[it(Key, "foo", 1, 0), it(String, "Eq", 1, 12), eof()],
    );
}

// go: conf/TestCompoundStringSEE
#[test]
fn compound_string_see() {
    expect(
        "foo = start\\x45\\x71",
        &[it(Key, "foo", 1, 0), it(String, "startEq", 1, 12), eof()],
    );
}

// go: conf/TestCompoundStringSES
#[test]
fn compound_string_ses() {
    expect(
        "foo = start\\x7Cend",
        &[it(Key, "foo", 1, 0), it(String, "start|end", 1, 9), eof()],
    );
}

// go: conf/TestCompoundStringEES
#[test]
fn compound_string_ees() {
    expect(
        "foo = \\x3c\\x3eend",
        &[it(Key, "foo", 1, 0), it(String, "<>end", 1, 12), eof()],
    );
}

// go: conf/TestCompoundStringESE
#[test]
fn compound_string_ese() {
    expect(
        "foo = \\x3cmiddle\\x3E",
        &[it(Key, "foo", 1, 0), it(String, "<middle>", 1, 12), eof()],
    );
}

// go: conf/TestBadStringEscape
#[test]
fn bad_string_escape() {
    expect(
        "foo = \\y",
        &[it(Key, "foo", 1, 0), it(Error, "Invalid escape character 'y'. Only the following escape characters are allowed: \\xXX, \\t, \\n, \\r, \\\", \\\\.", 1, 8)],
    );
}

// go: conf/TestNonBool
#[test]
fn non_bool() {
    expect(
        "foo = \\\\true",
        &[it(Key, "foo", 1, 0), it(String, "\\true", 1, 7), eof()],
    );
}

// go: conf/TestNonVariable
#[test]
fn non_variable() {
    expect(
        "foo = \\\\$var",
        &[it(Key, "foo", 1, 0), it(String, "\\$var", 1, 7), eof()],
    );
}

// go: conf/TestEmptyStringDQ
#[test]
fn empty_string_dq() {
    expect(
        "foo = \"\"",
        &[it(Key, "foo", 1, 0), it(String, "", 1, 7), eof()],
    );
}

// go: conf/TestEmptyStringSQ
#[test]
fn empty_string_sq() {
    expect(
        "foo = ''",
        &[it(Key, "foo", 1, 0), it(String, "", 1, 7), eof()],
    );
}

// go: conf/TestNestedWhitespaceMaps
#[test]
fn nested_whitespace_maps() {
    expect(
        r#"
foo  {
  host  {
    ip = '127.0.0.1'
    port= 4242
  }
}
"#,
        &[
            it(Key, "foo", 2, 1),
            it(MapStart, "", 2, 7),
            it(Key, "host", 3, 3),
            it(MapStart, "", 3, 10),
            it(Key, "ip", 4, 5),
            it(String, "127.0.0.1", 4, 11),
            it(Key, "port", 5, 5),
            it(Integer, "4242", 5, 11),
            it(MapEnd, "", 6, 4),
            it(MapEnd, "", 7, 2),
            eof(),
        ],
    );
}

// go: conf/TestOptionalSemicolons
#[test]
fn optional_semicolons() {
    expect(
        r#"
foo = 123;
bar = 'baz';
baz = 'boo'
map {
 id = 1;
}
"#,
        &[
            it(Key, "foo", 2, 1),
            it(Integer, "123", 2, 7),
            it(Key, "bar", 3, 1),
            it(String, "baz", 3, 8),
            it(Key, "baz", 4, 1),
            it(String, "boo", 4, 8),
            it(Key, "map", 5, 1),
            it(MapStart, "", 5, 6),
            it(Key, "id", 6, 2),
            it(Integer, "1", 6, 7),
            it(MapEnd, "", 7, 2),
            eof(),
        ],
    );
}

// go: conf/TestSemicolonChaining
#[test]
fn semicolon_chaining() {
    expect(
        "foo='1'; bar=2.2; baz=true;",
        &[
            it(Key, "foo", 1, 0),
            it(String, "1", 1, 5),
            it(Key, "bar", 1, 9),
            it(Float, "2.2", 1, 13),
            it(Key, "baz", 1, 18),
            it(Bool, "true", 1, 22),
            eof(),
        ],
    );
}

// go: conf/TestNonQuotedStrings
#[test]
fn non_quoted_strings() {
    expect(
        r#"
foo = 123
bar = baz
baz=boo
map {
 id:one
 id2 : onetwo
}
t true
f false
tstr "true"
tkey = two
fkey = five # This should be a string
"#,
        &[
            it(Key, "foo", 2, 1),
            it(Integer, "123", 2, 7),
            it(Key, "bar", 3, 1),
            it(String, "baz", 3, 7),
            it(Key, "baz", 4, 1),
            it(String, "boo", 4, 5),
            it(Key, "map", 5, 1),
            it(MapStart, "", 5, 6),
            it(Key, "id", 6, 2),
            it(String, "one", 6, 5),
            it(Key, "id2", 7, 2),
            it(String, "onetwo", 7, 8),
            it(MapEnd, "", 8, 2),
            it(Key, "t", 9, 1),
            it(Bool, "true", 9, 3),
            it(Key, "f", 10, 1),
            it(Bool, "false", 10, 3),
            it(Key, "tstr", 11, 1),
            it(String, "true", 11, 7),
            it(Key, "tkey", 12, 1),
            it(String, "two", 12, 8),
            it(Key, "fkey", 13, 1),
            it(String, "five", 13, 8),
            it(CommentStart, "", 13, 14),
            it(Text, " This should be a string", 13, 14),
            eof(),
        ],
    );
}
