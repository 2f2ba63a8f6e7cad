//! Subject index micro-benchmarks, in the spirit of Go's `Benchmark___Sublist*` family:
//! cached and uncached matches against a tree of ~11k subscriptions with `*` and `>` entries,
//! insert plus remove, a wide node, and the cache-maintenance helper `match_literal`.

use std::hint::black_box;

use criterion::{criterion_group, criterion_main, Criterion};
use server::sublist::{match_literal, Sublist};

const WORDS: [&str; 10] = [
    "synadia",
    "nats",
    "jetstream",
    "nkeys",
    "jwt",
    "deny",
    "auth",
    "drain",
    "cloud",
    "router",
];

/// Every subject of one to four tokens over `WORDS`: 10 + 100 + 1,000 + 10,000 subjects.
fn subjects() -> Vec<String> {
    let mut out = Vec::new();
    let mut frontier = vec![String::new()];
    for _ in 0..4 {
        let mut next = Vec::new();
        for pre in &frontier {
            for w in WORDS {
                let s = if pre.is_empty() {
                    w.to_string()
                } else {
                    format!("{pre}.{w}")
                };
                out.push(s.clone());
                next.push(s);
            }
        }
        frontier = next;
    }
    out
}

const WILDCARDS: [&str; 4] = [
    "cloud.>",
    "cloud.nats.*.router",
    "*.nats.jetstream.*",
    "synadia.>",
];

fn build(cache: bool) -> Sublist<u32> {
    let s = if cache {
        Sublist::new()
    } else {
        Sublist::new_no_cache()
    };
    let all = subjects();
    for (id, subj) in all.iter().map(String::as_str).chain(WILDCARDS).enumerate() {
        let id = u32::try_from(id).expect("fits");
        s.insert(subj.as_bytes(), None, id).expect("valid subject");
    }
    s
}

fn bench_match(c: &mut Criterion) {
    let cached = build(true);
    let uncached = build(false);
    let mut g = c.benchmark_group("sublist_match");

    let four = b"cloud.nats.jetstream.router";
    cached.match_subject(four);
    g.bench_function("cached_literal_4_tokens", |b| {
        b.iter(|| black_box(cached.match_subject(black_box(four))))
    });
    g.bench_function("cached_has_interest", |b| {
        b.iter(|| black_box(cached.has_interest(black_box(four))))
    });

    // Matches `cloud.>`, `cloud.nats.*.router`, `*.nats.jetstream.*` and the literal.
    g.bench_function("uncached_4_tokens_wildcards", |b| {
        b.iter(|| black_box(uncached.match_subject(black_box(four))))
    });
    g.bench_function("uncached_single_token", |b| {
        b.iter(|| black_box(uncached.match_subject(black_box(b"nats"))))
    });
    g.bench_function("uncached_miss_on_last_of_five", |b| {
        b.iter(|| black_box(uncached.match_subject(black_box(b"nats.nats.jetstream.nkeys.ZZZZ"))))
    });
    g.bench_function("uncached_has_interest", |b| {
        b.iter(|| black_box(uncached.has_interest(black_box(b"jwt.deny.auth.drain"))))
    });

    // Go's Benchmark_SublistMatch10kSubsWithNoCache: one subject with 512 subscribers.
    let wide: Sublist<u32> = Sublist::new_no_cache();
    for i in 0..512 {
        wide.insert(b"foo", None, i).expect("valid subject");
    }
    g.bench_function("uncached_512_subs_one_node", |b| {
        b.iter(|| black_box(wide.match_subject(black_box(b"foo"))))
    });

    // A cache that keeps missing: new subjects under a `>` subscription, so each match walks
    // the tree and stores a result, and the cache is swept as it fills.
    let mut n = 0u64;
    let mut subj = Vec::with_capacity(32);
    g.bench_function("cache_miss_and_store", |b| {
        b.iter(|| {
            n += 1;
            subj.clear();
            subj.extend_from_slice(b"synadia.miss.");
            subj.extend_from_slice(n.to_string().as_bytes());
            black_box(cached.match_subject(&subj))
        })
    });
    g.finish();
}

fn bench_insert_remove(c: &mut Criterion) {
    let mut g = c.benchmark_group("sublist_update");
    for (name, cache) in [
        ("insert_remove_cache", true),
        ("insert_remove_no_cache", false),
    ] {
        let s = build(cache);
        // Some cached results to keep in step, as in a running server.
        for subj in subjects().iter().step_by(97) {
            s.match_subject(subj.as_bytes());
        }
        g.bench_function(name, |b| {
            b.iter(|| {
                s.insert(b"synadia.nats.jetstream.extra", None, u32::MAX)
                    .expect("valid subject");
                s.remove(b"synadia.nats.jetstream.extra", None, &u32::MAX)
                    .expect("present");
            })
        });
    }
    let s = build(true);
    g.bench_function("insert_remove_wildcard_cache", |b| {
        b.iter(|| {
            s.insert(b"synadia.*.jetstream.>", Some(b"q"), u32::MAX)
                .expect("valid subject");
            s.remove(b"synadia.*.jetstream.>", Some(b"q"), &u32::MAX)
                .expect("present");
        })
    });
    g.finish();
}

fn bench_match_literal(c: &mut Criterion) {
    // Go's Benchmark_SublistMatchLiteral: one literal against 21 wildcard patterns.
    let literal = b"foo.foo.foo.foo.foo.foo.foo.foo.foo.foo";
    let mut patterns: Vec<String> = vec![String::from_utf8_lossy(literal).into_owned()];
    for keep in (0..10).rev() {
        let mut toks = vec!["foo"; keep];
        toks.push(">");
        patterns.push(toks.join("."));
    }
    for stars in 1..=10 {
        let mut toks = vec!["foo"; 10 - stars];
        toks.extend(std::iter::repeat_n("*", stars));
        patterns.push(toks.join("."));
    }
    c.bench_function("sublist_match_literal_21_patterns", |b| {
        b.iter(|| {
            for p in &patterns {
                assert!(match_literal(black_box(literal), p.as_bytes()));
            }
        })
    });
}

criterion_group!(
    benches,
    bench_match,
    bench_insert_remove,
    bench_match_literal
);
criterion_main!(benches);
