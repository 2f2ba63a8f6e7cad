//! Subject helpers: validity tables, literal checks, wildcard comparisons, tokens.

use crate::sublist::{
    is_reserved_queue_name, is_subset_match, is_valid_literal_subject, is_valid_publish_subject,
    is_valid_queue_name, is_valid_subject, is_valid_subject_checked, match_literal, num_tokens,
    subject_has_wildcard, subject_is_literal, subject_matches_filter, subjects_collide, token_at,
    tokens,
};

fn check(f: fn(&[u8]) -> bool, name: &str, table: &[(&str, bool)]) {
    for (subj, want) in table {
        assert_eq!(f(subj.as_bytes()), *want, "{name}({subj:?})");
    }
}

// go: server/TestSublistValidLiteralSubjects
#[test]
fn valid_literal_subjects() {
    check(
        is_valid_literal_subject,
        "is_valid_literal_subject",
        &[
            ("foo", true),
            (".foo", false),
            ("foo.", false),
            ("foo..bar", false),
            ("foo.bar.*", false),
            ("foo.bar.>", false),
            ("*", false),
            (">", false),
            // Wildcard characters that are not whole tokens are not wildcards.
            ("foo*", true),
            ("foo**", true),
            ("foo.**", true),
            ("foo*bar", true),
            ("foo.*bar", true),
            ("foo*.bar", true),
            ("*bar", true),
            ("foo>", true),
            ("foo>>", true),
            ("foo.>>", true),
            ("foo>bar", true),
            ("foo.>bar", true),
            ("foo>.bar", true),
            (">bar", true),
        ],
    );
}

// go: server/TestSublistValidSubjects
#[test]
fn valid_subjects() {
    check(
        is_valid_subject,
        "is_valid_subject",
        &[
            (".", false),
            (".foo", false),
            ("foo.", false),
            ("foo..bar", false),
            (">.bar", false),
            ("foo.>.bar", false),
            ("foo", true),
            ("foo.bar.*", true),
            ("foo.bar.>", true),
            ("*", true),
            (">", true),
            ("foo*", true),
            ("foo**", true),
            ("foo.**", true),
            ("foo*bar", true),
            ("foo.*bar", true),
            ("foo*.bar", true),
            ("*bar", true),
            ("foo>", true),
            ("foo.>>", true),
            ("foo>bar", true),
            ("foo.>bar", true),
            ("foo>.bar", true),
            (">bar", true),
        ],
    );
    // An embedded NUL fails the strict check.
    assert!(!is_valid_subject_checked(b"foo.bar.baz.\0", true));
}

#[test]
fn subject_whitespace_and_bytes() {
    check(
        is_valid_subject,
        "is_valid_subject",
        &[
            ("", false),
            ("foo bar", false),
            ("foo\tbar", false),
            ("foo.\n", false),
            ("foo.\r", false),
            ("foo\x0cbar", false),
            (" ", false),
            ("foo\x0bbar", true), // vertical tab is not in Go's set
            ("foo.\x00", true),   // NUL only fails the strict check
        ],
    );
    // Any byte goes without the strict check; the strict one wants clean UTF-8.
    assert!(is_valid_subject(b"foo.\xff\xfe"));
    assert!(!is_valid_subject_checked(b"foo.\xff\xfe", true));
    assert!(!is_valid_subject_checked("foo.\u{FFFD}".as_bytes(), true));
    assert!(is_valid_subject_checked("foo.héllo.*".as_bytes(), true));
    assert!(!is_valid_subject_checked(b"", true));
}

#[test]
fn valid_publish_subjects() {
    check(
        is_valid_publish_subject,
        "is_valid_publish_subject",
        &[
            ("foo", true),
            ("foo.bar", true),
            ("foo*.bar>", true),
            ("foo.*", false),
            ("foo.>", false),
            ("*", false),
            ("foo..bar", false),
            ("foo bar", false),
            ("", false),
        ],
    );
}

// go: server/TestSublistMatchLiterals
#[test]
fn match_literal_table() {
    let table = [
        ("foo", "foo", true),
        ("foo", "bar", false),
        ("foo", "*", true),
        ("foo", ">", true),
        ("foo.bar", ">", true),
        ("foo.bar", "foo.>", true),
        ("foo.bar", "bar.>", false),
        ("stats.test.22", "stats.>", true),
        ("stats.test.22", "stats.*.*", true),
        ("foo.bar", "foo", false),
        ("stats.test.foos", "stats.test.foos", true),
        ("stats.test.foos", "stats.test.foo", false),
        ("stats.test", "stats.test.*", false),
        ("stats.test.foos", "stats.*", false),
        ("stats.test.foos", "stats.*.*.foos", false),
        // Wildcard characters that do not form a token are plain characters.
        ("*bar", "*bar", true),
        ("foo*", "foo*", true),
        ("foo*bar", "foo*bar", true),
        ("foo.***.bar", "foo.***.bar", true),
        (">bar", ">bar", true),
        ("foo>", "foo>", true),
        ("foo>bar", "foo>bar", true),
        ("foo.>>>.bar", "foo.>>>.bar", true),
    ];
    for (lit, subj, want) in table {
        assert_eq!(
            match_literal(lit.as_bytes(), subj.as_bytes()),
            want,
            "{lit} vs {subj}"
        );
    }
}

#[test]
fn match_literal_edges() {
    let table = [
        ("foo.bar", "*.bar", true),
        ("foo.bar", "*.*", true),
        ("foo.bar", "*.*.*", false),
        ("foo", "foo.*", false),
        ("foo.bar.baz", "*.>", true),
        ("foo", "*.>", false),
        ("foo.bar", "foo.bar.>", false),
        ("", "*", false),
        ("foo", "", false),
    ];
    for (lit, subj, want) in table {
        assert_eq!(
            match_literal(lit.as_bytes(), subj.as_bytes()),
            want,
            "{lit} vs {subj}"
        );
    }
}

// go: server/TestSubjectIsLiteral
#[test]
fn subject_is_literal_table() {
    check(
        subject_is_literal,
        "subject_is_literal",
        &[
            ("foo", true),
            ("foo.bar", true),
            ("foo*.bar", true),
            ("*", false),
            (">", false),
            ("foo.*", false),
            ("foo.>", false),
            ("foo.*.>", false),
            ("foo.*.bar", false),
            ("foo.bar.>", false),
        ],
    );
    assert!(subject_has_wildcard(b"a.*.b"));
    assert!(!subject_has_wildcard(b"a.*b"));
}

// go: server/TestSubjectToken
#[test]
fn token_at_is_one_based() {
    let s = b"foo.bar.baz.*";
    assert_eq!(token_at(s, 0), b"");
    assert_eq!(token_at(s, 1), b"foo");
    assert_eq!(token_at(s, 2), b"bar");
    assert_eq!(token_at(s, 3), b"baz");
    assert_eq!(token_at(s, 4), b"*");
    assert_eq!(token_at(s, 5), b"");
    assert_eq!(num_tokens(s), 4);
    assert_eq!(num_tokens(b""), 0);
    assert_eq!(num_tokens(b"a."), 2);
}

#[test]
fn tokens_split_like_go() {
    fn got(s: &[u8]) -> Vec<&[u8]> {
        tokens(s).collect()
    }
    assert_eq!(got(b""), vec![&b""[..]]);
    assert_eq!(got(b"a"), vec![&b"a"[..]]);
    assert_eq!(got(b"a.b"), vec![&b"a"[..], b"b"]);
    assert_eq!(got(b".a."), vec![&b""[..], b"a", b""]);
}

// go: server/TestIsSubsetMatch
#[test]
fn subset_match_table() {
    let table = [
        ("foo.bar", "foo.bar", true),
        ("foo.*", ">", true),
        ("foo.*", "*.*", true),
        ("foo.*", "foo.*", true),
        ("foo.*", "foo.bar", false),
        ("foo.>", ">", true),
        ("foo.>", "*.>", true),
        ("foo.>", "foo.>", true),
        ("foo.>", "foo.bar", false),
        ("foo..bar", "foo.*", false), // bad subject
        ("foo.*", "foo..bar", false), // bad subject
    ];
    for (subject, test, want) in table {
        assert_eq!(
            is_subset_match(subject.as_bytes(), test.as_bytes()),
            want,
            "{subject} subset of {test}"
        );
        assert_eq!(
            subject_matches_filter(subject.as_bytes(), test.as_bytes()),
            want,
            "{subject} filtered by {test}"
        );
    }
    assert!(subject_matches_filter(b"foo.bar.baz", b"foo.>"));
    assert!(!subject_matches_filter(b"foo", b"foo.>"));
    assert!(!subject_matches_filter(b"foo.bar", b"foo.bar.baz"));
}

// go: server/TestSublistSubjectCollide
#[test]
fn subjects_collide_table() {
    assert!(!subjects_collide(b"foo.*", b"foo.*.bar.>"));
    assert!(!subjects_collide(b"foo.*.bar.>", b"foo.*"));
    assert!(subjects_collide(b"foo.*", b"foo.foo"));
    assert!(subjects_collide(b"foo.*", b"*.foo"));
    assert!(subjects_collide(b"foo.bar.>", b"*.bar.foo"));
    // More of the same rules.
    assert!(subjects_collide(b"foo.bar", b"foo.bar"));
    assert!(!subjects_collide(b"foo.bar", b"foo.baz"));
    assert!(subjects_collide(b">", b"a.b.c"));
    assert!(subjects_collide(b"a.>", b"*.*.c"));
    assert!(!subjects_collide(b"a.*", b"b.>"));
    assert!(!subjects_collide(b"a.*", b"*.*.*"));
}

#[test]
fn queue_names() {
    for ok in ["bar", "q22", "_sys_", "a.b", "*", "日本"] {
        assert!(is_valid_queue_name(ok.as_bytes()), "{ok:?}");
    }
    for bad in ["", "a b", "a\tb", "a\r", "\nb"] {
        assert!(!is_valid_queue_name(bad.as_bytes()), "{bad:?}");
    }
    assert!(is_reserved_queue_name(b"_sys_"));
    assert!(!is_reserved_queue_name(b"_sys"));
}
