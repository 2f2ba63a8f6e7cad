//! Decoding requests as Go does: each expected text was returned by Go nats-server 2.15.1
//! (as `invalid JSON: <text>`) for the same stream create body.

use super::*;

fn err_of(body: &str) -> String {
    match decode_stream_config_request(body.as_bytes()) {
        Ok(r) => panic!("{body} decoded to {r:?}"),
        Err(e) => e.0,
    }
}

#[test]
fn type_errors_name_the_field_like_go() {
    let cases: &[(&str, &str)] = &[
        (r#"{"name":"j1","bogus":1}"#, r#"json: unknown field "bogus""#),
        (r#"{"name":"j5","max_msgs":1.5}"#, "json: cannot unmarshal number 1.5 into Go struct field StreamConfigRequest.max_msgs of type int64"),
        (r#"{"name":"j6","mirror":{"name":5}}"#, "json: cannot unmarshal number into Go struct field StreamConfigRequest.mirror.name of type string"),
        (r#"{"name":"j7","max_consumers":"x"}"#, "json: cannot unmarshal string into Go struct field StreamConfigRequest.max_consumers of type int"),
        (r#"{"name":"j8","max_age":"x"}"#, "json: cannot unmarshal string into Go struct field StreamConfigRequest.max_age of type time.Duration"),
        (r#"{"name":"j9","subjects":"x"}"#, "json: cannot unmarshal string into Go struct field StreamConfigRequest.subjects of type []string"),
        (r#"{"name":"j10","max_msgs":99999999999999999999}"#, "json: cannot unmarshal number 99999999999999999999 into Go struct field StreamConfigRequest.max_msgs of type int64"),
        (r#"{"name":"j11","metadata":{"a":1}}"#, "json: cannot unmarshal number into Go struct field StreamConfigRequest.metadata.a of type string"),
        (r#"{"name":"j12","sources":[{"name":"x","opt_start_seq":-1}]}"#, "json: cannot unmarshal number -1 into Go struct field StreamConfigRequest.sources.0.opt_start_seq of type uint64"),
        ("[1]", "json: cannot unmarshal array into Go value of type server.StreamConfigRequest"),
        (r#"{"name":"j15","sealed":"true"}"#, "json: cannot unmarshal string into Go struct field StreamConfigRequest.sealed of type bool"),
        (r#"{"name":"j16","consumer_limits":{"max_ack_pending":"x"}}"#, "json: cannot unmarshal string into Go struct field StreamConfigRequest.consumer_limits.max_ack_pending of type int"),
        (r#"{"name":"j19","retention":"LIMITS"}"#, r#"can not unmarshal "\"LIMITS\"""#),
        (r#"{"name":"j20","retention":null}"#, r#"can not unmarshal "null""#),
        (r#"{"name":"j21","compression":null}"#, "unknown compression algorithm"),
        (r#"{"name":"j22","compression":5}"#, "json: cannot unmarshal number into Go value of type string"),
        (r#"{"name":"j23","storage":"Memory"}"#, r#"can not unmarshal "\"Memory\"""#),
        (r#"{"name":"j24","subjects":[1]}"#, "json: cannot unmarshal number into StreamConfigRequest.subjects.0 of type string"),
        (r#"{"name":"j25","mirror":"x"}"#, "json: cannot unmarshal string into Go struct field StreamConfigRequest.mirror of type server.StreamSource"),
        (r#"{"name":"j26","sources":{}}"#, "json: cannot unmarshal object into Go struct field StreamConfigRequest.sources of type []*server.StreamSource"),
        (r#"{"name":"j27","max_msgs":"x","bogus":1}"#, "json: cannot unmarshal string into Go struct field StreamConfigRequest.max_msgs of type int64"),
        (r#"{"name":"j28","bogus":1,"max_msgs":"x"}"#, r#"json: unknown field "bogus""#),
        (r#"{"name":"j29","max_msgs":"x","retention":"y"}"#, "json: cannot unmarshal string into Go struct field StreamConfigRequest.max_msgs of type int64"),
        (r#"{"name":"j37","sources":[{"name":"x","external":{"api":1}}]}"#, "json: cannot unmarshal number into Go struct field StreamConfigRequest.sources.0.external.api of type string"),
        (r#"{"name":"j38","placement":{"tags":"x"}}"#, "json: cannot unmarshal string into Go struct field StreamConfigRequest.placement.tags of type []string"),
        (r#"{"name":"j39","republish":{"dest":true}}"#, "json: cannot unmarshal bool into Go struct field StreamConfigRequest.republish.dest of type string"),
        (r#"{"name":"j40","num_replicas":1.0}"#, "json: cannot unmarshal number 1.0 into Go struct field StreamConfigRequest.num_replicas of type int"),
        (r#"{"name":"j41","first_seq":-1}"#, "json: cannot unmarshal number -1 into Go struct field StreamConfigRequest.first_seq of type uint64"),
        (r#"{"name":"j42","max_msg_size":3000000000}"#, "json: cannot unmarshal number 3000000000 into Go struct field StreamConfigRequest.max_msg_size of type int32"),
        (r#"{"name":"j44","max_age":1e9}"#, "json: cannot unmarshal number 1e9 into Go struct field StreamConfigRequest.max_age of type time.Duration"),
        (r#"{"name":"j45","metadata":[]}"#, "json: cannot unmarshal array into Go struct field StreamConfigRequest.metadata of type map[string]string"),
        (r#"{"name":"j47","max_msgs_per_subject":true}"#, "json: cannot unmarshal bool into Go struct field StreamConfigRequest.max_msgs_per_subject of type int64"),
        (r#"{"name":"j2""#, "unexpected EOF"),
        (r#"{"name":"j3"} x"#, "invalid character 'x' looking for beginning of value at offset 15"),
    ];
    for (body, want) in cases {
        assert_eq!(err_of(body), *want, "{body}");
    }
}

#[test]
fn accepts_what_go_accepts() {
    let r = decode_stream_config_request(br#"{"NAME":"caseins","Subjects":["ci.a"],"Max_Msgs":7}"#)
        .expect("case");
    assert_eq!(
        (
            r.config.name.as_str(),
            r.config.subjects.clone(),
            r.config.max_msgs
        ),
        ("caseins", vec!["ci.a".to_string()], 7)
    );
    // Values one after another all land in the same config.
    let r =
        decode_stream_config_request(br#"{"name":"multi"}{"subjects":["mu.1"]}"#).expect("multi");
    assert_eq!(
        (r.config.name.as_str(), r.config.subjects.clone()),
        ("multi", vec!["mu.1".to_string()])
    );
    // A later key for the same field wins, whatever its case.
    let r = decode_stream_config_request(
        br#"{"name":"dupkey","subjects":["dk.a"],"Subjects":["dk.b"]}"#,
    )
    .expect("dup");
    assert_eq!(r.config.subjects, vec!["dk.b".to_string()]);
    // null leaves the zero value.
    let r = decode_stream_config_request(
        br#"{"name":"nulls","max_msgs":null,"subjects":null,"placement":null,"mirror":null,"metadata":null,"consumer_limits":null,"description":null,"sealed":null}"#,
    )
    .expect("nulls");
    assert_eq!(
        r.config,
        StreamConfig {
            name: "nulls".into(),
            ..Default::default()
        }
    );
    let r = decode_stream_config_request(
        br#"{"name":"p","pedantic":true,"discard":"NEW","persist_mode":""}"#,
    )
    .expect("pedantic");
    assert!(r.pedantic);
    assert_eq!(
        r.config.discard,
        crate::jetstream::api::enums::DiscardPolicy::New
    );
    let r = decode_stream_config_request(b"").expect("empty");
    assert_eq!(r, StreamConfigRequest::default());
    let r = decode_stream_config_request(br#"{"name":"j46","subjects":[null,"a"]}"#)
        .expect("null element");
    assert_eq!(r.config.subjects, vec![String::new(), "a".to_string()]);
}

#[test]
fn other_requests_decode_with_their_go_name() {
    use crate::jetstream::api::responses::StreamPurgeRequest;
    let r: StreamPurgeRequest =
        decode_request(br#"{"filter":"a.>","keep":3}"#, "JSApiStreamPurgeRequest").expect("purge");
    assert_eq!((r.subject.as_str(), r.keep, r.sequence), ("a.>", 3, 0));
    let e = decode_request::<StreamPurgeRequest>(br#"{"seq":"x"}"#, "JSApiStreamPurgeRequest")
        .expect_err("bad seq");
    assert_eq!(
        e.0,
        "json: cannot unmarshal string into Go struct field JSApiStreamPurgeRequest.seq of type uint64"
    );
}
