//! Model check: for random sets of subscriptions (with `*` and `>`), random removals and
//! random literal subjects, `match_subject`, `has_interest` and the cache agree with a
//! brute-force scan that tests each stored subject with `is_subset_match`.

use proptest::prelude::*;

use super::*;
use crate::sublist::is_subset_match;

fn pattern() -> impl Strategy<Value = String> {
    let tok = prop_oneof![Just("a"), Just("b"), Just("*")];
    (prop::collection::vec(tok, 1..4), any::<bool>()).prop_map(|(toks, fwc)| {
        let mut s = toks.join(".");
        if fwc {
            s.push_str(".>");
        }
        s
    })
}

fn literal() -> impl Strategy<Value = String> {
    prop::collection::vec(prop_oneof![Just("a"), Just("b"), Just("c")], 1..6)
        .prop_map(|t| t.join("."))
}

fn sorted_ptrs(v: &[Sub]) -> Vec<usize> {
    let mut p: Vec<usize> = v.iter().map(|x| Arc::as_ptr(&x.0) as usize).collect();
    p.sort_unstable();
    p
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 64, ..ProptestConfig::default() })]

    #[test]
    fn match_agrees_with_brute_force(
        subs in prop::collection::vec((pattern(), prop::option::of(Just("q"))), 1..40),
        removals in prop::collection::vec(any::<prop::sample::Index>(), 0..20),
        probes in prop::collection::vec(literal(), 1..20),
    ) {
        for (_, s) in both() {
            let mut live: Vec<Sub> = subs
                .iter()
                .map(|(p, q)| new_qsub(p, q.unwrap_or("")))
                .collect();
            for x in &live {
                ins(&s, x).unwrap();
            }
            // Warm the cache before removing, so removes must keep it right.
            for p in &probes {
                s.match_subject(p.as_bytes());
            }
            for idx in &removals {
                if live.is_empty() {
                    break;
                }
                let x = live.remove(idx.index(live.len()));
                rem(&s, &x).unwrap();
            }
            prop_assert_eq!(s.count() as usize, live.len());
            for p in &probes {
                let want: Vec<Sub> = live
                    .iter()
                    .filter(|x| is_subset_match(p.as_bytes(), x.subject()))
                    .cloned()
                    .collect();
                let r = s.match_subject(p.as_bytes());
                let mut got: Vec<Sub> = r.psubs.clone();
                got.extend(r.qsubs.iter().flatten().cloned());
                prop_assert_eq!(sorted_ptrs(&got), sorted_ptrs(&want), "subject {}", p);
                prop_assert_eq!(s.has_interest(p.as_bytes()), !want.is_empty());
            }
        }
    }
}
