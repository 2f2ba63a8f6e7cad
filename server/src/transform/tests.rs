//! Ported checks of Go's subject_transform_test.go and the mapping parts of accounts_test.go.

use super::*;

fn tr(src: &str, dest: &str) -> SubjectTransform {
    SubjectTransform::new(src, dest)
        .unwrap_or_else(|e| panic!("{src} -> {dest}: {e}"))
        .expect("a transform")
}

// go: server/TestPlaceHolderIndex
#[test]
fn placeholder_index() {
    let cases: &[(&str, Func, Vec<i64>)] = &[
        ("$1", Func::Wildcard(0), vec![1]),
        (
            "{{partition(10,1,2,3)}}",
            Func::Partition(10, vec![]),
            vec![1, 2, 3],
        ),
        (
            "{{ Partition (10,1,2,3) }}",
            Func::Partition(10, vec![]),
            vec![1, 2, 3],
        ),
        ("{{wildcard(2)}}", Func::Wildcard(0), vec![2]),
        ("{{SplitFromLeft(2,1)}}", Func::SplitFromLeft(0, 1), vec![2]),
        (
            "{{SplitFromRight(3,2)}}",
            Func::SplitFromRight(0, 2),
            vec![3],
        ),
        ("{{SliceFromLeft(2,2)}}", Func::SliceFromLeft(0, 2), vec![2]),
        ("{{Left(3,2)}}", Func::Left(0, 2), vec![3]),
        ("{{Right(3,2)}}", Func::Right(0, 2), vec![3]),
    ];
    for (token, f, idx) in cases {
        assert_eq!(
            index_placeholders(token).unwrap(),
            (f.clone(), idx.clone()),
            "{token}"
        );
    }
    // `$` without a number stays a literal.
    assert_eq!(index_placeholders("$foo").unwrap().0, Func::Literal);
}

// go: server/TestSubjectTransformHelpers
#[test]
fn tokenize_untokenize_and_reverse() {
    assert_eq!(tokenize("foo.*.*"), "foo.$1.$2");
    assert_eq!(untokenize("bar"), ("bar".to_string(), vec![]));
    assert_eq!(
        untokenize("foo.$2.$1"),
        (
            "foo.*.*".to_string(),
            vec!["$2".to_string(), "$1".to_string()]
        )
    );
    assert_eq!(
        untokenize("foo.{{wildcard(2)}}.{{wildcard(1)}}"),
        (
            "foo.*.*".to_string(),
            vec!["{{wildcard(2)}}".to_string(), "{{wildcard(1)}}".to_string()]
        )
    );
    let t = SubjectTransform::strict("foo.*.*", "bar.$2.{{Wildcard(1)}}")
        .unwrap()
        .unwrap();
    let transformed = t.transform("foo.b.a");
    assert_eq!(t.reverse().unwrap().transform(&transformed), "foo.b.a");
}

// go: server/TestSubjectTransforms
#[test]
fn transforms_as_go() {
    let should_err: &[(&str, &str, bool)] = &[
        ("foo..", "bar", false),
        ("foo.*", "bar.*", false),
        ("foo.*", "bar.$2", false),
        ("foo.*", "bar.$1.>", false),
        ("foo.>", "bar.baz", false),
        ("foo.*.*", "bar.$2", true),
        ("foo.*", "foo.$foo", true),
        ("foo.*", "bar.{{Partition(2,1)}}", true),
        ("foo.*", "foo.{{wildcard(2)}}", false),
        ("foo.*", "foo.{{unimplemented(1)}}", false),
        ("foo.*", "foo.{{partition()}}", false),
        ("foo.*", "foo.{{random()}}", false),
        ("foo.*", "foo.{{wildcard(foo)}}", false),
        ("foo.*", "foo.{{wildcard()}}", false),
        ("foo.*", "foo.{{wildcard(1,2)}}", false),
        ("foo.*", "foo.{{ wildcard5) }}", false),
        ("foo.*", "foo.{{splitLeft(2,2}}", false),
        ("foo", "bla.{{wildcard(1)}}", false),
        ("foo.*", "foo.{{partition(2147483648)}}", false),
        ("foo.*", "foo.{{random(2147483648)}}", false),
    ];
    for (src, dest, strict) in should_err {
        assert!(
            SubjectTransform::with_strict(src, dest, *strict).is_err(),
            "{src} -> {dest} (strict {strict}) should fail"
        );
    }
    let should_be_ok: &[(&str, &str, bool)] = &[
        ("foo.*", "bar.{{Wildcard(1)}}", true),
        ("foo.*.*", "bar.$2", false),
        ("foo.*.*", "bar.{{wildcard(1)}}", false),
        ("foo.*.*", "bar.{{partition(1)}}", false),
        ("foo.*.*", "bar.{{random(5)}}", false),
        ("foo", "bar", false),
        ("foo.*.bar.*.baz", "req.$2.$1", false),
        ("baz.>", "mybaz.>", false),
        ("*", "{{splitfromleft(1,1)}}", false),
        ("", "prefix.>", false),
        ("*.*", "{{partition(10,1,2)}}", false),
        (
            "foo.*.*",
            "foo.{{wildcard(1)}}.{{wildcard(2)}}.{{partition(5,1,2)}}",
            false,
        ),
        ("foo.*", "foo.{{partition(2147483647)}}", false),
        ("foo.*", "foo.{{random(2147483647)}}", false),
        ("foo.bar", "foo.{{random(2147483647)}}", false),
    ];
    for (src, dest, strict) in should_be_ok {
        assert!(
            SubjectTransform::with_strict(src, dest, *strict).is_ok(),
            "{src} -> {dest} (strict {strict}) should build"
        );
    }
    let should_match: &[(&str, &str, &str, &str)] = &[
        ("", "prefix.>", "foo", "prefix.foo"),
        ("foo", "bar", "foo", "bar"),
        ("foo.*.bar.*.baz", "req.$2.$1", "foo.A.bar.B.baz", "req.B.A"),
        (
            "foo.*.bar.*.baz",
            "req.{{wildcard(2)}}.{{wildcard(1)}}",
            "foo.A.bar.B.baz",
            "req.B.A",
        ),
        ("baz.>", "my.pre.>", "baz.1.2.3", "my.pre.1.2.3"),
        ("baz.>", "foo.bar.>", "baz.1.2.3", "foo.bar.1.2.3"),
        ("*", "foo.bar.$1", "foo", "foo.bar.foo"),
        ("*", "{{splitfromleft(1,3)}}", "12345", "123.45"),
        ("*", "{{SplitFromRight(1,3)}}", "12345", "12.345"),
        ("*", "{{SliceFromLeft(1,3)}}", "1234567890", "123.456.789.0"),
        (
            "*",
            "{{SliceFromRight(1,3)}}",
            "1234567890",
            "1.234.567.890",
        ),
        ("*", "{{split(1,-)}}", "-abc-def--ghi-", "abc.def.ghi"),
        ("*", "{{split(1,-)}}", "abc-def--ghi-", "abc.def.ghi"),
        (
            "*.*",
            "{{split(2,-)}}.{{splitfromleft(1,2)}}",
            "foo.-abc-def--ghij-",
            "abc.def.ghij.fo.o",
        ),
        ("*", "{{right(1,1)}}", "1234", "4"),
        ("*", "{{right(1,3)}}", "1234", "234"),
        ("*", "{{right(1,6)}}", "1234", "1234"),
        ("*", "{{left(1,1)}}", "1234", "1"),
        ("*", "{{left(1,3)}}", "1234", "123"),
        ("*", "{{left(1,6)}}", "1234", "1234"),
        ("*", "bar.{{partition(0)}}", "baz", "bar.0"),
        ("*", "bar.{{partition(10, 0)}}", "foo", "bar.3"),
        ("*.*", "bar.{{partition(10)}}", "foo.bar", "bar.6"),
        ("*", "bar.{{partition(10)}}", "foo", "bar.3"),
        ("*", "bar.{{partition(10)}}", "baz", "bar.0"),
        ("*", "bar.{{partition(10)}}", "qux", "bar.9"),
        ("*", "bar.{{random(0)}}", "qux", "bar.0"),
        ("foo.bar", "baz.{{partition(10)}}", "foo.bar", "baz.6"),
        ("foo.baz", "qux.{{partition(10)}}", "foo.baz", "qux.4"),
        (
            "test.subject",
            "result.{{partition(5)}}",
            "test.subject",
            "result.0",
        ),
    ];
    for (src, dest, subj, want) in should_match {
        assert_eq!(
            tr(src, dest).matches(subj).unwrap(),
            *want,
            "{src} -> {dest} on {subj}"
        );
    }
    assert!(SubjectTransform::new("foo", "").unwrap().is_none());
    let random = tr("*", "bar.{{random(6)}}");
    for _ in 0..100 {
        let got = random.matches("qux").unwrap();
        assert!(
            ["bar.0", "bar.1", "bar.2", "bar.3", "bar.4", "bar.5"].contains(&got.as_str()),
            "{got}"
        );
    }
}

// go: server/TestSubjectTransformDoesntPanicTransformingMissingToken
#[test]
fn missing_token_does_not_panic() {
    let t = tr("foo.*", "one.two.{{wildcard(1)}}");
    assert_eq!(t.transform_tokens(&["foo"]), "one.two.");
}

#[test]
fn no_match_and_bad_subjects() {
    let t = tr("foo.*", "bar.$1");
    assert_eq!(t.matches("baz.x"), Err(TransformError::NoMatch));
    assert_eq!(t.matches("foo.*"), Err(TransformError::BadSubject));
}

#[test]
fn errors_as_go() {
    let err = |s: &str, d: &str| SubjectTransform::new(s, d).unwrap_err().to_string();
    assert_eq!(err("foo.*", "bar.*"), "invalid subject");
    assert_eq!(err("foo.>", "bar"), "invalid subject");
    assert_eq!(
        err("foo.*", "bar.$2"),
        "invalid mapping destination: wildcard index out of range in $2: [2]"
    );
    assert_eq!(
        err("foo.*", "bar.{{unknown(1)}}"),
        "invalid mapping destination: unknown function in {{unknown(1)}}"
    );
    assert_eq!(
        err("foo.*", "bar.{{wildcard()}}"),
        "invalid mapping destination: not enough arguments passed to the function in {{wildcard()}}"
    );
    assert_eq!(
        err("foo.*", "bar.{{wildcard(1,2)}}"),
        "invalid mapping destination: too many arguments passed to the function in {{wildcard(1,2)}}"
    );
    assert_eq!(
        err("foo.*", "bar.{{wildcard(x)}}"),
        "invalid mapping destination: function argument is invalid or in the wrong format in {{wildcard(x)}}"
    );
    assert_eq!(
        err("foo.bar", "baz.{{wildcard(1)}}"),
        "invalid mapping destination: wildcard index out of range in {{wildcard(1)}}"
    );
    let strict = |s: &str, d: &str| SubjectTransform::strict(s, d).unwrap_err().to_string();
    assert_eq!(
        strict("foo.*.*", "bar.$1"),
        "invalid mapping destination: not using all of the token wildcard(s) in bar.$1"
    );
    assert_eq!(
        strict("foo.*", "bar.{{partition(2,1)}}"),
        "invalid mapping destination: the only mapping function allowed for import transforms is {{Wildcard()}} in {{partition(2,1)}}"
    );
}

#[test]
fn weighted_mappings_validate_as_go() {
    assert_eq!(
        Mapping::new("foo", &[MapDest::new("a", 60), MapDest::new("b", 50)]).unwrap_err(),
        "total weight needs to be <= 100"
    );
    assert_eq!(
        Mapping::new("foo", &[MapDest::new("a", 10), MapDest::new("a", 10)]).unwrap_err(),
        "duplicate entry for \"a\""
    );
    assert_eq!(
        validate_mapping("foo.*", "bar.{{left(1,2)}}")
            .unwrap_err()
            .to_string(),
        "invalid mapping destination: unknown function in {{left(1,2)}}"
    );
    // Weights below 100 send the rest to the source subject itself.
    let m = Mapping::new("foo", &[MapDest::new("bar", 40)]).unwrap();
    let mut ms = Mappings::default();
    ms.add(m);
    let mut bar = 0;
    for _ in 0..2000 {
        match ms.select("foo").as_deref() {
            Some("bar") => bar += 1,
            Some("foo") => {}
            other => panic!("unexpected {other:?}"),
        }
    }
    assert!((600..1000).contains(&bar), "bar chosen {bar} of 2000");
    assert_eq!(ms.select("other"), None);
}
