//! `reverse_match`: which stored subjects a wildcard subject could reach.

use super::*;

fn check(s: &Sublist<Sub>, subject: &str, want: &[&Sub]) {
    let r = s.reverse_match(subject.as_bytes());
    assert_eq!(r.psubs.len(), want.len(), "reverse_match({subject})");
    for x in want {
        verify_member(&r.psubs, x);
    }
}

// go: server/TestSublistReverseMatch
#[test]
fn reverse_match() {
    let s = Sublist::new();
    let foo = new_sub("foo");
    let bar = new_sub("bar");
    let foo_bar = new_sub("foo.bar");
    let foo_baz = new_sub("foo.baz");
    let foo_bar_baz = new_sub("foo.bar.baz");
    for x in [&foo, &bar, &foo_bar, &foo_baz, &foo_bar_baz] {
        ins(&s, x).unwrap();
    }

    check(&s, "foo", &[&foo]);
    check(&s, "bar", &[&bar]);
    check(&s, "*", &[&foo, &bar]);
    check(&s, "baz", &[]);
    check(&s, "foo.*", &[&foo_bar, &foo_baz]);
    check(&s, "*.*", &[&foo_bar, &foo_baz]);
    check(&s, "*.bar", &[&foo_bar]);
    check(&s, "*.baz", &[&foo_baz]);
    check(&s, "bar.*", &[]);
    check(&s, "*.bat", &[]);
    check(&s, "foo.>", &[&foo_bar, &foo_baz, &foo_bar_baz]);
    check(&s, ">", &[&foo, &bar, &foo_bar, &foo_baz, &foo_bar_baz]);
}

// go: server/TestSublistReverseMatchWider
#[test]
fn reverse_match_wider() {
    let s = Sublist::new();
    let sub = new_sub("uplink.*.*.>");
    ins(&s, &sub).unwrap();
    check(&s, "uplink.1.*.*.>", &[&sub]);
    check(&s, "uplink.1.2.3.>", &[&sub]);
}

#[test]
fn reverse_match_reaches_wildcard_subscriptions() {
    let s = Sublist::new();
    let pwc = new_sub("foo.*");
    let fwc = new_sub("foo.>");
    ins(&s, &pwc).unwrap();
    ins(&s, &fwc).unwrap();
    check(&s, "foo.bar", &[&pwc, &fwc]);
    check(&s, "foo.*", &[&pwc, &fwc]);
    check(&s, "bar.*", &[]);
}
