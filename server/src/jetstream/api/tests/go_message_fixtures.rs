//! Replies recorded from Go nats-server 2.15.1 for a stream `M` holding messages: publish
//! acks, message get, info with subject details, message delete, purge, list and delete.

pub(super) const MESSAGE_REPLIES: &[(&str, &str)] = &[
    (
        r####"$JS.API.STREAM.CREATE.M"####,
        r####"{"type":"io.nats.jetstream.api.v1.stream_create_response","config":{"name":"M","subjects":["m.\u003e"],"retention":"limits","max_consumers":-1,"max_msgs":-1,"max_bytes":-1,"max_age":0,"max_msgs_per_subject":-1,"max_msg_size":-1,"discard":"old","storage":"file","num_replicas":1,"duplicate_window":120000000000,"compression":"none","allow_direct":true,"mirror_direct":false,"sealed":false,"deny_delete":false,"deny_purge":false,"allow_rollup_hdrs":false,"consumer_limits":{},"allow_msg_ttl":false,"metadata":{"_nats.level":"5","_nats.req.level":"0","_nats.ver":"2.15.1"}},"created":"2026-11-22T09:02:12.597102229Z","state":{"messages":0,"bytes":0,"first_seq":0,"first_ts":"0001-01-01T00:00:00Z","last_seq":0,"last_ts":"0001-01-01T00:00:00Z","consumer_count":0},"ts":"2026-11-22T09:02:12.598549578Z","did_create":true}"####,
    ),
    (r####"m.a"####, r####"{"stream":"M","seq":1}"####),
    (r####"m.b"####, r####"{"stream":"M","seq":2}"####),
    (
        r####"$JS.API.STREAM.MSG.GET.M"####,
        r####"{"type":"io.nats.jetstream.api.v1.stream_msg_get_response","message":{"subject":"m.b","seq":2,"data":"PHdvcmxkPiAmIMOp","time":"2026-11-22T09:02:12.690194599Z"}}"####,
    ),
    (
        r####"$JS.API.STREAM.MSG.GET.M"####,
        r####"{"type":"io.nats.jetstream.api.v1.stream_msg_get_response","message":{"subject":"m.a","seq":1,"data":"aGVsbG8=","time":"2026-11-22T09:02:12.642290447Z"}}"####,
    ),
    (
        r####"$JS.API.STREAM.INFO.M"####,
        r####"{"type":"io.nats.jetstream.api.v1.stream_info_response","total":2,"offset":0,"limit":100000,"config":{"name":"M","subjects":["m.\u003e"],"retention":"limits","max_consumers":-1,"max_msgs":-1,"max_bytes":-1,"max_age":0,"max_msgs_per_subject":-1,"max_msg_size":-1,"discard":"old","storage":"file","num_replicas":1,"duplicate_window":120000000000,"compression":"none","allow_direct":true,"mirror_direct":false,"sealed":false,"deny_delete":false,"deny_purge":false,"allow_rollup_hdrs":false,"consumer_limits":{},"allow_msg_ttl":false,"metadata":{"_nats.level":"5","_nats.req.level":"0","_nats.ver":"2.15.1"}},"created":"2026-11-22T09:02:12.597102229Z","state":{"messages":2,"bytes":83,"first_seq":1,"first_ts":"2026-11-22T09:02:12.642290447Z","last_seq":2,"last_ts":"2026-11-22T09:02:12.690194599Z","num_subjects":2,"subjects":{"m.a":1,"m.b":1},"consumer_count":0},"cluster":{"leader":"NDWZ5JEIAF6IRNFPC34NY6VXCC7DON3WFJ2FG7X7KLMRDWM4C7RF4L5T"},"ts":"2026-11-22T09:02:12.822655515Z"}"####,
    ),
    (
        r####"$JS.API.STREAM.MSG.DELETE.M"####,
        r####"{"type":"io.nats.jetstream.api.v1.stream_msg_delete_response","success":true}"####,
    ),
    (
        r####"$JS.API.STREAM.INFO.M"####,
        r####"{"type":"io.nats.jetstream.api.v1.stream_info_response","total":0,"offset":0,"limit":0,"config":{"name":"M","subjects":["m.\u003e"],"retention":"limits","max_consumers":-1,"max_msgs":-1,"max_bytes":-1,"max_age":0,"max_msgs_per_subject":-1,"max_msg_size":-1,"discard":"old","storage":"file","num_replicas":1,"duplicate_window":120000000000,"compression":"none","allow_direct":true,"mirror_direct":false,"sealed":false,"deny_delete":false,"deny_purge":false,"allow_rollup_hdrs":false,"consumer_limits":{},"allow_msg_ttl":false,"metadata":{"_nats.level":"5","_nats.req.level":"0","_nats.ver":"2.15.1"}},"created":"2026-11-22T09:02:12.597102229Z","state":{"messages":1,"bytes":45,"first_seq":2,"first_ts":"2026-11-22T09:02:12.690194599Z","last_seq":2,"last_ts":"2026-11-22T09:02:12.690194599Z","num_subjects":1,"consumer_count":0},"cluster":{"leader":"NDWZ5JEIAF6IRNFPC34NY6VXCC7DON3WFJ2FG7X7KLMRDWM4C7RF4L5T"},"ts":"2026-11-22T09:02:12.910623584Z"}"####,
    ),
    (
        r####"$JS.API.STREAM.PURGE.M"####,
        r####"{"type":"io.nats.jetstream.api.v1.stream_purge_response","success":true,"purged":1}"####,
    ),
    (
        r####"$JS.API.STREAM.LIST"####,
        r####"{"type":"io.nats.jetstream.api.v1.stream_list_response","total":1,"offset":0,"limit":256,"streams":[{"config":{"name":"M","subjects":["m.\u003e"],"retention":"limits","max_consumers":-1,"max_msgs":-1,"max_bytes":-1,"max_age":0,"max_msgs_per_subject":-1,"max_msg_size":-1,"discard":"old","storage":"file","num_replicas":1,"duplicate_window":120000000000,"compression":"none","allow_direct":true,"mirror_direct":false,"sealed":false,"deny_delete":false,"deny_purge":false,"allow_rollup_hdrs":false,"consumer_limits":{},"allow_msg_ttl":false,"metadata":{"_nats.req.level":"0"}},"created":"2026-11-22T09:02:12.597102229Z","state":{"messages":0,"bytes":0,"first_seq":3,"first_ts":"0001-01-01T00:00:00Z","last_seq":2,"last_ts":"2026-11-22T09:02:12.690194599Z","consumer_count":0},"ts":"2026-11-22T09:02:12.998290377Z"}]}"####,
    ),
    (
        r####"$JS.API.STREAM.DELETE.M"####,
        r####"{"type":"io.nats.jetstream.api.v1.stream_delete_response","success":true}"####,
    ),
];
