use super::*;

const S: i64 = NANOS;

fn now() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_nanos() as i64
}

fn parse(p: &str, loc: Option<&Zone>, ts: i64) -> Result<Option<Next>, ()> {
    parse_msg_schedule(p, loc, ts, now())
}

fn next(p: &str, loc: Option<&Zone>, ts: i64) -> Next {
    parse(p, loc, ts)
        .unwrap_or_else(|_| panic!("{p} is valid"))
        .unwrap_or_else(|| panic!("{p} is a schedule"))
}

/// Unix nanoseconds of a UTC wall time.
fn utc(y: i64, mo: i64, d: i64, h: i64, mi: i64, s: i64) -> i64 {
    date(y, mo, d, h, mi, s, 0, &Zone::Utc)
}

fn amsterdam() -> Zone {
    load_location("Europe/Amsterdam").expect("zoneinfo has Europe/Amsterdam")
}

// go: server/TestJetStreamScheduledMessageParse
#[test]
fn at_every_and_cron_patterns_as_go_parses_them() {
    // @at <ts>
    let ts = now();
    let t = crate::jetstream::api::GoTime::from_unix_nanos(ts);
    let n = next(&format!("@at {t}"), None, 0);
    assert!(!n.repeat);
    assert_eq!(n.at, ts);

    // @every <duration>
    let now_s = round_second(now());
    let n = next("@every 5s", None, now_s);
    assert!(n.repeat);
    assert_eq!(n.at, now_s + 5 * S);
    // Not again and again after a long pause.
    let now_s = round_second(now());
    let n = next("@every 5s", None, 0);
    assert!(n.repeat);
    assert!(n.at >= now_s + 5 * S);
    // At most once a second.
    assert_eq!(parse("@every 999ms", None, 0), Err(()));
    // Anchored on the previous time rounded to the second, plus the interval.
    let interval = 1_500_000_000;
    let anchor = now() + S;
    let n = next("@every 1500ms", None, anchor);
    assert_eq!(n.at, round_second(anchor) + interval);
    let prev = n.at;
    let n = next("@every 1500ms", None, prev);
    assert_eq!(n.at, round_second(prev) + interval);

    // <cron>
    let now_s = round_second(now());
    let n = next("* * * * * *", None, now_s);
    assert!(n.repeat);
    assert_eq!(n.at, now_s + S);
    // The earliest next second.
    let t = now().div_euclid(S) * S + S - 1;
    assert_eq!(next("* * * * * *", None, t).at, t.div_euclid(S) * S + S);
    // Not again and again after a long pause.
    let now_s = round_second(now());
    assert!(next("* * * * * *", None, 0).at >= now_s + S);

    // Predefined patterns, from midnight on January 1st two years on.
    let year = civil(now(), &Zone::Utc).year + 2;
    let jan1 = utc(year, 1, 1, 0, 0, 0);
    let mut sunday = jan1;
    while civil(sunday, &Zone::Utc).weekday != 0 {
        sunday = add_date(sunday, &Zone::Utc, 0, 1);
    }
    for (p, from, want) in [
        ("@yearly", jan1, utc(year + 1, 1, 1, 0, 0, 0)),
        ("@annually", jan1, utc(year + 1, 1, 1, 0, 0, 0)),
        ("@monthly", jan1, utc(year, 2, 1, 0, 0, 0)),
        ("@weekly", sunday, sunday + 7 * 86_400 * S),
        ("@daily", jan1, utc(year, 1, 2, 0, 0, 0)),
        ("@midnight", jan1, utc(year, 1, 2, 0, 0, 0)),
        ("@hourly", jan1, jan1 + 3600 * S),
    ] {
        let n = next(p, None, from);
        assert!(n.repeat, "{p}");
        assert_eq!(n.at, want, "{p}");
    }

    // <cron> in a time zone: the same instant, shown with the zone's offset.
    let loc = amsterdam();
    let now_s = round_second(now());
    let n = next("* * * * * *", Some(&loc), now_s);
    assert_eq!(n.at, now_s + S);
    assert!(n.offset == 3600 || n.offset == 7200, "{n:?}");
    assert!(n
        .rfc3339()
        .ends_with(if n.offset == 3600 { "+01:00" } else { "+02:00" }));
}

#[test]
fn at_and_every_take_no_time_zone() {
    assert_eq!(
        parse("@at 2030-01-01T00:00:00Z", Some(&Zone::Utc), 0),
        Err(())
    );
    assert_eq!(parse("@every 1s", Some(&Zone::Utc), 0), Err(()));
    assert_eq!(parse("", None, 0), Ok(None));
    // Go's zero time is no schedule at all.
    assert_eq!(parse("@at 0001-01-01T00:00:00Z", None, 0), Ok(None));
    for bad in [
        "@at tomorrow",
        "@at 2030-01-01",
        "@every",
        "@every 1",
        "@every -5s",
        "@every  1s",
        "@sometimes",
    ] {
        assert_eq!(parse(bad, None, 0), Err(()), "{bad}");
    }
}

#[test]
fn cron_fields_ranges_steps_and_names() {
    let base = utc(2030, 1, 1, 0, 0, 0); // A Tuesday.
    let n = |p: &str| next(p, None, base).at;
    assert_eq!(n("30 * * * * *"), utc(2030, 1, 1, 0, 0, 30));
    assert_eq!(n("0 */15 * * * *"), utc(2030, 1, 1, 0, 15, 0));
    assert_eq!(n("0 5-7/2 3 * * *"), utc(2030, 1, 1, 3, 5, 0));
    assert_eq!(n("0 0 12 * * sat"), utc(2030, 1, 5, 12, 0, 0));
    assert_eq!(n("0 0 0 1 MAR ?"), utc(2030, 3, 1, 0, 0, 0));
    assert_eq!(n("0 0 0 29 feb *"), utc(2032, 2, 29, 0, 0, 0));
    assert_eq!(n("0 0 0 1,15 * *"), utc(2030, 1, 15, 0, 0, 0));
    // Day of month or day of week when neither is `*`.
    assert_eq!(n("0 0 0 20 * 4"), utc(2030, 1, 3, 0, 0, 0));
    // Both when one is `*`.
    assert_eq!(n("0 0 0 * * 4"), utc(2030, 1, 3, 0, 0, 0));
    for bad in [
        "* * * * *",
        "60 * * * * *",
        "* * 24 * * *",
        "* * * 0 * *",
        "* * * * 13 *",
        "* * * * * 7",
        "5-1 * * * * *",
        "*/0 * * * * *",
        "1-2-3 * * * * *",
        "1/2/3 * * * * *",
        "x * * * * *",
        "-1 * * * * *",
        ", * * * * *",
        "0 0 0 31 2 *",
    ] {
        assert_eq!(parse(bad, None, base), Err(()), "{bad}");
    }
}

#[test]
fn cron_in_a_zone_follows_its_wall_clock() {
    let loc = amsterdam();
    // Midnight in Amsterdam: 23:00 UTC in winter, 22:00 UTC in summer.
    let n = next("0 0 0 * * *", Some(&loc), utc(2030, 1, 10, 12, 0, 0));
    assert_eq!(n.at, utc(2030, 1, 10, 23, 0, 0));
    assert_eq!(n.rfc3339(), "2030-01-11T00:00:00+01:00");
    let n = next("0 0 0 * * *", Some(&loc), utc(2030, 7, 10, 12, 0, 0));
    assert_eq!(n.at, utc(2030, 7, 10, 22, 0, 0));
    assert_eq!(n.rfc3339(), "2030-07-11T00:00:00+02:00");
    // Go's time.Date around the spring change: 02:30 does not exist on 2030-03-31.
    assert_eq!(
        date(2030, 3, 31, 2, 30, 0, 0, &loc),
        utc(2030, 3, 31, 1, 30, 0)
    );
}

#[test]
fn time_zones_load_like_go() {
    assert!(matches!(load_location("UTC"), Some(Zone::Utc)));
    assert!(matches!(load_location(""), Some(Zone::Utc)));
    assert!(load_location("Local").is_some());
    assert!(load_location("Europe/Amsterdam").is_some());
    for bad in [
        "Not/A/Zone",
        "europe/amsterdam",
        "../zoneinfo/UTC",
        "/etc/localtime",
        "Europe",
    ] {
        assert!(load_location(bad).is_none(), "{bad}");
    }
}

#[test]
fn civil_dates_round_trip() {
    for ns in [0, 951_782_400 * S, -86_400 * S, 4_102_444_800 * S + 5] {
        let c = civil(ns, &Zone::Utc);
        assert_eq!(
            date(
                c.year,
                c.month,
                c.day,
                c.hour,
                c.min,
                c.sec,
                c.nsec,
                &Zone::Utc
            ),
            ns
        );
    }
    // Go's normalisation: February 30th is March 2nd.
    assert_eq!(utc(2030, 2, 30, 0, 0, 0), utc(2030, 3, 2, 0, 0, 0));
    assert_eq!(utc(2030, 13, 1, 0, 0, 0), utc(2031, 1, 1, 0, 0, 0));
}
