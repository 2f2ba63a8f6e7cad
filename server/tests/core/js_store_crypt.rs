//! File store at-rest encryption (`jetstream { key, prev_encryption_key, cipher }`) and S2
//! compression, against the real binary: what reaches the disk, restarts (clean and `kill -9`),
//! wrong keys, key rotation, plain stores turned encrypted, and the config errors.

use std::path::Path;

use async_nats::jetstream::{self, consumer, stream};

use crate::process::{run_to_exit, ScratchDir, ServerProc};

/// Writes a config with a JetStream block holding `extra` lines; returns its path.
fn conf(dir: &ScratchDir, name: &str, store: &Path, extra: &str) -> String {
    let p = dir.path().join(name);
    let body = format!(
        "jetstream {{\n  store_dir: {:?}\n{extra}}}\n",
        store.display().to_string()
    );
    std::fs::write(&p, body).unwrap();
    p.display().to_string()
}

/// Every file's bytes under `dir`.
fn all_files(dir: &Path) -> Vec<(String, Vec<u8>)> {
    let mut out = Vec::new();
    let Ok(rd) = std::fs::read_dir(dir) else {
        return out;
    };
    for e in rd.flatten() {
        let p = e.path();
        if p.is_dir() {
            out.extend(all_files(&p));
        } else if let Ok(b) = std::fs::read(&p) {
            out.push((p.display().to_string(), b));
        }
    }
    out
}

fn assert_nowhere(dir: &Path, needle: &[u8]) {
    for (name, data) in all_files(dir) {
        assert!(
            !data.windows(needle.len()).any(|w| w == needle),
            "{name} holds plaintext {:?}",
            String::from_utf8_lossy(needle)
        );
    }
}

fn dir_size(dir: &Path) -> u64 {
    all_files(dir).iter().map(|(_, b)| b.len() as u64).sum()
}

async fn stop(mut p: ServerProc) -> String {
    p.signal(libc::SIGTERM);
    p.wait_exit().await;
    p.stderr_text()
}

async fn publish_n(
    js: &jetstream::Context,
    subject: &str,
    n: usize,
    body: impl Fn(usize) -> String,
) {
    for i in 0..n {
        js.publish(subject.to_string(), body(i).into())
            .await
            .unwrap()
            .await
            .unwrap();
    }
}

async fn payload(js: &jetstream::Context, stream: &str, seq: u64) -> Vec<u8> {
    let s = js.get_stream(stream).await.unwrap();
    s.get_raw_message(seq).await.unwrap().payload.to_vec()
}

#[tokio::test]
async fn encrypted_stream_hides_everything_and_survives_restarts_and_kill_9() {
    let tmp = ScratchDir::new("js-enc");
    let store = tmp.path().join("store");
    let c = conf(&tmp, "enc.conf", &store, "  key: \"s3cr3t-key\"\n");
    let p = ServerProc::start(&["-c", &c]).await;
    let js = jetstream::new(async_nats::connect(p.url()).await.unwrap());
    js.create_stream(stream::Config {
        name: "ENC".into(),
        subjects: vec!["hidden.>".into()],
        description: Some("classified-description".into()),
        ..Default::default()
    })
    .await
    .unwrap();
    publish_n(&js, "hidden.orders", 50, |i| {
        format!("topsecret-payload-{i}")
    })
    .await;
    js.get_stream("ENC")
        .await
        .unwrap()
        .create_consumer(consumer::pull::Config {
            durable_name: Some("DUR".into()),
            filter_subject: "hidden.orders".into(),
            description: Some("classified-consumer".into()),
            ..Default::default()
        })
        .await
        .unwrap();
    let log = stop(p).await;
    assert!(
        log.contains("  Encryption:      ChaCha20-Poly1305"),
        "{log}"
    );
    for needle in [
        &b"topsecret-payload"[..],
        b"hidden.orders",
        b"hidden.>",
        b"classified-description",
        b"classified-consumer",
    ] {
        assert_nowhere(&store, needle);
    }

    // A clean restart (state file) and then a kill -9 with more messages (rebuild from blocks).
    let p = ServerProc::start(&["-c", &c]).await;
    let js = jetstream::new(async_nats::connect(p.url()).await.unwrap());
    assert_eq!(payload(&js, "ENC", 50).await, b"topsecret-payload-49");
    publish_n(&js, "hidden.orders", 10, |i| format!("topsecret-later-{i}")).await;
    let mut p = p;
    p.signal(libc::SIGKILL);
    p.wait_exit().await;
    let p = ServerProc::start(&["-c", &c]).await;
    let js = jetstream::new(async_nats::connect(p.url()).await.unwrap());
    let mut s = js.get_stream("ENC").await.unwrap();
    let info = s.info().await.unwrap();
    assert_eq!((info.state.messages, info.state.last_sequence), (60, 60));
    assert_eq!(payload(&js, "ENC", 60).await, b"topsecret-later-9");
    let cons = s.consumer_info("DUR").await.unwrap();
    assert_eq!(cons.config.filter_subject, "hidden.orders");
    stop(p).await;
    assert_nowhere(&store, b"topsecret-later");
}

#[tokio::test]
async fn wrong_or_missing_key_leaves_the_stream_unloaded_and_prev_key_rekeys() {
    let tmp = ScratchDir::new("js-enc-keys");
    let store = tmp.path().join("store");
    let a = conf(&tmp, "a.conf", &store, "  key: \"key-a\"\n  cipher: aes\n");
    let p = ServerProc::start(&["-c", &a]).await;
    let js = jetstream::new(async_nats::connect(p.url()).await.unwrap());
    js.create_stream(stream::Config {
        name: "K".into(),
        subjects: vec!["k".into()],
        ..Default::default()
    })
    .await
    .unwrap();
    publish_n(&js, "k", 5, |i| format!("m{i}")).await;
    let log = stop(p).await;
    assert!(log.contains("  Encryption:      AES-GCM"), "{log}");

    // Another key: Go's warning, and the stream is not there (never garbage).
    let b = conf(&tmp, "b.conf", &store, "  key: \"key-b\"\n");
    let p = ServerProc::start(&["-c", &b]).await;
    let js = jetstream::new(async_nats::connect(p.url()).await.unwrap());
    assert!(js.get_stream("K").await.is_err());
    let log = stop(p).await;
    assert!(
        log.contains("Error decrypting our stream metafile: unable to recover keys"),
        "{log}"
    );

    // No key at all.
    let none = conf(&tmp, "none.conf", &store, "");
    let p = ServerProc::start(&["-c", &none]).await;
    let js = jetstream::new(async_nats::connect(p.url()).await.unwrap());
    assert!(js.get_stream("K").await.is_err());
    let log = stop(p).await;
    assert!(
        log.contains("Error decrypting our stream metafile: encryption not enabled"),
        "{log}"
    );

    // The new key with the old one as prev_encryption_key (and another cipher): re-keyed.
    let rot = conf(
        &tmp,
        "rot.conf",
        &store,
        "  key: \"key-b\"\n  prev_encryption_key: \"key-a\"\n",
    );
    let p = ServerProc::start(&["-c", &rot]).await;
    let js = jetstream::new(async_nats::connect(p.url()).await.unwrap());
    assert_eq!(payload(&js, "K", 5).await, b"m4");
    publish_n(&js, "k", 1, |_| "after-rotation".into()).await;
    let log = stop(p).await;
    assert!(
        log.contains("Converting to ChaCha20-Poly1305 for stream '$G > K'"),
        "{log}"
    );

    // From now on the new key alone opens it, the old one no longer does.
    let p = ServerProc::start(&["-c", &b]).await;
    let js = jetstream::new(async_nats::connect(p.url()).await.unwrap());
    assert_eq!(payload(&js, "K", 1).await, b"m0");
    assert_eq!(payload(&js, "K", 6).await, b"after-rotation");
    stop(p).await;
    let p = ServerProc::start(&["-c", &a]).await;
    let js = jetstream::new(async_nats::connect(p.url()).await.unwrap());
    assert!(js.get_stream("K").await.is_err());
    stop(p).await;
}

#[tokio::test]
async fn a_plain_store_is_encrypted_when_a_key_is_configured() {
    let tmp = ScratchDir::new("js-enc-convert");
    let store = tmp.path().join("store");
    let plain = conf(&tmp, "plain.conf", &store, "");
    let p = ServerProc::start(&["-c", &plain]).await;
    let js = jetstream::new(async_nats::connect(p.url()).await.unwrap());
    js.create_stream(stream::Config {
        name: "P".into(),
        subjects: vec!["plain.subject".into()],
        ..Default::default()
    })
    .await
    .unwrap();
    publish_n(&js, "plain.subject", 20, |i| format!("plain-payload-{i}")).await;
    js.get_stream("P")
        .await
        .unwrap()
        .create_consumer(consumer::pull::Config {
            durable_name: Some("C".into()),
            ..Default::default()
        })
        .await
        .unwrap();
    // kill -9: no state file, the blocks are converted as they are found.
    let mut p = p;
    p.signal(libc::SIGKILL);
    p.wait_exit().await;

    let enc = conf(&tmp, "enc.conf", &store, "  key: \"k\"\n  cipher: aes\n");
    let p = ServerProc::start(&["-c", &enc]).await;
    let js = jetstream::new(async_nats::connect(p.url()).await.unwrap());
    assert_eq!(payload(&js, "P", 20).await, b"plain-payload-19");
    let mut s = js.get_stream("P").await.unwrap();
    assert_eq!(s.info().await.unwrap().state.messages, 20);
    assert!(s.consumer_info("C").await.is_ok());
    let log = stop(p).await;
    assert!(log.contains("  Encrypting stream '$G > P'"), "{log}");
    assert_nowhere(&store, b"plain-payload");
    assert_nowhere(&store, b"plain.subject");

    let p = ServerProc::start(&["-c", &enc]).await;
    let js = jetstream::new(async_nats::connect(p.url()).await.unwrap());
    assert_eq!(payload(&js, "P", 1).await, b"plain-payload-0");
    stop(p).await;
}

#[tokio::test]
async fn s2_compression_shrinks_the_store_and_mixes_with_plain_records() {
    let tmp = ScratchDir::new("js-s2");
    let store = tmp.path().join("store");
    let c = conf(&tmp, "s2.conf", &store, "");
    let p = ServerProc::start(&["-c", &c]).await;
    let js = jetstream::new(async_nats::connect(p.url()).await.unwrap());
    for (name, comp) in [
        ("PLAIN", stream::Compression::None),
        ("COMP", stream::Compression::S2),
    ] {
        js.create_stream(stream::Config {
            name: name.into(),
            subjects: vec![format!("{}.*", name.to_lowercase())],
            compression: Some(comp),
            ..Default::default()
        })
        .await
        .unwrap();
    }
    let body = |i: usize| format!("{i:05} {}", "all work and no play ".repeat(100));
    publish_n(&js, "plain.x", 100, body).await;
    publish_n(&js, "comp.xx", 100, body).await;
    let mut s = js.get_stream("COMP").await.unwrap();
    let info = s.info().await.unwrap();
    assert_eq!(info.config.compression, Some(stream::Compression::S2));
    let streams = store.join("jetstream").join("$G").join("streams");
    let (plain, comp) = (
        dir_size(&streams.join("PLAIN").join("msgs")),
        dir_size(&streams.join("COMP").join("msgs")),
    );
    assert!(comp * 5 < plain, "compressed {comp} bytes vs plain {plain}");
    // Accounted bytes are the uncompressed record sizes (same-length subjects), as in Go.
    let pinfo = js
        .get_stream("PLAIN")
        .await
        .unwrap()
        .info()
        .await
        .unwrap()
        .clone();
    assert_eq!(info.state.bytes, pinfo.state.bytes);

    // Compression can be turned off by an update (as Go allows): both kinds of records coexist.
    let mut cfg = info.config.clone();
    cfg.compression = Some(stream::Compression::None);
    let upd = js.update_stream(cfg).await.unwrap();
    assert_eq!(upd.config.compression, Some(stream::Compression::None));
    publish_n(&js, "comp.x", 10, |i| format!("after-update-{i}")).await;
    let mut p = p;
    p.signal(libc::SIGKILL);
    p.wait_exit().await;

    let p = ServerProc::start(&["-c", &c]).await;
    let js = jetstream::new(async_nats::connect(p.url()).await.unwrap());
    let mut s = js.get_stream("COMP").await.unwrap();
    assert_eq!(s.info().await.unwrap().state.messages, 110);
    assert_eq!(payload(&js, "COMP", 1).await, body(0).into_bytes());
    assert_eq!(payload(&js, "COMP", 110).await, b"after-update-9");
    stop(p).await;
}

#[tokio::test]
async fn encryption_config_errors_and_defaults_are_gos() {
    let tmp = ScratchDir::new("js-enc-conf");
    let store = tmp.path().join("store");
    let bad = conf(
        &tmp,
        "bad.conf",
        &store,
        "  cipher: \"foo\"\n  key: \"x\"\n",
    );
    let (code, out) = run_to_exit(&["-c", &bad]).await;
    assert_ne!(code, Some(0));
    assert!(
        out.contains("bad.conf:3:3: Unknown cipher type: \"foo\""),
        "{out}"
    );
    // A cipher without a key encrypts nothing (no banner line); chachapoly is accepted.
    let c = conf(&tmp, "c.conf", &store, "  cipher: chachapoly\n");
    let p = ServerProc::start(&["-c", &c]).await;
    let log = stop(p).await;
    assert!(!log.contains("Encryption:"), "{log}");
}
