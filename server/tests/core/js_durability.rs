//! JetStream data survives `kill -9` of the server process: with the default settings every
//! acknowledged message has reached the OS before its PubAck left, so a process crash loses none.

use async_nats::jetstream::{self, stream};
use futures::StreamExt;

use crate::process::{ScratchDir, ServerProc};

#[tokio::test]
async fn acknowledged_messages_survive_kill_9() {
    let store = ScratchDir::new("js-kill9");
    let sd = store.path().display().to_string();
    let mut first = ServerProc::start(&["-js", "-sd", &sd]).await;
    let nc = async_nats::connect(first.url()).await.unwrap();
    let js = jetstream::new(nc);
    js.create_stream(stream::Config {
        name: "K".into(),
        subjects: vec!["k.*".into()],
        storage: stream::StorageType::File,
        ..Default::default()
    })
    .await
    .unwrap();
    let mut acked = 0u64;
    for i in 0..300 {
        let ack = js
            .publish(format!("k.{}", i % 7), format!("m{i}").into())
            .await
            .unwrap()
            .await
            .unwrap();
        acked = ack.sequence;
    }
    assert_eq!(acked, 300);
    first.signal(libc::SIGKILL);
    first.wait_exit().await;

    let second = ServerProc::start(&["-js", "-sd", &sd]).await;
    let nc = async_nats::connect(second.url()).await.unwrap();
    let js = jetstream::new(nc);
    let mut s = js.get_stream("K").await.unwrap();
    let info = s.info().await.unwrap();
    assert_eq!((info.state.messages, info.state.last_sequence), (300, 300));
    assert_eq!(&s.get_raw_message(300).await.unwrap().payload[..], b"m299");
}

/// A full disk (here: a file size limit on the server process, so writes fail with EFBIG as they
/// would with ENOSPC): the publish that cannot be written gets no PubAck, as Go answers nothing on
/// a write error, later ones neither; core NATS and memory streams keep working; the server stops
/// cleanly; and after a restart with room again every acknowledged message is there, intact.
#[tokio::test]
async fn a_full_disk_acknowledges_nothing_it_could_not_write() {
    let store = ScratchDir::new("js-full");
    let sd = store.path().display().to_string();
    let mut first = ServerProc::start_with_file_limit(&["-js", "-sd", &sd], 256 * 1024).await;
    let nc = async_nats::connect(first.url()).await.unwrap();
    let js = jetstream::new(nc.clone());
    for (name, storage) in [
        ("F", stream::StorageType::File),
        ("MEM", stream::StorageType::Memory),
    ] {
        js.create_stream(stream::Config {
            name: name.into(),
            subjects: vec![format!("{}.*", name.to_lowercase())],
            storage,
            ..Default::default()
        })
        .await
        .unwrap();
    }
    let payload = |i: usize| format!("{i:04}").repeat(1024);
    let publish = |subject: String, body: String| {
        let nc = nc.clone();
        async move {
            let r = tokio::time::timeout(
                std::time::Duration::from_secs(1),
                nc.request(subject, body.into()),
            )
            .await;
            match r {
                Ok(Ok(m)) => serde_json::from_slice::<serde_json::Value>(&m.payload).ok(),
                _ => None,
            }
        }
    };
    let mut acked = Vec::new();
    for i in 0..200 {
        match publish(format!("f.{}", i % 3), payload(i)).await {
            Some(ack) if ack["error"].is_null() => acked.push(ack["seq"].as_u64().unwrap()),
            other => {
                assert!(other.is_none(), "a failed write is not answered: {other:?}");
                break;
            }
        }
    }
    assert!(
        !acked.is_empty() && acked.len() < 200,
        "some acknowledged, then refused: {}",
        acked.len()
    );
    assert!(
        publish("f.0".into(), payload(999)).await.is_none(),
        "the stream takes no more writes"
    );
    let mem = publish("mem.x".into(), "kept".into())
        .await
        .expect("memory ack");
    assert_eq!(mem["seq"], 1);
    let mut sub = nc.subscribe("core.check").await.unwrap();
    nc.publish("core.check", "hi".into()).await.unwrap();
    let got = tokio::time::timeout(std::time::Duration::from_secs(2), sub.next())
        .await
        .expect("core delivery")
        .expect("message");
    assert_eq!(&got.payload[..], b"hi");
    first.signal(libc::SIGTERM);
    first.wait_exit().await;
    assert!(
        !first.stderr_text().contains("panicked"),
        "{}",
        first.stderr_text()
    );
    assert!(first
        .stderr_text()
        .contains("failed to store a msg on stream '$G > F'"));

    let second = ServerProc::start(&["-js", "-sd", &sd]).await;
    let nc = async_nats::connect(second.url()).await.unwrap();
    let js = jetstream::new(nc);
    let s = js.get_stream("F").await.unwrap();
    for (i, seq) in acked.iter().enumerate() {
        let m = s.get_raw_message(*seq).await.unwrap();
        assert_eq!(m.payload, payload(i).as_bytes(), "seq {seq}");
    }
    let ack = js
        .publish("f.0", "room again".into())
        .await
        .unwrap()
        .await
        .unwrap();
    assert!(ack.sequence > *acked.last().unwrap());
}

/// The line a fatal start ends with, without its pid and time prefix.
fn fatal_line(stderr: &str) -> String {
    stderr
        .lines()
        .find(|l| l.contains("[FTL]"))
        .and_then(|l| l.split_once("[FTL] "))
        .map(|(_, m)| m.to_string())
        .unwrap_or_default()
}

/// A store directory that is a file, or lies under one: JetStream cannot start, with Go's words.
#[tokio::test]
async fn a_store_directory_that_is_no_directory_stops_the_start_as_in_go() {
    let dir = ScratchDir::new("js-sd-file");
    let file = dir.path().join("plain");
    std::fs::write(&file, b"x").unwrap();
    for sd in [file.clone(), file.join("below")] {
        let sd = sd.display().to_string();
        let args = ["-js", "-sd", &sd, "-a", "127.0.0.1", "-p", "-1"];
        let (code, ours) = crate::process::run_to_exit(&args).await;
        let go = std::process::Command::new(crate::support::go_server_bin())
            .args(args)
            .output()
            .expect("run the Go server");
        let theirs = String::from_utf8_lossy(&go.stderr).into_owned();
        assert_eq!(fatal_line(&ours), fatal_line(&theirs), "{sd}");
        assert_eq!(
            fatal_line(&ours),
            "Can't start JetStream: storage directory is not a directory"
        );
        assert_eq!(code, go.status.code());
    }
}
