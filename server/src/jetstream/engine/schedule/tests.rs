use super::state::State;
use super::timer::rebuild;
use super::*;
use crate::jetstream::store::{FileStore, FileStoreConfig, MemStore, StoreConfig};

fn store_cfg() -> StoreConfig {
    StoreConfig {
        name: "TEST".into(),
        subjects: vec!["foo.*".into()],
        ..Default::default()
    }
}

fn schedule_hdr(pattern: &str, target: &str) -> Vec<u8> {
    gen_header(&gen_header(&[], SCHEDULE, pattern), SCHEDULE_TARGET, target)
}

fn at(ns: i64) -> String {
    let t = crate::jetstream::api::GoTime::from_unix_nanos(ns);
    format!("@at {t}")
}

/// Store `hdr` on `subject` and track it as the publish path does.
fn store_and_track(st: &mut State, store: &dyn StreamStore, subject: &str, hdr: &[u8]) -> i64 {
    let (seq, ts) = store.store_msg(subject, hdr, b"", 0).expect("stored");
    let sm = store.load_msg(seq).expect("loaded");
    timer::rebuild(st, store);
    assert_eq!(sm.ts, ts);
    ts
}

fn header<'a>(f: &'a Fired, key: &str) -> &'a str {
    header_str(key, &f.hdr).unwrap_or_default()
}

/// Go's store tests: a stored `@at` schedule produces, once due, a message on its target naming
/// the schedule and saying it is purged.
fn one_shot_on(store: &dyn StreamStore) {
    let mut st = State::default();
    let when = now_nanos() + 1_000_000_000;
    store_and_track(
        &mut st,
        store,
        "foo.schedule",
        &schedule_hdr(&at(when), "foo.target"),
    );
    assert!(due_messages(&mut st, store, when - 1).is_empty());
    let fired = due_messages(&mut st, store, when);
    assert_eq!(fired.len(), 1);
    assert_eq!(fired[0].subject, "foo.target");
    assert_eq!(header(&fired[0], SCHEDULER), "foo.schedule");
    assert_eq!(header(&fired[0], SCHEDULE_NEXT), SCHEDULE_NEXT_PURGE);
    // In flight: not produced again until stored.
    assert!(due_messages(&mut st, store, when).is_empty());
}

// go: server/TestMemStoreMessageSchedule
#[test]
fn memory_store_schedule_produces_its_message() {
    one_shot_on(&MemStore::new(store_cfg()).unwrap());
}

// go: server/TestFileStoreMessageSchedule
#[test]
fn file_store_schedule_produces_its_message() {
    let dir = tempfile::tempdir().unwrap();
    let fs = FileStore::open(FileStoreConfig::new(dir.path().join("S")), store_cfg()).unwrap();
    one_shot_on(&fs);
}

// go: server/TestMemStoreMessageScheduleEverySubSecondPrecision
#[test]
fn an_interval_keeps_its_sub_second_anchor() {
    let store = MemStore::new(store_cfg()).unwrap();
    let mut st = State::default();
    let ts = store_and_track(
        &mut st,
        &store,
        "foo.schedule",
        &schedule_hdr("@every 1500ms", "foo.target"),
    );
    let round = |ns: i64| (ns + 500_000_000).div_euclid(1_000_000_000) * 1_000_000_000;
    let first = round(ts) + 1_500_000_000;
    let expected = round(first) + 1_500_000_000;
    let fired = due_messages(&mut st, &store, first);
    assert_eq!(fired.len(), 1);
    assert_eq!(fired[0].subject, "foo.target");
    assert_eq!(header(&fired[0], SCHEDULER), "foo.schedule");
    let next = crate::jetstream::api::GoTime::parse_rfc3339(header(&fired[0], SCHEDULE_NEXT))
        .expect("an RFC 3339 next time");
    assert_eq!(next.unix_nanos(), i128::from(expected));
}

// go: server/TestFileStoreMessageScheduleRecovered
#[test]
fn file_store_schedules_are_found_again_after_a_restart() {
    let dir = tempfile::tempdir().unwrap();
    let fcfg = || FileStoreConfig::new(dir.path().join("S"));
    let when = now_nanos() + 1_000_000_000;
    {
        let fs = FileStore::open(fcfg(), store_cfg()).unwrap();
        fs.store_msg(
            "foo.schedule",
            &schedule_hdr(&at(when), "foo.target"),
            b"",
            0,
        )
        .unwrap();
        let ss = fs.fast_state();
        assert_eq!((ss.first_seq, ss.last_seq, ss.msgs), (1, 1, 1));
        fs.stop().unwrap();
    }
    let fs = FileStore::open(fcfg(), store_cfg()).unwrap();
    let ss = fs.fast_state();
    assert_eq!((ss.first_seq, ss.last_seq, ss.msgs), (1, 1, 1));
    let mut st = State::default();
    rebuild(&mut st, &fs);
    assert_eq!(st.len(), 1);
    assert_eq!(st.fires_at("foo.schedule"), Some(when));
}

#[test]
fn rebuilding_replays_replacements_ends_and_rearms() {
    let store = MemStore::new(store_cfg()).unwrap();
    let mut st = State::default();
    let far = now_nanos() + 3_600_000_000_000;
    let h = schedule_hdr(&at(far), "foo.t");
    store.store_msg("foo.a", &h, b"", 0).unwrap();
    store.store_msg("foo.b", &h, b"", 0).unwrap();
    // A plain message ends foo.b's schedule; a produced one re-arms foo.c.
    store.store_msg("foo.b", b"", b"", 0).unwrap();
    store
        .store_msg("foo.c", &schedule_hdr("@every 1h", "foo.t"), b"", 0)
        .unwrap();
    let next = "2030-01-01T00:00:00Z";
    let produced = gen_header(&gen_header(&[], SCHEDULER, "foo.c"), SCHEDULE_NEXT, next);
    store.store_msg("foo.t", &produced, b"", 0).unwrap();
    rebuild(&mut st, &store);
    assert_eq!(st.len(), 2);
    assert_eq!(st.fires_at("foo.a"), Some(far));
    assert_eq!(st.fires_at("foo.b"), None);
    assert_eq!(st.fires_at("foo.c"), Some(1_893_456_000_000_000_000));
}

#[test]
fn gone_or_broken_schedules_are_forgotten_when_due() {
    let store = MemStore::new(store_cfg()).unwrap();
    let mut st = State::default();
    let when = now_nanos();
    let h = schedule_hdr(&at(when), "foo.t");
    store.store_msg("foo.a", &h, b"", 0).unwrap();
    rebuild(&mut st, &store);
    store.remove_msg(1).unwrap();
    assert!(due_messages(&mut st, &store, when).is_empty());
    assert_eq!(st.len(), 0);
    assert!(st.due(i64::MAX).is_empty());
}

#[test]
fn produced_headers_drop_what_would_stop_them_being_stored() {
    let store = MemStore::new(store_cfg()).unwrap();
    let hdr = b"NATS/1.0\r\nNats-Schedule: @every 1s\r\nA: 1\r\nNats-Expected-Stream: X\r\nNats-Msg-Id: m\r\nNats-TTL: 5s\r\nNats-Schedule-Target: foo.t\r\nNats-Schedule-TTL: 7s\r\nNats-Rollup: sub\r\nNats-Schedule-Rollup: sub\r\nB: Nats-Schedule\r\n\r\n";
    let (target, h, m) = fired(hdr, b"body", "foo.s", now_nanos(), &store).unwrap();
    assert_eq!(target, "foo.t");
    assert_eq!(m, b"body");
    let text = String::from_utf8(h).unwrap();
    let next = header_str(SCHEDULE_NEXT, text.as_bytes())
        .unwrap()
        .to_string();
    assert_eq!(
        text,
        format!(
            "NATS/1.0\r\nA: 1\r\nB: Nats-Schedule\r\nNats-Scheduler: foo.s\r\nNats-Schedule-Next: {next}\r\nNats-TTL: 7s\r\nNats-Rollup: sub\r\n\r\n"
        )
    );
    // No target, a bad TTL or a bad pattern: no message.
    let bad = [
        &b"NATS/1.0\r\nNats-Schedule: @every 1s\r\n\r\n"[..],
        b"NATS/1.0\r\nNats-Schedule: @every 1s\r\nNats-Schedule-Target: foo.t\r\nNats-Schedule-TTL: x\r\n\r\n",
        b"NATS/1.0\r\nNats-Schedule: nope\r\nNats-Schedule-Target: foo.t\r\n\r\n",
    ];
    for h in bad {
        assert!(fired(h, b"", "foo.s", 0, &store).is_none());
    }
}

#[test]
fn header_helpers_match_go() {
    assert_eq!(gen_header(&[], "K", "v"), b"NATS/1.0\r\nK: v\r\n\r\n");
    assert_eq!(
        gen_header(b"NATS/1.0\r\nA: 1\r\n\r\n", "K", " v\r\n"),
        b"NATS/1.0\r\nA: 1\r\nK: v\r\n\r\n"
    );
    // Removing the only header leaves nothing.
    assert!(remove_header(b"NATS/1.0\r\nNats-TTL: 1s\r\n\r\n".to_vec(), MSG_TTL).is_empty());
    assert_eq!(
        remove_header(
            b"NATS/1.0\r\nA: 1\r\nNats-TTL: 1s\r\nB: 2\r\nNats-TTL: 2s\r\n\r\n".to_vec(),
            MSG_TTL
        ),
        b"NATS/1.0\r\nA: 1\r\nB: 2\r\n\r\n"
    );
    // A prefix only counts at the start of a line; case matters.
    assert_eq!(
        remove_header_prefix(
            b"NATS/1.0\r\nX: Nats-Schedule\r\nNats-Scheduler: a\r\nnats-schedule: b\r\nNats-Schedule-Next: c\r\n\r\n".to_vec(),
            "Nats-Schedule"
        ),
        b"NATS/1.0\r\nX: Nats-Schedule\r\nnats-schedule: b\r\n\r\n"
    );
}

#[test]
fn ttl_values_as_go_parses_them() {
    for ok in ["never", "NEVER", "1s", "2m", "10", "00"] {
        assert!(valid_ttl(ok), "{ok}");
    }
    for bad in ["", "0", "500ms", "-1s", "-5", "x", "1 s"] {
        assert!(!valid_ttl(bad), "{bad}");
    }
}
