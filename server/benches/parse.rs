//! Client parser micro-benchmarks: PUB with 16 B, 128 B and 1 KiB payloads, SUB, PING, and a batch of
//! mixed ops parsed the way a connection drains its read buffer.

use std::hint::black_box;

use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use server::protocol::{ClientOp, ClientParser};

fn pub_frame(size: usize) -> Vec<u8> {
    let mut v = format!("PUB foo.bar.baz _INBOX.abcdef {size}\r\n").into_bytes();
    v.extend(std::iter::repeat_n(b'x', size));
    v.extend_from_slice(b"\r\n");
    v
}

/// Parse every op in `buf`, as a connection does with one read; returns the number of ops.
fn drain(p: &mut ClientParser, buf: &[u8]) -> usize {
    let mut at = 0;
    let mut n = 0;
    while let Ok(Some((op, used))) = p.parse(&buf[at..]) {
        black_box(&op);
        at += used;
        n += 1;
    }
    n
}

fn single_ops(c: &mut Criterion) {
    let mut g = c.benchmark_group("parse");
    let mut cases: Vec<(String, Vec<u8>)> = [16, 128, 1024]
        .into_iter()
        .map(|size| (format!("pub_{size}B"), pub_frame(size)))
        .collect();
    cases.push(("sub".into(), b"SUB foo.bar.baz queue 123\r\n".to_vec()));
    cases.push(("ping".into(), b"PING\r\n".to_vec()));
    for (name, frame) in &cases {
        g.throughput(Throughput::Bytes(frame.len() as u64));
        let mut p = ClientParser::new(4096, 1024 * 1024);
        g.bench_function(name.as_str(), |b| {
            b.iter(|| match p.parse(black_box(frame)) {
                Ok(Some((op, used))) => {
                    black_box(&op);
                    used
                }
                other => panic!("unexpected {other:?}"),
            })
        });
    }
    g.finish();
}

fn mixed_batch(c: &mut Criterion) {
    let mut batch = Vec::new();
    for i in 0..100 {
        match i % 5 {
            0 => batch.extend_from_slice(format!("SUB foo.{i} {i}\r\n").as_bytes()),
            1 => batch.extend_from_slice(&pub_frame(16)),
            2 => batch.extend_from_slice(&pub_frame(128)),
            3 => batch.extend_from_slice(b"HPUB foo.bar 12 17\r\nNATS/1.0\r\n\r\nhello\r\n"),
            _ => batch.extend_from_slice(b"PING\r\n"),
        }
    }
    batch.extend_from_slice(b"UNSUB 1\r\nPONG\r\n");
    let mut p = ClientParser::new(4096, 1024 * 1024);
    p.set_headers(true);
    assert_eq!(drain(&mut p, &batch), 102);
    // Make sure the benchmark measures parsing, not an early error.
    assert!(matches!(
        p.parse(b"PING\r\n"),
        Ok(Some((ClientOp::Ping, 6)))
    ));

    let mut g = c.benchmark_group("parse");
    g.throughput(Throughput::Bytes(batch.len() as u64));
    g.bench_function("mixed_batch_102_ops", |b| {
        b.iter(|| drain(&mut p, black_box(&batch)))
    });
    g.finish();
}

criterion_group!(benches, single_ops, mixed_batch);
criterion_main!(benches);
