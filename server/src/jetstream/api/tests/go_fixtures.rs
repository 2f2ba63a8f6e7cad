//! Stream API requests sent one after another to Go nats-server 2.15.1 (`-js`, empty store
//! directory, default account) and the reply to each, as recorded from the wire. `None`: no
//! reply (the subject matched no API handler). Three cases with very large bodies are checked
//! separately in `create_replay.rs`.

pub(super) struct Case {
    pub subject: &'static str,
    pub request: &'static str,
    pub reply: Option<&'static str>,
}

pub(super) const CASES: &[Case] = &[
    Case {
        subject: r####"$JS.API.STREAM.CREATE.min"####,
        request: r####"{"name":"min"}"####,
        reply: Some(
            r####"{"type":"io.nats.jetstream.api.v1.stream_create_response","config":{"name":"min","subjects":["min"],"retention":"limits","max_consumers":-1,"max_msgs":-1,"max_bytes":-1,"max_age":0,"max_msgs_per_subject":-1,"max_msg_size":-1,"discard":"old","storage":"file","num_replicas":1,"duplicate_window":120000000000,"compression":"none","allow_direct":false,"mirror_direct":false,"sealed":false,"deny_delete":false,"deny_purge":false,"allow_rollup_hdrs":false,"consumer_limits":{},"allow_msg_ttl":false,"metadata":{"_nats.level":"5","_nats.req.level":"0","_nats.ver":"2.15.1"}},"created":"2026-11-22T08:52:49.05707586Z","state":{"messages":0,"bytes":0,"first_seq":0,"first_ts":"0001-01-01T00:00:00Z","last_seq":0,"last_ts":"0001-01-01T00:00:00Z","consumer_count":0},"ts":"2026-11-22T08:52:49.058378605Z","did_create":true}"####,
        ),
    },
    Case {
        subject: r####"$JS.API.STREAM.CREATE.full"####,
        request: r####"{"name":"full","description":"all the things","subjects":["full.>","other.*.x"],"retention":"workqueue","max_consumers":10,"max_msgs":1000,"max_bytes":1048576,"max_age":3600000000000,"max_msgs_per_subject":5,"max_msg_size":4096,"discard":"new","storage":"memory","num_replicas":1,"duplicate_window":60000000000,"compression":"s2","first_seq":100,"allow_direct":true,"deny_delete":true,"deny_purge":true,"discard_new_per_subject":true,"consumer_limits":{"inactive_threshold":5000000000,"max_ack_pending":100},"metadata":{"owner":"me","a<b":"x&y"}}"####,
        reply: Some(
            r####"{"type":"io.nats.jetstream.api.v1.stream_create_response","config":{"name":"full","description":"all the things","subjects":["full.\u003e","other.*.x"],"retention":"workqueue","max_consumers":10,"max_msgs":1000,"max_bytes":1048576,"max_age":3600000000000,"max_msgs_per_subject":5,"max_msg_size":4096,"discard":"new","storage":"memory","num_replicas":1,"duplicate_window":60000000000,"compression":"s2","first_seq":100,"allow_direct":true,"mirror_direct":false,"discard_new_per_subject":true,"sealed":false,"deny_delete":true,"deny_purge":true,"allow_rollup_hdrs":false,"consumer_limits":{"inactive_threshold":5000000000,"max_ack_pending":100},"allow_msg_ttl":false,"metadata":{"_nats.level":"5","_nats.req.level":"0","_nats.ver":"2.15.1","a\u003cb":"x\u0026y","owner":"me"}},"created":"2026-11-22T08:52:49.10648601Z","state":{"messages":0,"bytes":0,"first_seq":100,"first_ts":"0001-01-01T00:00:00Z","last_seq":99,"last_ts":"0001-01-01T00:00:00Z","consumer_count":0},"ts":"2026-11-22T08:52:49.106599839Z","did_create":true}"####,
        ),
    },
    Case {
        subject: r####"$JS.API.STREAM.CREATE.shortage"####,
        request: r####"{"name":"shortage","max_age":30000000000}"####,
        reply: Some(
            r####"{"type":"io.nats.jetstream.api.v1.stream_create_response","config":{"name":"shortage","subjects":["shortage"],"retention":"limits","max_consumers":-1,"max_msgs":-1,"max_bytes":-1,"max_age":30000000000,"max_msgs_per_subject":-1,"max_msg_size":-1,"discard":"old","storage":"file","num_replicas":1,"duplicate_window":30000000000,"compression":"none","allow_direct":false,"mirror_direct":false,"sealed":false,"deny_delete":false,"deny_purge":false,"allow_rollup_hdrs":false,"consumer_limits":{},"allow_msg_ttl":false,"metadata":{"_nats.level":"5","_nats.req.level":"0","_nats.ver":"2.15.1"}},"created":"2026-11-22T08:52:49.154335231Z","state":{"messages":0,"bytes":0,"first_seq":0,"first_ts":"0001-01-01T00:00:00Z","last_seq":0,"last_ts":"0001-01-01T00:00:00Z","consumer_count":0},"ts":"2026-11-22T08:52:49.155282457Z","did_create":true}"####,
        ),
    },
    Case {
        subject: r####"$JS.API.STREAM.CREATE.sdm"####,
        request: r####"{"name":"sdm","subject_delete_marker_ttl":2000000000,"deny_purge":true}"####,
        reply: Some(
            r####"{"type":"io.nats.jetstream.api.v1.stream_create_response","config":{"name":"sdm","subjects":["sdm"],"retention":"limits","max_consumers":-1,"max_msgs":-1,"max_bytes":-1,"max_age":0,"max_msgs_per_subject":-1,"max_msg_size":-1,"discard":"old","storage":"file","num_replicas":1,"duplicate_window":120000000000,"compression":"none","allow_direct":false,"mirror_direct":false,"sealed":false,"deny_delete":false,"deny_purge":false,"allow_rollup_hdrs":true,"consumer_limits":{},"allow_msg_ttl":true,"subject_delete_marker_ttl":2000000000,"metadata":{"_nats.level":"5","_nats.req.level":"1","_nats.ver":"2.15.1"}},"created":"2026-11-22T08:52:49.202330939Z","state":{"messages":0,"bytes":0,"first_seq":0,"first_ts":"0001-01-01T00:00:00Z","last_seq":0,"last_ts":"0001-01-01T00:00:00Z","consumer_count":0},"ts":"2026-11-22T08:52:49.203367809Z","did_create":true}"####,
        ),
    },
    Case {
        subject: r####"$JS.API.STREAM.CREATE.sched"####,
        request: r####"{"name":"sched","allow_msg_schedules":true}"####,
        reply: Some(
            r####"{"type":"io.nats.jetstream.api.v1.stream_create_response","config":{"name":"sched","subjects":["sched"],"retention":"limits","max_consumers":-1,"max_msgs":-1,"max_bytes":-1,"max_age":0,"max_msgs_per_subject":-1,"max_msg_size":-1,"discard":"old","storage":"file","num_replicas":1,"duplicate_window":120000000000,"compression":"none","allow_direct":false,"mirror_direct":false,"sealed":false,"deny_delete":false,"deny_purge":false,"allow_rollup_hdrs":true,"consumer_limits":{},"allow_msg_ttl":false,"allow_msg_schedules":true,"metadata":{"_nats.level":"5","_nats.req.level":"2","_nats.ver":"2.15.1"}},"created":"2026-11-22T08:52:49.250329812Z","state":{"messages":0,"bytes":0,"first_seq":0,"first_ts":"0001-01-01T00:00:00Z","last_seq":0,"last_ts":"0001-01-01T00:00:00Z","consumer_count":0},"ts":"2026-11-22T08:52:49.251312412Z","did_create":true}"####,
        ),
    },
    Case {
        subject: r####"$JS.API.STREAM.CREATE.counter"####,
        request: r####"{"name":"counter","allow_msg_counter":true}"####,
        reply: Some(
            r####"{"type":"io.nats.jetstream.api.v1.stream_create_response","config":{"name":"counter","subjects":["counter"],"retention":"limits","max_consumers":-1,"max_msgs":-1,"max_bytes":-1,"max_age":0,"max_msgs_per_subject":-1,"max_msg_size":-1,"discard":"old","storage":"file","num_replicas":1,"duplicate_window":120000000000,"compression":"none","allow_direct":false,"mirror_direct":false,"sealed":false,"deny_delete":false,"deny_purge":false,"allow_rollup_hdrs":false,"consumer_limits":{},"allow_msg_ttl":false,"allow_msg_counter":true,"metadata":{"_nats.level":"5","_nats.req.level":"2","_nats.ver":"2.15.1"}},"created":"2026-11-22T08:52:49.298430807Z","state":{"messages":0,"bytes":0,"first_seq":0,"first_ts":"0001-01-01T00:00:00Z","last_seq":0,"last_ts":"0001-01-01T00:00:00Z","consumer_count":0},"ts":"2026-11-22T08:52:49.299582598Z","did_create":true}"####,
        ),
    },
    Case {
        subject: r####"$JS.API.STREAM.CREATE.atomic"####,
        request: r####"{"name":"atomic","allow_atomic":true,"allow_batched":true}"####,
        reply: Some(
            r####"{"type":"io.nats.jetstream.api.v1.stream_create_response","config":{"name":"atomic","subjects":["atomic"],"retention":"limits","max_consumers":-1,"max_msgs":-1,"max_bytes":-1,"max_age":0,"max_msgs_per_subject":-1,"max_msg_size":-1,"discard":"old","storage":"file","num_replicas":1,"duplicate_window":120000000000,"compression":"none","allow_direct":false,"mirror_direct":false,"sealed":false,"deny_delete":false,"deny_purge":false,"allow_rollup_hdrs":false,"consumer_limits":{},"allow_msg_ttl":false,"allow_atomic":true,"allow_batched":true,"metadata":{"_nats.level":"5","_nats.req.level":"4","_nats.ver":"2.15.1"}},"created":"2026-11-22T08:52:49.346278816Z","state":{"messages":0,"bytes":0,"first_seq":0,"first_ts":"0001-01-01T00:00:00Z","last_seq":0,"last_ts":"0001-01-01T00:00:00Z","consumer_count":0},"ts":"2026-11-22T08:52:49.347095799Z","did_create":true}"####,
        ),
    },
    Case {
        subject: r####"$JS.API.STREAM.CREATE.asyncp"####,
        request: r####"{"name":"asyncp","persist_mode":"async"}"####,
        reply: Some(
            r####"{"type":"io.nats.jetstream.api.v1.stream_create_response","config":{"name":"asyncp","subjects":["asyncp"],"retention":"limits","max_consumers":-1,"max_msgs":-1,"max_bytes":-1,"max_age":0,"max_msgs_per_subject":-1,"max_msg_size":-1,"discard":"old","storage":"file","num_replicas":1,"duplicate_window":120000000000,"compression":"none","allow_direct":false,"mirror_direct":false,"sealed":false,"deny_delete":false,"deny_purge":false,"allow_rollup_hdrs":false,"consumer_limits":{},"allow_msg_ttl":false,"persist_mode":"async","metadata":{"_nats.level":"5","_nats.req.level":"2","_nats.ver":"2.15.1"}},"created":"2026-11-22T08:52:49.3943593Z","state":{"messages":0,"bytes":0,"first_seq":0,"first_ts":"0001-01-01T00:00:00Z","last_seq":0,"last_ts":"0001-01-01T00:00:00Z","consumer_count":0},"ts":"2026-11-22T08:52:49.395349711Z","did_create":true}"####,
        ),
    },
    Case {
        subject: r####"$JS.API.STREAM.CREATE.repub"####,
        request: r####"{"name":"repub","subjects":["rp.>"],"republish":{"dest":"out.>"}}"####,
        reply: Some(
            r####"{"type":"io.nats.jetstream.api.v1.stream_create_response","config":{"name":"repub","subjects":["rp.\u003e"],"retention":"limits","max_consumers":-1,"max_msgs":-1,"max_bytes":-1,"max_age":0,"max_msgs_per_subject":-1,"max_msg_size":-1,"discard":"old","storage":"file","num_replicas":1,"duplicate_window":120000000000,"compression":"none","republish":{"src":"\u003e","dest":"out.\u003e"},"allow_direct":false,"mirror_direct":false,"sealed":false,"deny_delete":false,"deny_purge":false,"allow_rollup_hdrs":false,"consumer_limits":{},"allow_msg_ttl":false,"metadata":{"_nats.level":"5","_nats.req.level":"0","_nats.ver":"2.15.1"}},"created":"2026-11-22T08:52:49.438467109Z","state":{"messages":0,"bytes":0,"first_seq":0,"first_ts":"0001-01-01T00:00:00Z","last_seq":0,"last_ts":"0001-01-01T00:00:00Z","consumer_count":0},"ts":"2026-11-22T08:52:49.439688944Z","did_create":true}"####,
        ),
    },
    Case {
        subject: r####"$JS.API.STREAM.CREATE.repub2"####,
        request: r####"{"name":"repub2","subjects":["rq.*"],"republish":{"src":"rq.*","dest":"rout.{{wildcard(1)}}","headers_only":true}}"####,
        reply: Some(
            r####"{"type":"io.nats.jetstream.api.v1.stream_create_response","config":{"name":"repub2","subjects":["rq.*"],"retention":"limits","max_consumers":-1,"max_msgs":-1,"max_bytes":-1,"max_age":0,"max_msgs_per_subject":-1,"max_msg_size":-1,"discard":"old","storage":"file","num_replicas":1,"duplicate_window":120000000000,"compression":"none","republish":{"src":"rq.*","dest":"rout.{{wildcard(1)}}","headers_only":true},"allow_direct":false,"mirror_direct":false,"sealed":false,"deny_delete":false,"deny_purge":false,"allow_rollup_hdrs":false,"consumer_limits":{},"allow_msg_ttl":false,"metadata":{"_nats.level":"5","_nats.req.level":"0","_nats.ver":"2.15.1"}},"created":"2026-11-22T08:52:49.482563961Z","state":{"messages":0,"bytes":0,"first_seq":0,"first_ts":"0001-01-01T00:00:00Z","last_seq":0,"last_ts":"0001-01-01T00:00:00Z","consumer_count":0},"ts":"2026-11-22T08:52:49.483612288Z","did_create":true}"####,
        ),
    },
    Case {
        subject: r####"$JS.API.STREAM.CREATE.xform"####,
        request: r####"{"name":"xform","subjects":["xf.*"],"subject_transform":{"src":"xf.*","dest":"xg.{{wildcard(1)}}"}}"####,
        reply: Some(
            r####"{"type":"io.nats.jetstream.api.v1.stream_create_response","config":{"name":"xform","subjects":["xf.*"],"retention":"limits","max_consumers":-1,"max_msgs":-1,"max_bytes":-1,"max_age":0,"max_msgs_per_subject":-1,"max_msg_size":-1,"discard":"old","storage":"file","num_replicas":1,"duplicate_window":120000000000,"compression":"none","subject_transform":{"src":"xf.*","dest":"xg.{{wildcard(1)}}"},"allow_direct":false,"mirror_direct":false,"sealed":false,"deny_delete":false,"deny_purge":false,"allow_rollup_hdrs":false,"consumer_limits":{},"allow_msg_ttl":false,"metadata":{"_nats.level":"5","_nats.req.level":"0","_nats.ver":"2.15.1"}},"created":"2026-11-22T08:52:49.526366281Z","state":{"messages":0,"bytes":0,"first_seq":0,"first_ts":"0001-01-01T00:00:00Z","last_seq":0,"last_ts":"0001-01-01T00:00:00Z","consumer_count":0},"ts":"2026-11-22T08:52:49.527202643Z","did_create":true}"####,
        ),
    },
    Case {
        subject: r####"$JS.API.STREAM.CREATE.implicit"####,
        request: r####"{"name":"implicit","subjects":["im.>"],"subject_transform":{"src":"im.>","dest":"in.>"},"republish":{"src":">","dest":">"}}"####,
        reply: Some(
            r####"{"type":"io.nats.jetstream.api.v1.stream_create_response","config":{"name":"implicit","subjects":["im.\u003e"],"retention":"limits","max_consumers":-1,"max_msgs":-1,"max_bytes":-1,"max_age":0,"max_msgs_per_subject":-1,"max_msg_size":-1,"discard":"old","storage":"file","num_replicas":1,"duplicate_window":120000000000,"compression":"none","subject_transform":{"src":"im.\u003e","dest":"in.\u003e"},"republish":{"src":"in.\u003e","dest":"in.\u003e"},"allow_direct":false,"mirror_direct":false,"sealed":false,"deny_delete":false,"deny_purge":false,"allow_rollup_hdrs":false,"consumer_limits":{},"allow_msg_ttl":false,"metadata":{"_nats.level":"5","_nats.req.level":"0","_nats.ver":"2.15.1"}},"created":"2026-11-22T08:52:49.574408419Z","state":{"messages":0,"bytes":0,"first_seq":0,"first_ts":"0001-01-01T00:00:00Z","last_seq":0,"last_ts":"0001-01-01T00:00:00Z","consumer_count":0},"ts":"2026-11-22T08:52:49.575629642Z","did_create":true}"####,
        ),
    },
    Case {
        subject: r####"$JS.API.STREAM.CREATE.emptyplace"####,
        request: r####"{"name":"emptyplace","placement":{}}"####,
        reply: Some(
            r####"{"type":"io.nats.jetstream.api.v1.stream_create_response","config":{"name":"emptyplace","subjects":["emptyplace"],"retention":"limits","max_consumers":-1,"max_msgs":-1,"max_bytes":-1,"max_age":0,"max_msgs_per_subject":-1,"max_msg_size":-1,"discard":"old","storage":"file","num_replicas":1,"duplicate_window":120000000000,"compression":"none","allow_direct":false,"mirror_direct":false,"sealed":false,"deny_delete":false,"deny_purge":false,"allow_rollup_hdrs":false,"consumer_limits":{},"allow_msg_ttl":false,"metadata":{"_nats.level":"5","_nats.req.level":"0","_nats.ver":"2.15.1"}},"created":"2026-11-22T08:52:49.618462883Z","state":{"messages":0,"bytes":0,"first_seq":0,"first_ts":"0001-01-01T00:00:00Z","last_seq":0,"last_ts":"0001-01-01T00:00:00Z","consumer_count":0},"ts":"2026-11-22T08:52:49.619537579Z","did_create":true}"####,
        ),
    },
    Case {
        subject: r####"$JS.API.STREAM.CREATE.place"####,
        request: r####"{"name":"place","placement":{"cluster":"C1","tags":["a","b"]}}"####,
        reply: Some(
            r####"{"type":"io.nats.jetstream.api.v1.stream_create_response","config":{"name":"place","subjects":["place"],"retention":"limits","max_consumers":-1,"max_msgs":-1,"max_bytes":-1,"max_age":0,"max_msgs_per_subject":-1,"max_msg_size":-1,"discard":"old","storage":"file","num_replicas":1,"duplicate_window":120000000000,"placement":{"cluster":"C1","tags":["a","b"]},"compression":"none","allow_direct":false,"mirror_direct":false,"sealed":false,"deny_delete":false,"deny_purge":false,"allow_rollup_hdrs":false,"consumer_limits":{},"allow_msg_ttl":false,"metadata":{"_nats.level":"5","_nats.req.level":"0","_nats.ver":"2.15.1"}},"created":"2026-11-22T08:52:49.666361267Z","state":{"messages":0,"bytes":0,"first_seq":0,"first_ts":"0001-01-01T00:00:00Z","last_seq":0,"last_ts":"0001-01-01T00:00:00Z","consumer_count":0},"ts":"2026-11-22T08:52:49.667428492Z","did_create":true}"####,
        ),
    },
    Case {
        subject: r####"$JS.API.STREAM.CREATE.mirror1"####,
        request: r####"{"name":"mirror1","mirror":{"name":"full"}}"####,
        reply: Some(
            r####"{"type":"io.nats.jetstream.api.v1.stream_create_response","config":{"name":"mirror1","retention":"limits","max_consumers":-1,"max_msgs":-1,"max_bytes":-1,"max_age":0,"max_msgs_per_subject":-1,"max_msg_size":-1,"discard":"old","storage":"file","num_replicas":1,"mirror":{"name":"full"},"compression":"none","allow_direct":false,"mirror_direct":true,"sealed":false,"deny_delete":false,"deny_purge":false,"allow_rollup_hdrs":false,"consumer_limits":{},"allow_msg_ttl":false,"metadata":{"_nats.level":"5","_nats.req.level":"0","_nats.ver":"2.15.1"}},"created":"2026-11-22T08:52:49.714465196Z","state":{"messages":0,"bytes":0,"first_seq":0,"first_ts":"0001-01-01T00:00:00Z","last_seq":0,"last_ts":"0001-01-01T00:00:00Z","consumer_count":0},"mirror":{"name":"full","lag":0,"active":-1},"ts":"2026-11-22T08:52:49.715799929Z","did_create":true}"####,
        ),
    },
    Case {
        subject: r####"$JS.API.STREAM.CREATE.mirror2"####,
        request: r####"{"name":"mirror2","mirror":{"name":"nosuch","opt_start_seq":5,"filter_subject":"a.b"}}"####,
        reply: Some(
            r####"{"type":"io.nats.jetstream.api.v1.stream_create_response","config":{"name":"mirror2","retention":"limits","max_consumers":-1,"max_msgs":-1,"max_bytes":-1,"max_age":0,"max_msgs_per_subject":-1,"max_msg_size":-1,"discard":"old","storage":"file","num_replicas":1,"mirror":{"name":"nosuch","opt_start_seq":5,"filter_subject":"a.b"},"compression":"none","allow_direct":false,"mirror_direct":false,"sealed":false,"deny_delete":false,"deny_purge":false,"allow_rollup_hdrs":false,"consumer_limits":{},"allow_msg_ttl":false,"metadata":{"_nats.level":"5","_nats.req.level":"0","_nats.ver":"2.15.1"}},"created":"2026-11-22T08:52:49.762487524Z","state":{"messages":0,"bytes":0,"first_seq":0,"first_ts":"0001-01-01T00:00:00Z","last_seq":0,"last_ts":"0001-01-01T00:00:00Z","consumer_count":0},"mirror":{"name":"nosuch","lag":0,"active":-1},"ts":"2026-11-22T08:52:49.763722348Z","did_create":true}"####,
        ),
    },
    Case {
        subject: r####"$JS.API.STREAM.CREATE.mirror3"####,
        request: r####"{"name":"mirror3","mirror":{"name":"min","subject_transforms":[{"src":"min","dest":"mm"}]}}"####,
        reply: Some(
            r####"{"type":"io.nats.jetstream.api.v1.stream_create_response","config":{"name":"mirror3","retention":"limits","max_consumers":-1,"max_msgs":-1,"max_bytes":-1,"max_age":0,"max_msgs_per_subject":-1,"max_msg_size":-1,"discard":"old","storage":"file","num_replicas":1,"mirror":{"name":"min","subject_transforms":[{"src":"min","dest":"mm"}]},"compression":"none","allow_direct":false,"mirror_direct":false,"sealed":false,"deny_delete":false,"deny_purge":false,"allow_rollup_hdrs":false,"consumer_limits":{},"allow_msg_ttl":false,"metadata":{"_nats.level":"5","_nats.req.level":"0","_nats.ver":"2.15.1"}},"created":"2026-11-22T08:52:49.810596671Z","state":{"messages":0,"bytes":0,"first_seq":0,"first_ts":"0001-01-01T00:00:00Z","last_seq":0,"last_ts":"0001-01-01T00:00:00Z","consumer_count":0},"mirror":{"name":"min","lag":0,"active":-1,"subject_transforms":[{"src":"min","dest":"mm"}]},"ts":"2026-11-22T08:52:49.81189569Z","did_create":true}"####,
        ),
    },
    Case {
        subject: r####"$JS.API.STREAM.CREATE.srcs"####,
        request: r####"{"name":"srcs","sources":[{"name":"min"},{"name":"full","filter_subject":"full.x"},{"name":"full","subject_transforms":[{"src":"other.*.x","dest":"o.{{wildcard(1)}}"}]}]}"####,
        reply: Some(
            r####"{"type":"io.nats.jetstream.api.v1.stream_create_response","config":{"name":"srcs","retention":"limits","max_consumers":-1,"max_msgs":-1,"max_bytes":-1,"max_age":0,"max_msgs_per_subject":-1,"max_msg_size":-1,"discard":"old","storage":"file","num_replicas":1,"sources":[{"name":"min"},{"name":"full","filter_subject":"full.x"},{"name":"full","subject_transforms":[{"src":"other.*.x","dest":"o.{{wildcard(1)}}"}]}],"compression":"none","allow_direct":false,"mirror_direct":false,"sealed":false,"deny_delete":false,"deny_purge":false,"allow_rollup_hdrs":false,"consumer_limits":{},"allow_msg_ttl":false,"metadata":{"_nats.level":"5","_nats.req.level":"0","_nats.ver":"2.15.1"}},"created":"2026-11-22T08:52:49.858490659Z","state":{"messages":0,"bytes":0,"first_seq":0,"first_ts":"0001-01-01T00:00:00Z","last_seq":0,"last_ts":"0001-01-01T00:00:00Z","consumer_count":0},"sources":[{"name":"full","lag":0,"active":-1,"subject_transforms":[{"src":"other.*.x","dest":"o.{{wildcard(1)}}"}]},{"name":"min","lag":0,"active":-1},{"name":"full","lag":0,"active":-1,"filter_subject":"full.x"}],"ts":"2026-11-22T08:52:49.861429573Z","did_create":true}"####,
        ),
    },
    Case {
        subject: r####"$JS.API.STREAM.CREATE.srcext"####,
        request: r####"{"name":"srcext","sources":[{"name":"far","external":{"api":"$JS.hub.API","deliver":"dlv.far"}}]}"####,
        reply: Some(
            r####"{"type":"io.nats.jetstream.api.v1.stream_create_response","config":{"name":"srcext","retention":"limits","max_consumers":-1,"max_msgs":-1,"max_bytes":-1,"max_age":0,"max_msgs_per_subject":-1,"max_msg_size":-1,"discard":"old","storage":"file","num_replicas":1,"sources":[{"name":"far","external":{"api":"$JS.hub.API","deliver":"dlv.far"}}],"compression":"none","allow_direct":false,"mirror_direct":false,"sealed":false,"deny_delete":false,"deny_purge":false,"allow_rollup_hdrs":false,"consumer_limits":{},"allow_msg_ttl":false,"metadata":{"_nats.level":"5","_nats.req.level":"0","_nats.ver":"2.15.1"}},"created":"2026-11-22T08:52:49.906576681Z","state":{"messages":0,"bytes":0,"first_seq":0,"first_ts":"0001-01-01T00:00:00Z","last_seq":0,"last_ts":"0001-01-01T00:00:00Z","consumer_count":0},"sources":[{"name":"far","external":{"api":"$JS.hub.API","deliver":"dlv.far"},"lag":0,"active":-1}],"ts":"2026-11-22T08:52:49.907863021Z","did_create":true}"####,
        ),
    },
    Case {
        subject: r####"$JS.API.STREAM.CREATE.srctime"####,
        request: r####"{"name":"srctime","sources":[{"name":"min","opt_start_time":"2024-02-29T23:59:59.5+02:00"}]}"####,
        reply: Some(
            r####"{"type":"io.nats.jetstream.api.v1.stream_create_response","config":{"name":"srctime","retention":"limits","max_consumers":-1,"max_msgs":-1,"max_bytes":-1,"max_age":0,"max_msgs_per_subject":-1,"max_msg_size":-1,"discard":"old","storage":"file","num_replicas":1,"sources":[{"name":"min","opt_start_time":"2024-02-29T23:59:59.5+02:00"}],"compression":"none","allow_direct":false,"mirror_direct":false,"sealed":false,"deny_delete":false,"deny_purge":false,"allow_rollup_hdrs":false,"consumer_limits":{},"allow_msg_ttl":false,"metadata":{"_nats.level":"5","_nats.req.level":"0","_nats.ver":"2.15.1"}},"created":"2026-11-22T08:52:49.954639749Z","state":{"messages":0,"bytes":0,"first_seq":0,"first_ts":"0001-01-01T00:00:00Z","last_seq":0,"last_ts":"0001-01-01T00:00:00Z","consumer_count":0},"sources":[{"name":"min","lag":0,"active":-1}],"ts":"2026-11-22T08:52:49.955895995Z","did_create":true}"####,
        ),
    },
    Case {
        subject: r####"$JS.API.STREAM.CREATE.durable"####,
        request: r####"{"name":"durable","sources":[{"name":"min","consumer":{"name":"dc","deliver_subject":"dc.deliver"}}]}"####,
        reply: Some(
            r####"{"type":"io.nats.jetstream.api.v1.stream_create_response","config":{"name":"durable","retention":"limits","max_consumers":-1,"max_msgs":-1,"max_bytes":-1,"max_age":0,"max_msgs_per_subject":-1,"max_msg_size":-1,"discard":"old","storage":"file","num_replicas":1,"sources":[{"name":"min","consumer":{"name":"dc","deliver_subject":"dc.deliver"}}],"compression":"none","allow_direct":false,"mirror_direct":false,"sealed":false,"deny_delete":false,"deny_purge":false,"allow_rollup_hdrs":false,"consumer_limits":{},"allow_msg_ttl":false,"metadata":{"_nats.level":"5","_nats.req.level":"0","_nats.ver":"2.15.1"}},"created":"2026-11-22T08:52:50.002426637Z","state":{"messages":0,"bytes":0,"first_seq":0,"first_ts":"0001-01-01T00:00:00Z","last_seq":0,"last_ts":"0001-01-01T00:00:00Z","consumer_count":0},"sources":[{"name":"min","lag":0,"active":-1}],"ts":"2026-11-22T08:52:50.003439762Z","did_create":true}"####,
        ),
    },
    Case {
        subject: r####"$JS.API.STREAM.CREATE.noack"####,
        request: r####"{"name":"noack","subjects":[">"],"no_ack":true}"####,
        reply: Some(
            r####"{"type":"io.nats.jetstream.api.v1.stream_create_response","error":{"code":400,"err_code":10065,"description":"subjects overlap with an existing stream"}}"####,
        ),
    },
    Case {
        subject: r####"$JS.API.STREAM.CREATE.jsevent"####,
        request: r####"{"name":"jsevent","subjects":["$JS.EVENT.>"]}"####,
        reply: Some(
            r####"{"type":"io.nats.jetstream.api.v1.stream_create_response","config":{"name":"jsevent","subjects":["$JS.EVENT.\u003e"],"retention":"limits","max_consumers":-1,"max_msgs":-1,"max_bytes":-1,"max_age":0,"max_msgs_per_subject":-1,"max_msg_size":-1,"discard":"old","storage":"file","num_replicas":1,"duplicate_window":120000000000,"compression":"none","allow_direct":false,"mirror_direct":false,"sealed":false,"deny_delete":false,"deny_purge":false,"allow_rollup_hdrs":false,"consumer_limits":{},"allow_msg_ttl":false,"metadata":{"_nats.level":"5","_nats.req.level":"0","_nats.ver":"2.15.1"}},"created":"2026-11-22T08:52:50.098466231Z","state":{"messages":0,"bytes":0,"first_seq":0,"first_ts":"0001-01-01T00:00:00Z","last_seq":0,"last_ts":"0001-01-01T00:00:00Z","consumer_count":0},"ts":"2026-11-22T08:52:50.099653555Z","did_create":true}"####,
        ),
    },
    Case {
        subject: r####"$JS.API.STREAM.CREATE.sysacc"####,
        request: r####"{"name":"sysacc","subjects":["$SYS.ACCOUNT.>"]}"####,
        reply: Some(
            r####"{"type":"io.nats.jetstream.api.v1.stream_create_response","config":{"name":"sysacc","subjects":["$SYS.ACCOUNT.\u003e"],"retention":"limits","max_consumers":-1,"max_msgs":-1,"max_bytes":-1,"max_age":0,"max_msgs_per_subject":-1,"max_msg_size":-1,"discard":"old","storage":"file","num_replicas":1,"duplicate_window":120000000000,"compression":"none","allow_direct":false,"mirror_direct":false,"sealed":false,"deny_delete":false,"deny_purge":false,"allow_rollup_hdrs":false,"consumer_limits":{},"allow_msg_ttl":false,"metadata":{"_nats.level":"5","_nats.req.level":"0","_nats.ver":"2.15.1"}},"created":"2026-11-22T08:52:50.142491532Z","state":{"messages":0,"bytes":0,"first_seq":0,"first_ts":"0001-01-01T00:00:00Z","last_seq":0,"last_ts":"0001-01-01T00:00:00Z","consumer_count":0},"ts":"2026-11-22T08:52:50.144362531Z","did_create":true}"####,
        ),
    },
    Case {
        subject: r####"$JS.API.STREAM.CREATE.min"####,
        request: r####"{"name":"min"}"####,
        reply: Some(
            r####"{"type":"io.nats.jetstream.api.v1.stream_create_response","config":{"name":"min","subjects":["min"],"retention":"limits","max_consumers":-1,"max_msgs":-1,"max_bytes":-1,"max_age":0,"max_msgs_per_subject":-1,"max_msg_size":-1,"discard":"old","storage":"file","num_replicas":1,"duplicate_window":120000000000,"compression":"none","allow_direct":false,"mirror_direct":false,"sealed":false,"deny_delete":false,"deny_purge":false,"allow_rollup_hdrs":false,"consumer_limits":{},"allow_msg_ttl":false,"metadata":{"_nats.level":"5","_nats.req.level":"0","_nats.ver":"2.15.1"}},"created":"2026-11-22T08:52:49.05707586Z","state":{"messages":0,"bytes":0,"first_seq":0,"first_ts":"0001-01-01T00:00:00Z","last_seq":0,"last_ts":"0001-01-01T00:00:00Z","consumer_count":0},"ts":"2026-11-22T08:52:50.190446765Z","did_create":true}"####,
        ),
    },
    Case {
        subject: r####"$JS.API.STREAM.CREATE.dupwin"####,
        request: r####"{"name":"dupwin","duplicate_window":200000000}"####,
        reply: Some(
            r####"{"type":"io.nats.jetstream.api.v1.stream_create_response","config":{"name":"dupwin","subjects":["dupwin"],"retention":"limits","max_consumers":-1,"max_msgs":-1,"max_bytes":-1,"max_age":0,"max_msgs_per_subject":-1,"max_msg_size":-1,"discard":"old","storage":"file","num_replicas":1,"duplicate_window":200000000,"compression":"none","allow_direct":false,"mirror_direct":false,"sealed":false,"deny_delete":false,"deny_purge":false,"allow_rollup_hdrs":false,"consumer_limits":{},"allow_msg_ttl":false,"metadata":{"_nats.level":"5","_nats.req.level":"0","_nats.ver":"2.15.1"}},"created":"2026-11-22T08:52:50.238349946Z","state":{"messages":0,"bytes":0,"first_seq":0,"first_ts":"0001-01-01T00:00:00Z","last_seq":0,"last_ts":"0001-01-01T00:00:00Z","consumer_count":0},"ts":"2026-11-22T08:52:50.239265496Z","did_create":true}"####,
        ),
    },
    Case {
        subject: r####"$JS.API.STREAM.CREATE.ttl"####,
        request: r####"{"name":"ttl","allow_msg_ttl":true}"####,
        reply: Some(
            r####"{"type":"io.nats.jetstream.api.v1.stream_create_response","config":{"name":"ttl","subjects":["ttl"],"retention":"limits","max_consumers":-1,"max_msgs":-1,"max_bytes":-1,"max_age":0,"max_msgs_per_subject":-1,"max_msg_size":-1,"discard":"old","storage":"file","num_replicas":1,"duplicate_window":120000000000,"compression":"none","allow_direct":false,"mirror_direct":false,"sealed":false,"deny_delete":false,"deny_purge":false,"allow_rollup_hdrs":false,"consumer_limits":{},"allow_msg_ttl":true,"metadata":{"_nats.level":"5","_nats.req.level":"1","_nats.ver":"2.15.1"}},"created":"2026-11-22T08:52:50.282468191Z","state":{"messages":0,"bytes":0,"first_seq":0,"first_ts":"0001-01-01T00:00:00Z","last_seq":0,"last_ts":"0001-01-01T00:00:00Z","consumer_count":0},"ts":"2026-11-22T08:52:50.283638529Z","did_create":true}"####,
        ),
    },
    Case {
        subject: r####"$JS.API.STREAM.CREATE.neg"####,
        request: r####"{"name":"neg","max_msgs":-5,"max_bytes":-7,"max_consumers":-3,"max_msgs_per_subject":-9,"max_msg_size":-2}"####,
        reply: Some(
            r####"{"type":"io.nats.jetstream.api.v1.stream_create_response","config":{"name":"neg","subjects":["neg"],"retention":"limits","max_consumers":-1,"max_msgs":-1,"max_bytes":-1,"max_age":0,"max_msgs_per_subject":-1,"max_msg_size":-1,"discard":"old","storage":"file","num_replicas":1,"duplicate_window":120000000000,"compression":"none","allow_direct":false,"mirror_direct":false,"sealed":false,"deny_delete":false,"deny_purge":false,"allow_rollup_hdrs":false,"consumer_limits":{},"allow_msg_ttl":false,"metadata":{"_nats.level":"5","_nats.req.level":"0","_nats.ver":"2.15.1"}},"created":"2026-11-22T08:52:50.330330636Z","state":{"messages":0,"bytes":0,"first_seq":0,"first_ts":"0001-01-01T00:00:00Z","last_seq":0,"last_ts":"0001-01-01T00:00:00Z","consumer_count":0},"ts":"2026-11-22T08:52:50.331170744Z","did_create":true}"####,
        ),
    },
    Case {
        subject: r####"$JS.API.STREAM.CREATE.caseins"####,
        request: r####"{"NAME":"caseins","Subjects":["ci.a"],"Max_Msgs":7}"####,
        reply: Some(
            r####"{"type":"io.nats.jetstream.api.v1.stream_create_response","config":{"name":"caseins","subjects":["ci.a"],"retention":"limits","max_consumers":-1,"max_msgs":7,"max_bytes":-1,"max_age":0,"max_msgs_per_subject":-1,"max_msg_size":-1,"discard":"old","storage":"file","num_replicas":1,"duplicate_window":120000000000,"compression":"none","allow_direct":false,"mirror_direct":false,"sealed":false,"deny_delete":false,"deny_purge":false,"allow_rollup_hdrs":false,"consumer_limits":{},"allow_msg_ttl":false,"metadata":{"_nats.level":"5","_nats.req.level":"0","_nats.ver":"2.15.1"}},"created":"2026-11-22T08:52:50.374342988Z","state":{"messages":0,"bytes":0,"first_seq":0,"first_ts":"0001-01-01T00:00:00Z","last_seq":0,"last_ts":"0001-01-01T00:00:00Z","consumer_count":0},"ts":"2026-11-22T08:52:50.375422271Z","did_create":true}"####,
        ),
    },
    Case {
        subject: r####"$JS.API.STREAM.CREATE.multi"####,
        request: r####"{"name":"multi"}{"subjects":["mu.1"]}"####,
        reply: Some(
            r####"{"type":"io.nats.jetstream.api.v1.stream_create_response","config":{"name":"multi","subjects":["mu.1"],"retention":"limits","max_consumers":-1,"max_msgs":-1,"max_bytes":-1,"max_age":0,"max_msgs_per_subject":-1,"max_msg_size":-1,"discard":"old","storage":"file","num_replicas":1,"duplicate_window":120000000000,"compression":"none","allow_direct":false,"mirror_direct":false,"sealed":false,"deny_delete":false,"deny_purge":false,"allow_rollup_hdrs":false,"consumer_limits":{},"allow_msg_ttl":false,"metadata":{"_nats.level":"5","_nats.req.level":"0","_nats.ver":"2.15.1"}},"created":"2026-11-22T08:52:50.418605076Z","state":{"messages":0,"bytes":0,"first_seq":0,"first_ts":"0001-01-01T00:00:00Z","last_seq":0,"last_ts":"0001-01-01T00:00:00Z","consumer_count":0},"ts":"2026-11-22T08:52:50.419754593Z","did_create":true}"####,
        ),
    },
    Case {
        subject: r####"$JS.API.STREAM.CREATE.dupkey"####,
        request: r####"{"name":"dupkey","subjects":["dk.a"],"Subjects":["dk.b"]}"####,
        reply: Some(
            r####"{"type":"io.nats.jetstream.api.v1.stream_create_response","config":{"name":"dupkey","subjects":["dk.b"],"retention":"limits","max_consumers":-1,"max_msgs":-1,"max_bytes":-1,"max_age":0,"max_msgs_per_subject":-1,"max_msg_size":-1,"discard":"old","storage":"file","num_replicas":1,"duplicate_window":120000000000,"compression":"none","allow_direct":false,"mirror_direct":false,"sealed":false,"deny_delete":false,"deny_purge":false,"allow_rollup_hdrs":false,"consumer_limits":{},"allow_msg_ttl":false,"metadata":{"_nats.level":"5","_nats.req.level":"0","_nats.ver":"2.15.1"}},"created":"2026-11-22T08:52:50.462441301Z","state":{"messages":0,"bytes":0,"first_seq":0,"first_ts":"0001-01-01T00:00:00Z","last_seq":0,"last_ts":"0001-01-01T00:00:00Z","consumer_count":0},"ts":"2026-11-22T08:52:50.463768502Z","did_create":true}"####,
        ),
    },
    Case {
        subject: r####"$JS.API.STREAM.CREATE.nulls"####,
        request: r####"{"name":"nulls","max_msgs":null,"subjects":null,"placement":null,"mirror":null,"metadata":null,"consumer_limits":null,"description":null,"sealed":null}"####,
        reply: Some(
            r####"{"type":"io.nats.jetstream.api.v1.stream_create_response","config":{"name":"nulls","subjects":["nulls"],"retention":"limits","max_consumers":-1,"max_msgs":-1,"max_bytes":-1,"max_age":0,"max_msgs_per_subject":-1,"max_msg_size":-1,"discard":"old","storage":"file","num_replicas":1,"duplicate_window":120000000000,"compression":"none","allow_direct":false,"mirror_direct":false,"sealed":false,"deny_delete":false,"deny_purge":false,"allow_rollup_hdrs":false,"consumer_limits":{},"allow_msg_ttl":false,"metadata":{"_nats.level":"5","_nats.req.level":"0","_nats.ver":"2.15.1"}},"created":"2026-11-22T08:52:50.506548329Z","state":{"messages":0,"bytes":0,"first_seq":0,"first_ts":"0001-01-01T00:00:00Z","last_seq":0,"last_ts":"0001-01-01T00:00:00Z","consumer_count":0},"ts":"2026-11-22T08:52:50.507678207Z","did_create":true}"####,
        ),
    },
    Case {
        subject: r####"$JS.API.STREAM.CREATE.discup"####,
        request: r####"{"name":"discup","discard":"NEW"}"####,
        reply: Some(
            r####"{"type":"io.nats.jetstream.api.v1.stream_create_response","config":{"name":"discup","subjects":["discup"],"retention":"limits","max_consumers":-1,"max_msgs":-1,"max_bytes":-1,"max_age":0,"max_msgs_per_subject":-1,"max_msg_size":-1,"discard":"new","storage":"file","num_replicas":1,"duplicate_window":120000000000,"compression":"none","allow_direct":false,"mirror_direct":false,"sealed":false,"deny_delete":false,"deny_purge":false,"allow_rollup_hdrs":false,"consumer_limits":{},"allow_msg_ttl":false,"metadata":{"_nats.level":"5","_nats.req.level":"0","_nats.ver":"2.15.1"}},"created":"2026-11-22T08:52:50.550451623Z","state":{"messages":0,"bytes":0,"first_seq":0,"first_ts":"0001-01-01T00:00:00Z","last_seq":0,"last_ts":"0001-01-01T00:00:00Z","consumer_count":0},"ts":"2026-11-22T08:52:50.551793957Z","did_create":true}"####,
        ),
    },
    Case {
        subject: r####"$JS.API.STREAM.CREATE.emptypm"####,
        request: r####"{"name":"emptypm","persist_mode":""}"####,
        reply: Some(
            r####"{"type":"io.nats.jetstream.api.v1.stream_create_response","config":{"name":"emptypm","subjects":["emptypm"],"retention":"limits","max_consumers":-1,"max_msgs":-1,"max_bytes":-1,"max_age":0,"max_msgs_per_subject":-1,"max_msg_size":-1,"discard":"old","storage":"file","num_replicas":1,"duplicate_window":120000000000,"compression":"none","allow_direct":false,"mirror_direct":false,"sealed":false,"deny_delete":false,"deny_purge":false,"allow_rollup_hdrs":false,"consumer_limits":{},"allow_msg_ttl":false,"metadata":{"_nats.level":"5","_nats.req.level":"0","_nats.ver":"2.15.1"}},"created":"2026-11-22T08:52:50.594659761Z","state":{"messages":0,"bytes":0,"first_seq":0,"first_ts":"0001-01-01T00:00:00Z","last_seq":0,"last_ts":"0001-01-01T00:00:00Z","consumer_count":0},"ts":"2026-11-22T08:52:50.596159539Z","did_create":true}"####,
        ),
    },
    Case {
        subject: r####"$JS.API.STREAM.CREATE.mismatch"####,
        request: r####"{"name":"other"}"####,
        reply: Some(
            r####"{"type":"io.nats.jetstream.api.v1.stream_create_response","error":{"code":400,"err_code":10056,"description":"stream name in subject does not match request"}}"####,
        ),
    },
    Case {
        subject: r####"$JS.API.STREAM.CREATE.sealed"####,
        request: r####"{"name":"sealed","sealed":true}"####,
        reply: Some(
            r####"{"type":"io.nats.jetstream.api.v1.stream_create_response","error":{"code":500,"err_code":10052,"description":"stream configuration for create can not be sealed"}}"####,
        ),
    },
    Case {
        subject: r####"$JS.API.STREAM.CREATE.mdirect"####,
        request: r####"{"name":"mdirect","mirror_direct":true}"####,
        reply: Some(
            r####"{"type":"io.nats.jetstream.api.v1.stream_create_response","error":{"code":500,"err_code":10052,"description":"stream has no mirror but does have mirror direct"}}"####,
        ),
    },
    Case {
        subject: r####"$JS.API.STREAM.CREATE.bad.name"####,
        request: r####"{"name":"bad.name"}"####,
        reply: None,
    },
    Case {
        subject: r####"$JS.API.STREAM.CREATE.r6"####,
        request: r####"{"name":"r6","num_replicas":6}"####,
        reply: Some(
            r####"{"type":"io.nats.jetstream.api.v1.stream_create_response","error":{"code":500,"err_code":10052,"description":"maximum replicas is 5"}}"####,
        ),
    },
    Case {
        subject: r####"$JS.API.STREAM.CREATE.rneg"####,
        request: r####"{"name":"rneg","num_replicas":-1}"####,
        reply: Some(
            r####"{"type":"io.nats.jetstream.api.v1.stream_create_response","error":{"code":400,"err_code":10133,"description":"replicas count cannot be negative"}}"####,
        ),
    },
    Case {
        subject: r####"$JS.API.STREAM.CREATE.r3"####,
        request: r####"{"name":"r3","num_replicas":3}"####,
        reply: Some(
            r####"{"type":"io.nats.jetstream.api.v1.stream_create_response","error":{"code":500,"err_code":10074,"description":"replicas \u003e 1 not supported in non-clustered mode"}}"####,
        ),
    },
    Case {
        subject: r####"$JS.API.STREAM.CREATE.agen"####,
        request: r####"{"name":"agen","max_age":-1}"####,
        reply: Some(
            r####"{"type":"io.nats.jetstream.api.v1.stream_create_response","error":{"code":500,"err_code":10052,"description":"max age can not be negative"}}"####,
        ),
    },
    Case {
        subject: r####"$JS.API.STREAM.CREATE.ages"####,
        request: r####"{"name":"ages","max_age":99999999}"####,
        reply: Some(
            r####"{"type":"io.nats.jetstream.api.v1.stream_create_response","error":{"code":500,"err_code":10052,"description":"max age needs to be \u003e= 100ms"}}"####,
        ),
    },
    Case {
        subject: r####"$JS.API.STREAM.CREATE.dupneg"####,
        request: r####"{"name":"dupneg","duplicate_window":-1}"####,
        reply: Some(
            r####"{"type":"io.nats.jetstream.api.v1.stream_create_response","error":{"code":500,"err_code":10052,"description":"duplicates window can not be negative"}}"####,
        ),
    },
    Case {
        subject: r####"$JS.API.STREAM.CREATE.dupage"####,
        request: r####"{"name":"dupage","max_age":1000000000,"duplicate_window":2000000000}"####,
        reply: Some(
            r####"{"type":"io.nats.jetstream.api.v1.stream_create_response","error":{"code":500,"err_code":10052,"description":"duplicates window can not be larger then max age"}}"####,
        ),
    },
    Case {
        subject: r####"$JS.API.STREAM.CREATE.dupsmall"####,
        request: r####"{"name":"dupsmall","duplicate_window":99999999}"####,
        reply: Some(
            r####"{"type":"io.nats.jetstream.api.v1.stream_create_response","error":{"code":500,"err_code":10052,"description":"duplicates window needs to be \u003e= 100ms"}}"####,
        ),
    },
    Case {
        subject: r####"$JS.API.STREAM.CREATE.rollpurge"####,
        request: r####"{"name":"rollpurge","deny_purge":true,"allow_rollup_hdrs":true}"####,
        reply: Some(
            r####"{"type":"io.nats.jetstream.api.v1.stream_create_response","error":{"code":500,"err_code":10052,"description":"roll-ups require the purge permission"}}"####,
        ),
    },
    Case {
        subject: r####"$JS.API.STREAM.CREATE.cnew"####,
        request: r####"{"name":"cnew","allow_msg_counter":true,"discard":"new"}"####,
        reply: Some(
            r####"{"type":"io.nats.jetstream.api.v1.stream_create_response","error":{"code":500,"err_code":10052,"description":"counter stream cannot use discard new"}}"####,
        ),
    },
    Case {
        subject: r####"$JS.API.STREAM.CREATE.cttl"####,
        request: r####"{"name":"cttl","allow_msg_counter":true,"allow_msg_ttl":true}"####,
        reply: Some(
            r####"{"type":"io.nats.jetstream.api.v1.stream_create_response","error":{"code":500,"err_code":10052,"description":"counter stream cannot use message TTLs"}}"####,
        ),
    },
    Case {
        subject: r####"$JS.API.STREAM.CREATE.csched"####,
        request: r####"{"name":"csched","allow_msg_counter":true,"allow_msg_schedules":true}"####,
        reply: Some(
            r####"{"type":"io.nats.jetstream.api.v1.stream_create_response","error":{"code":500,"err_code":10052,"description":"counter stream cannot use message schedules"}}"####,
        ),
    },
    Case {
        subject: r####"$JS.API.STREAM.CREATE.cret"####,
        request: r####"{"name":"cret","allow_msg_counter":true,"retention":"interest"}"####,
        reply: Some(
            r####"{"type":"io.nats.jetstream.api.v1.stream_create_response","error":{"code":500,"err_code":10052,"description":"counter stream can only use limits retention"}}"####,
        ),
    },
    Case {
        subject: r####"$JS.API.STREAM.CREATE.dnp1"####,
        request: r####"{"name":"dnp1","discard_new_per_subject":true}"####,
        reply: Some(
            r####"{"type":"io.nats.jetstream.api.v1.stream_create_response","error":{"code":500,"err_code":10052,"description":"discard new per subject requires discard new policy to be set"}}"####,
        ),
    },
    Case {
        subject: r####"$JS.API.STREAM.CREATE.dnp2"####,
        request: r####"{"name":"dnp2","discard_new_per_subject":true,"discard":"new"}"####,
        reply: Some(
            r####"{"type":"io.nats.jetstream.api.v1.stream_create_response","error":{"code":500,"err_code":10052,"description":"discard new per subject requires max msgs per subject \u003e 0"}}"####,
        ),
    },
    Case {
        subject: r####"$JS.API.STREAM.CREATE.sdmsmall"####,
        request: r####"{"name":"sdmsmall","subject_delete_marker_ttl":999999999}"####,
        reply: Some(
            r####"{"type":"io.nats.jetstream.api.v1.stream_create_response","error":{"code":500,"err_code":10052,"description":"subject delete marker TTL must be at least 1 second"}}"####,
        ),
    },
    Case {
        subject: r####"$JS.API.STREAM.CREATE.sdmneg"####,
        request: r####"{"name":"sdmneg","subject_delete_marker_ttl":-1}"####,
        reply: Some(
            r####"{"type":"io.nats.jetstream.api.v1.stream_create_response","error":{"code":500,"err_code":10052,"description":"subject delete marker TTL must not be negative"}}"####,
        ),
    },
    Case {
        subject: r####"$JS.API.STREAM.CREATE.schednew"####,
        request: r####"{"name":"schednew","allow_msg_schedules":true,"discard":"new"}"####,
        reply: Some(
            r####"{"type":"io.nats.jetstream.api.v1.stream_create_response","error":{"code":500,"err_code":10052,"description":"message scheduling cannot use discard new"}}"####,
        ),
    },
    Case {
        subject: r####"$JS.API.STREAM.CREATE.amem"####,
        request: r####"{"name":"amem","persist_mode":"async","storage":"memory"}"####,
        reply: Some(
            r####"{"type":"io.nats.jetstream.api.v1.stream_create_response","error":{"code":500,"err_code":10052,"description":"async persist mode is only supported on file storage"}}"####,
        ),
    },
    Case {
        subject: r####"$JS.API.STREAM.CREATE.aatomic"####,
        request: r####"{"name":"aatomic","persist_mode":"async","allow_atomic":true}"####,
        reply: Some(
            r####"{"type":"io.nats.jetstream.api.v1.stream_create_response","error":{"code":500,"err_code":10052,"description":"async persist mode is not supported with atomic batch publish"}}"####,
        ),
    },
    Case {
        subject: r####"$JS.API.STREAM.CREATE.mfirst"####,
        request: r####"{"name":"mfirst","mirror":{"name":"min"},"first_seq":5}"####,
        reply: Some(
            r####"{"type":"io.nats.jetstream.api.v1.stream_create_response","error":{"code":400,"err_code":10143,"description":"stream mirrors can not have first sequence configured"}}"####,
        ),
    },
    Case {
        subject: r####"$JS.API.STREAM.CREATE.msubj"####,
        request: r####"{"name":"msubj","mirror":{"name":"min"},"subjects":["ms"]}"####,
        reply: Some(
            r####"{"type":"io.nats.jetstream.api.v1.stream_create_response","error":{"code":400,"err_code":10034,"description":"stream mirrors can not contain subjects"}}"####,
        ),
    },
    Case {
        subject: r####"$JS.API.STREAM.CREATE.msrc"####,
        request: r####"{"name":"msrc","mirror":{"name":"min"},"sources":[{"name":"full"}]}"####,
        reply: Some(
            r####"{"type":"io.nats.jetstream.api.v1.stream_create_response","error":{"code":400,"err_code":10031,"description":"stream mirrors can not also contain other sources"}}"####,
        ),
    },
    Case {
        subject: r####"$JS.API.STREAM.CREATE.mcount"####,
        request: r####"{"name":"mcount","mirror":{"name":"min"},"allow_msg_counter":true}"####,
        reply: Some(
            r####"{"type":"io.nats.jetstream.api.v1.stream_create_response","error":{"code":400,"err_code":10173,"description":"stream mirrors can not also calculate counters"}}"####,
        ),
    },
    Case {
        subject: r####"$JS.API.STREAM.CREATE.matomic"####,
        request: r####"{"name":"matomic","mirror":{"name":"min"},"allow_atomic":true}"####,
        reply: Some(
            r####"{"type":"io.nats.jetstream.api.v1.stream_create_response","error":{"code":400,"err_code":10198,"description":"stream mirrors can not also use atomic publishing"}}"####,
        ),
    },
    Case {
        subject: r####"$JS.API.STREAM.CREATE.mbatch"####,
        request: r####"{"name":"mbatch","mirror":{"name":"min"},"allow_batched":true}"####,
        reply: Some(
            r####"{"type":"io.nats.jetstream.api.v1.stream_create_response","error":{"code":400,"err_code":10209,"description":"stream mirrors can not also use batch publishing"}}"####,
        ),
    },
    Case {
        subject: r####"$JS.API.STREAM.CREATE.msched"####,
        request: r####"{"name":"msched","mirror":{"name":"min"},"allow_msg_schedules":true}"####,
        reply: Some(
            r####"{"type":"io.nats.jetstream.api.v1.stream_create_response","error":{"code":400,"err_code":10186,"description":"stream mirrors can not also schedule messages"}}"####,
        ),
    },
    Case {
        subject: r####"$JS.API.STREAM.CREATE.mdur"####,
        request: r####"{"name":"mdur","mirror":{"name":"min","consumer":{"name":"a.b","deliver_subject":"d"}}}"####,
        reply: Some(
            r####"{"type":"io.nats.jetstream.api.v1.stream_create_response","error":{"code":400,"err_code":10213,"description":"stream mirror consumer config is invalid"}}"####,
        ),
    },
    Case {
        subject: r####"$JS.API.STREAM.CREATE.mdur2"####,
        request: r####"{"name":"mdur2","mirror":{"name":"min","consumer":{"name":"c","deliver_subject":"d.*"}}}"####,
        reply: Some(
            r####"{"type":"io.nats.jetstream.api.v1.stream_create_response","error":{"code":400,"err_code":10213,"description":"stream mirror consumer config is invalid"}}"####,
        ),
    },
    Case {
        subject: r####"$JS.API.STREAM.CREATE.mdur3"####,
        request: r####"{"name":"mdur3","mirror":{"name":"min","opt_start_seq":3,"consumer":{"name":"c","deliver_subject":"d"}}}"####,
        reply: Some(
            r####"{"type":"io.nats.jetstream.api.v1.stream_create_response","error":{"code":400,"err_code":10213,"description":"stream mirror consumer config is invalid"}}"####,
        ),
    },
    Case {
        subject: r####"$JS.API.STREAM.CREATE.mfilt"####,
        request: r####"{"name":"mfilt","mirror":{"name":"min","filter_subject":"a","subject_transforms":[{"src":"b","dest":"c"}]}}"####,
        reply: Some(
            r####"{"type":"io.nats.jetstream.api.v1.stream_create_response","error":{"code":400,"err_code":10150,"description":"mirror with multiple subject transforms cannot also have a single subject filter"}}"####,
        ),
    },
    Case {
        subject: r####"$JS.API.STREAM.CREATE.msdm"####,
        request: r####"{"name":"msdm","mirror":{"name":"min"},"subject_delete_marker_ttl":2000000000}"####,
        reply: Some(
            r####"{"type":"io.nats.jetstream.api.v1.stream_create_response","error":{"code":500,"err_code":10052,"description":"subject delete markers forbidden on mirrors"}}"####,
        ),
    },
    Case {
        subject: r####"$JS.API.STREAM.CREATE.mbadsrc"####,
        request: r####"{"name":"mbadsrc","mirror":{"name":"min","subject_transforms":[{"src":"a..b","dest":"c"}]}}"####,
        reply: Some(
            r####"{"type":"io.nats.jetstream.api.v1.stream_create_response","error":{"code":400,"err_code":10151,"description":"mirror transform source: invalid subject a..b"}}"####,
        ),
    },
    Case {
        subject: r####"$JS.API.STREAM.CREATE.moverlap"####,
        request: r####"{"name":"moverlap","mirror":{"name":"min","subject_transforms":[{"src":"a.*","dest":"b.{{wildcard(1)}}"},{"src":"a.x","dest":"c"}]}}"####,
        reply: Some(
            r####"{"type":"io.nats.jetstream.api.v1.stream_create_response","error":{"code":400,"err_code":10152,"description":"mirror subject filters can not overlap"}}"####,
        ),
    },
    Case {
        subject: r####"$JS.API.STREAM.CREATE.mname"####,
        request: r####"{"name":"mname","mirror":{"name":"a.b"}}"####,
        reply: Some(
            r####"{"type":"io.nats.jetstream.api.v1.stream_create_response","error":{"code":400,"err_code":10142,"description":"mirrored stream name is invalid"}}"####,
        ),
    },
    Case {
        subject: r####"$JS.API.STREAM.CREATE.msize"####,
        request: r####"{"name":"msize","mirror":{"name":"full"},"max_msg_size":100}"####,
        reply: Some(
            r####"{"type":"io.nats.jetstream.api.v1.stream_create_response","error":{"code":400,"err_code":10030,"description":"stream mirror must have max message size \u003e= source"}}"####,
        ),
    },
    Case {
        subject: r####"$JS.API.STREAM.CREATE.ssched"####,
        request: r####"{"name":"ssched","sources":[{"name":"min"}],"allow_msg_schedules":true}"####,
        reply: Some(
            r####"{"type":"io.nats.jetstream.api.v1.stream_create_response","error":{"code":400,"err_code":10187,"description":"stream source can not also schedule messages"}}"####,
        ),
    },
    Case {
        subject: r####"$JS.API.STREAM.CREATE.sname"####,
        request: r####"{"name":"sname","sources":[{"name":""}]}"####,
        reply: Some(
            r####"{"type":"io.nats.jetstream.api.v1.stream_create_response","error":{"code":400,"err_code":10141,"description":"sourced stream name is invalid"}}"####,
        ),
    },
    Case {
        subject: r####"$JS.API.STREAM.CREATE.snull"####,
        request: r####"{"name":"snull","sources":[null]}"####,
        reply: Some(
            r####"{"type":"io.nats.jetstream.api.v1.stream_create_response","error":{"code":400,"err_code":10141,"description":"sourced stream name is invalid"}}"####,
        ),
    },
    Case {
        subject: r####"$JS.API.STREAM.CREATE.sdup"####,
        request: r####"{"name":"sdup","sources":[{"name":"min"},{"name":"min"}]}"####,
        reply: Some(
            r####"{"type":"io.nats.jetstream.api.v1.stream_create_response","error":{"code":400,"err_code":10140,"description":"duplicate source configuration detected"}}"####,
        ),
    },
    Case {
        subject: r####"$JS.API.STREAM.CREATE.smulti"####,
        request: r####"{"name":"smulti","sources":[{"name":"min","filter_subject":"a","subject_transforms":[{"src":"b","dest":"c"}]}]}"####,
        reply: Some(
            r####"{"type":"io.nats.jetstream.api.v1.stream_create_response","error":{"code":400,"err_code":10144,"description":"source with multiple subject transforms cannot also have a single subject filter"}}"####,
        ),
    },
    Case {
        subject: r####"$JS.API.STREAM.CREATE.sbadsrc"####,
        request: r####"{"name":"sbadsrc","sources":[{"name":"min","subject_transforms":[{"src":"a b","dest":"c"}]}]}"####,
        reply: Some(
            r####"{"type":"io.nats.jetstream.api.v1.stream_create_response","error":{"code":400,"err_code":10145,"description":"source transform source: invalid subject a b"}}"####,
        ),
    },
    Case {
        subject: r####"$JS.API.STREAM.CREATE.soverlap"####,
        request: r####"{"name":"soverlap","sources":[{"name":"min","subject_transforms":[{"src":"a.>","dest":""},{"src":"a.b","dest":""}]}]}"####,
        reply: Some(
            r####"{"type":"io.nats.jetstream.api.v1.stream_create_response","error":{"code":400,"err_code":10147,"description":"source filters can not overlap"}}"####,
        ),
    },
    Case {
        subject: r####"$JS.API.STREAM.CREATE.sdur"####,
        request: r####"{"name":"sdur","sources":[{"name":"min","filter_subject":"x","consumer":{"name":"c","deliver_subject":"d"}}]}"####,
        reply: Some(
            r####"{"type":"io.nats.jetstream.api.v1.stream_create_response","error":{"code":400,"err_code":10215,"description":"stream source consumer config is invalid"}}"####,
        ),
    },
    Case {
        subject: r####"$JS.API.STREAM.CREATE.sdurdup"####,
        request: r####"{"name":"sdurdup","sources":[{"name":"min","consumer":{"name":"c","deliver_subject":"d"}},{"name":"min","filter_subject":"","subject_transforms":[{"src":"min","dest":"q"}],"consumer":{"name":"c","deliver_subject":"e"}}]}"####,
        reply: Some(
            r####"{"type":"io.nats.jetstream.api.v1.stream_create_response","error":{"code":400,"err_code":10216,"description":"duplicate stream source consumer detected"}}"####,
        ),
    },
    Case {
        subject: r####"$JS.API.STREAM.CREATE.ssize"####,
        request: r####"{"name":"ssize","sources":[{"name":"full"}],"max_msg_size":100}"####,
        reply: Some(
            r####"{"type":"io.nats.jetstream.api.v1.stream_create_response","error":{"code":400,"err_code":10046,"description":"stream source must have max message size \u003e= target"}}"####,
        ),
    },
    Case {
        subject: r####"$JS.API.STREAM.CREATE.dpfx"####,
        request: r####"{"name":"dpfx","sources":[{"name":"far","external":{"api":"$JS.hub.API","deliver":"dlv.*"}}]}"####,
        reply: Some(
            r####"{"type":"io.nats.jetstream.api.v1.stream_create_response","error":{"code":400,"err_code":10024,"description":"stream external delivery prefix dlv.* must not contain wildcards"}}"####,
        ),
    },
    Case {
        subject: r####"$JS.API.STREAM.CREATE.dover"####,
        request: r####"{"name":"dover","mirror":{"name":"ext","external":{"api":"$JS.hub.API","deliver":"full"}}}"####,
        reply: Some(
            r####"{"type":"io.nats.jetstream.api.v1.stream_create_response","config":{"name":"dover","retention":"limits","max_consumers":-1,"max_msgs":-1,"max_bytes":-1,"max_age":0,"max_msgs_per_subject":-1,"max_msg_size":-1,"discard":"old","storage":"file","num_replicas":1,"mirror":{"name":"ext","external":{"api":"$JS.hub.API","deliver":"full"}},"compression":"none","allow_direct":false,"mirror_direct":false,"sealed":false,"deny_delete":false,"deny_purge":false,"allow_rollup_hdrs":false,"consumer_limits":{},"allow_msg_ttl":false,"metadata":{"_nats.level":"5","_nats.req.level":"0","_nats.ver":"2.15.1"}},"created":"2026-11-22T08:52:54.890431175Z","state":{"messages":0,"bytes":0,"first_seq":0,"first_ts":"0001-01-01T00:00:00Z","last_seq":0,"last_ts":"0001-01-01T00:00:00Z","consumer_count":0},"mirror":{"name":"ext","external":{"api":"$JS.hub.API","deliver":"full"},"lag":0,"active":-1},"ts":"2026-11-22T08:52:54.891655133Z","did_create":true}"####,
        ),
    },
    Case {
        subject: r####"$JS.API.STREAM.CREATE.apfx"####,
        request: r####"{"name":"apfx","sources":[{"name":"far","external":{"api":"$JS.*.API","deliver":"d"}}]}"####,
        reply: Some(
            r####"{"type":"io.nats.jetstream.api.v1.stream_create_response","error":{"code":500,"err_code":10052,"description":"stream external api prefix \"$JS.*.API\" must be a valid subject without wildcards"}}"####,
        ),
    },
    Case {
        subject: r####"$JS.API.STREAM.CREATE.aover"####,
        request: r####"{"name":"aover","sources":[{"name":"far","external":{"api":"$JS.API","deliver":"d"}}]}"####,
        reply: Some(
            r####"{"type":"io.nats.jetstream.api.v1.stream_create_response","error":{"code":400,"err_code":10021,"description":"stream external api prefix $JS.API must not overlap with $JS.API"}}"####,
        ),
    },
    Case {
        subject: r####"$JS.API.STREAM.CREATE.cyc1"####,
        request: r####"{"name":"cyc1","subjects":["cyc1"],"sources":[{"name":"cyc2"}]}"####,
        reply: Some(
            r####"{"type":"io.nats.jetstream.api.v1.stream_create_response","config":{"name":"cyc1","subjects":["cyc1"],"retention":"limits","max_consumers":-1,"max_msgs":-1,"max_bytes":-1,"max_age":0,"max_msgs_per_subject":-1,"max_msg_size":-1,"discard":"old","storage":"file","num_replicas":1,"sources":[{"name":"cyc2"}],"compression":"none","allow_direct":false,"mirror_direct":false,"sealed":false,"deny_delete":false,"deny_purge":false,"allow_rollup_hdrs":false,"consumer_limits":{},"allow_msg_ttl":false,"metadata":{"_nats.level":"5","_nats.req.level":"0","_nats.ver":"2.15.1"}},"created":"2026-11-22T08:52:55.022456643Z","state":{"messages":0,"bytes":0,"first_seq":0,"first_ts":"0001-01-01T00:00:00Z","last_seq":0,"last_ts":"0001-01-01T00:00:00Z","consumer_count":0},"sources":[{"name":"cyc2","lag":0,"active":-1}],"ts":"2026-11-22T08:52:55.023595845Z","did_create":true}"####,
        ),
    },
    Case {
        subject: r####"$JS.API.STREAM.CREATE.cyc2"####,
        request: r####"{"name":"cyc2","subjects":["cyc2"],"sources":[{"name":"cyc1"}]}"####,
        reply: Some(
            r####"{"type":"io.nats.jetstream.api.v1.stream_create_response","error":{"code":500,"err_code":10052,"description":"detected cycle"}}"####,
        ),
    },
    Case {
        subject: r####"$JS.API.STREAM.CREATE.cyc3"####,
        request: r####"{"name":"cyc3","subjects":["cyc3"],"sources":[{"name":"cyc1","filter_subject":"nomatch"}]}"####,
        reply: Some(
            r####"{"type":"io.nats.jetstream.api.v1.stream_create_response","config":{"name":"cyc3","subjects":["cyc3"],"retention":"limits","max_consumers":-1,"max_msgs":-1,"max_bytes":-1,"max_age":0,"max_msgs_per_subject":-1,"max_msg_size":-1,"discard":"old","storage":"file","num_replicas":1,"sources":[{"name":"cyc1","filter_subject":"nomatch"}],"compression":"none","allow_direct":false,"mirror_direct":false,"sealed":false,"deny_delete":false,"deny_purge":false,"allow_rollup_hdrs":false,"consumer_limits":{},"allow_msg_ttl":false,"metadata":{"_nats.level":"5","_nats.req.level":"0","_nats.ver":"2.15.1"}},"created":"2026-11-22T08:52:55.111260464Z","state":{"messages":0,"bytes":0,"first_seq":0,"first_ts":"0001-01-01T00:00:00Z","last_seq":0,"last_ts":"0001-01-01T00:00:00Z","consumer_count":0},"sources":[{"name":"cyc1","lag":0,"active":-1,"filter_subject":"nomatch"}],"ts":"2026-11-22T08:52:55.112286398Z","did_create":true}"####,
        ),
    },
    Case {
        subject: r####"$JS.API.STREAM.CREATE.badsubj"####,
        request: r####"{"name":"badsubj","subjects":["a..b"]}"####,
        reply: Some(
            r####"{"type":"io.nats.jetstream.api.v1.stream_create_response","error":{"code":500,"err_code":10052,"description":"invalid subject"}}"####,
        ),
    },
    Case {
        subject: r####"$JS.API.STREAM.CREATE.dupsubj"####,
        request: r####"{"name":"dupsubj","subjects":["a","a"]}"####,
        reply: Some(
            r####"{"type":"io.nats.jetstream.api.v1.stream_create_response","error":{"code":500,"err_code":10052,"description":"subject \"a\" overlaps with \"a\""}}"####,
        ),
    },
    Case {
        subject: r####"$JS.API.STREAM.CREATE.all"####,
        request: r####"{"name":"all","subjects":[">"]}"####,
        reply: Some(
            r####"{"type":"io.nats.jetstream.api.v1.stream_create_response","error":{"code":500,"err_code":10052,"description":"capturing all subjects requires no-ack to be true"}}"####,
        ),
    },
    Case {
        subject: r####"$JS.API.STREAM.CREATE.jsapi"####,
        request: r####"{"name":"jsapi","subjects":["$JS.API.>"]}"####,
        reply: Some(
            r####"{"type":"io.nats.jetstream.api.v1.stream_create_response","error":{"code":500,"err_code":10052,"description":"subjects that overlap with jetstream api require no-ack to be true"}}"####,
        ),
    },
    Case {
        subject: r####"$JS.API.STREAM.CREATE.jsc"####,
        request: r####"{"name":"jsc","subjects":["$JSC.x"]}"####,
        reply: Some(
            r####"{"type":"io.nats.jetstream.api.v1.stream_create_response","error":{"code":500,"err_code":10052,"description":"subjects that overlap with jetstream api require no-ack to be true"}}"####,
        ),
    },
    Case {
        subject: r####"$JS.API.STREAM.CREATE.nrg"####,
        request: r####"{"name":"nrg","subjects":["*.>"]}"####,
        reply: Some(
            r####"{"type":"io.nats.jetstream.api.v1.stream_create_response","error":{"code":500,"err_code":10052,"description":"subjects that overlap with jetstream api require no-ack to be true"}}"####,
        ),
    },
    Case {
        subject: r####"$JS.API.STREAM.CREATE.sys"####,
        request: r####"{"name":"sys","subjects":["$SYS.REQ.x"]}"####,
        reply: Some(
            r####"{"type":"io.nats.jetstream.api.v1.stream_create_response","error":{"code":500,"err_code":10052,"description":"subjects that overlap with system api require no-ack to be true"}}"####,
        ),
    },
    Case {
        subject: r####"$JS.API.STREAM.CREATE.selfover"####,
        request: r####"{"name":"selfover","subjects":["so.*","so.a"]}"####,
        reply: Some(
            r####"{"type":"io.nats.jetstream.api.v1.stream_create_response","error":{"code":500,"err_code":10052,"description":"subject \"so.*\" overlaps with \"so.a\""}}"####,
        ),
    },
    Case {
        subject: r####"$JS.API.STREAM.CREATE.xbadsrc"####,
        request: r####"{"name":"xbadsrc","subjects":["xb"],"subject_transform":{"src":"a b","dest":"x"}}"####,
        reply: Some(
            r####"{"type":"io.nats.jetstream.api.v1.stream_create_response","error":{"code":400,"err_code":10155,"description":"stream transform source: invalid subject a b"}}"####,
        ),
    },
    Case {
        subject: r####"$JS.API.STREAM.CREATE.rpcycle"####,
        request: r####"{"name":"rpcycle","subjects":["rc.>"],"republish":{"src":"rc.>","dest":"rc.x"}}"####,
        reply: Some(
            r####"{"type":"io.nats.jetstream.api.v1.stream_create_response","error":{"code":500,"err_code":10052,"description":"stream configuration for republish destination forms a cycle"}}"####,
        ),
    },
    Case {
        subject: r####"$JS.API.STREAM.CREATE.rpbad"####,
        request: r####"{"name":"rpbad","subjects":["rb.>"],"republish":{"src":"rb.*","dest":"out.{{wildcard(3)}}"}}"####,
        reply: Some(
            r####"{"type":"io.nats.jetstream.api.v1.stream_create_response","error":{"code":500,"err_code":10052,"description":"stream configuration for republish with transform from 'rb.*' to 'out.{{wildcard(3)}}' not valid"}}"####,
        ),
    },
    Case {
        subject: r####"$JS.API.STREAM.CREATE.pref"####,
        request: r####"{"name":"pref","placement":{"preferred":"S1"}}"####,
        reply: Some(
            r####"{"type":"io.nats.jetstream.api.v1.stream_create_response","error":{"code":500,"err_code":10052,"description":"preferred server not permitted in placement"}}"####,
        ),
    },
    Case {
        subject: r####"$JS.API.STREAM.CREATE.min"####,
        request: r####"{"name":"min","subjects":["min"],"max_msgs":5}"####,
        reply: Some(
            r####"{"type":"io.nats.jetstream.api.v1.stream_create_response","error":{"code":400,"err_code":10058,"description":"stream name already in use with a different configuration"}}"####,
        ),
    },
    Case {
        subject: r####"$JS.API.STREAM.CREATE.overlap"####,
        request: r####"{"name":"overlap","subjects":["full.a"]}"####,
        reply: Some(
            r####"{"type":"io.nats.jetstream.api.v1.stream_create_response","error":{"code":400,"err_code":10065,"description":"subjects overlap with an existing stream"}}"####,
        ),
    },
    Case {
        subject: r####"$JS.API.STREAM.CREATE.mbadfilter"####,
        request: r####"{"name":"mbadfilter","mirror":{"name":"min","filter_subject":"a..b"}}"####,
        reply: Some(
            r####"{"type":"io.nats.jetstream.api.v1.stream_create_response","error":{"code":500,"err_code":10049,"description":"subject filter 'a..b' for the mirror invalid subject"}}"####,
        ),
    },
    Case {
        subject: r####"$JS.API.STREAM.CREATE.sbadfilter"####,
        request: r####"{"name":"sbadfilter","sources":[{"name":"min","filter_subject":"a..b"}]}"####,
        reply: Some(
            r####"{"type":"io.nats.jetstream.api.v1.stream_create_response","error":{"code":500,"err_code":10049,"description":"subject filter 'a..b' for the source: invalid subject"}}"####,
        ),
    },
    Case {
        subject: r####"$JS.API.STREAM.CREATE.p1"####,
        request: r####"{"name":"p1","max_msgs":-5,"pedantic":true}"####,
        reply: Some(
            r####"{"type":"io.nats.jetstream.api.v1.stream_create_response","error":{"code":400,"err_code":10157,"description":"pedantic mode: max_msgs must be set to -1"}}"####,
        ),
    },
    Case {
        subject: r####"$JS.API.STREAM.CREATE.p2"####,
        request: r####"{"name":"p2","max_age":10000000000,"pedantic":true}"####,
        reply: Some(
            r####"{"type":"io.nats.jetstream.api.v1.stream_create_response","error":{"code":400,"err_code":10157,"description":"pedantic mode: duplicate window cannot be bigger than max age"}}"####,
        ),
    },
    Case {
        subject: r####"$JS.API.STREAM.CREATE.p3"####,
        request: r####"{"name":"p3","subjects":["p3"],"republish":{"dest":"p3out"},"pedantic":true}"####,
        reply: Some(
            r####"{"type":"io.nats.jetstream.api.v1.stream_create_response","error":{"code":400,"err_code":10157,"description":"pedantic mode: republish source can not be empty"}}"####,
        ),
    },
    Case {
        subject: r####"$JS.API.STREAM.CREATE.p4"####,
        request: r####"{"name":"p4","subject_delete_marker_ttl":2000000000,"pedantic":true}"####,
        reply: Some(
            r####"{"type":"io.nats.jetstream.api.v1.stream_create_response","error":{"code":500,"err_code":10052,"description":"subject delete marker cannot be set if message TTLs are disabled"}}"####,
        ),
    },
    Case {
        subject: r####"$JS.API.STREAM.CREATE.p5"####,
        request: r####"{"name":"p5","mirror":{"name":"full"},"pedantic":true}"####,
        reply: Some(
            r####"{"type":"io.nats.jetstream.api.v1.stream_create_response","error":{"code":400,"err_code":10157,"description":"pedantic mode: origin stream has direct get set, mirror has it disabled"}}"####,
        ),
    },
    Case {
        subject: r####"$JS.API.STREAM.CREATE.p6"####,
        request: r####"{"name":"p6","pedantic":true}"####,
        reply: Some(
            r####"{"type":"io.nats.jetstream.api.v1.stream_create_response","config":{"name":"p6","subjects":["p6"],"retention":"limits","max_consumers":-1,"max_msgs":-1,"max_bytes":-1,"max_age":0,"max_msgs_per_subject":-1,"max_msg_size":-1,"discard":"old","storage":"file","num_replicas":1,"duplicate_window":120000000000,"compression":"none","allow_direct":false,"mirror_direct":false,"sealed":false,"deny_delete":false,"deny_purge":false,"allow_rollup_hdrs":false,"consumer_limits":{},"allow_msg_ttl":false,"metadata":{"_nats.level":"5","_nats.req.level":"0","_nats.ver":"2.15.1"}},"created":"2026-11-22T08:52:56.103242158Z","state":{"messages":0,"bytes":0,"first_seq":0,"first_ts":"0001-01-01T00:00:00Z","last_seq":0,"last_ts":"0001-01-01T00:00:00Z","consumer_count":0},"ts":"2026-11-22T08:52:56.106662878Z","did_create":true}"####,
        ),
    },
    Case {
        subject: r####"$JS.API.STREAM.CREATE.j"####,
        request: r####"{"name":"j1","bogus":1}"####,
        reply: Some(
            r####"{"type":"io.nats.jetstream.api.v1.stream_create_response","error":{"code":400,"err_code":10025,"description":"invalid JSON: json: unknown field \"bogus\""}}"####,
        ),
    },
    Case {
        subject: r####"$JS.API.STREAM.CREATE.j"####,
        request: r####"{"name":"j2""####,
        reply: Some(
            r####"{"type":"io.nats.jetstream.api.v1.stream_create_response","error":{"code":400,"err_code":10025,"description":"invalid JSON: unexpected EOF"}}"####,
        ),
    },
    Case {
        subject: r####"$JS.API.STREAM.CREATE.j"####,
        request: r####"{"name":"j3"} x"####,
        reply: Some(
            r####"{"type":"io.nats.jetstream.api.v1.stream_create_response","error":{"code":400,"err_code":10025,"description":"invalid JSON: invalid character 'x' looking for beginning of value at offset 15"}}"####,
        ),
    },
    Case {
        subject: r####"$JS.API.STREAM.CREATE.j"####,
        request: r####""####,
        reply: Some(
            r####"{"type":"io.nats.jetstream.api.v1.stream_create_response","error":{"code":400,"err_code":10056,"description":"stream name in subject does not match request"}}"####,
        ),
    },
    Case {
        subject: r####"$JS.API.STREAM.CREATE.j"####,
        request: r####"{"name":"j5","max_msgs":1.5}"####,
        reply: Some(
            r####"{"type":"io.nats.jetstream.api.v1.stream_create_response","error":{"code":400,"err_code":10025,"description":"invalid JSON: json: cannot unmarshal number 1.5 into Go struct field StreamConfigRequest.max_msgs of type int64"}}"####,
        ),
    },
    Case {
        subject: r####"$JS.API.STREAM.CREATE.j"####,
        request: r####"{"name":"j6","mirror":{"name":5}}"####,
        reply: Some(
            r####"{"type":"io.nats.jetstream.api.v1.stream_create_response","error":{"code":400,"err_code":10025,"description":"invalid JSON: json: cannot unmarshal number into Go struct field StreamConfigRequest.mirror.name of type string"}}"####,
        ),
    },
    Case {
        subject: r####"$JS.API.STREAM.CREATE.j"####,
        request: r####"{"name":"j7","max_consumers":"x"}"####,
        reply: Some(
            r####"{"type":"io.nats.jetstream.api.v1.stream_create_response","error":{"code":400,"err_code":10025,"description":"invalid JSON: json: cannot unmarshal string into Go struct field StreamConfigRequest.max_consumers of type int"}}"####,
        ),
    },
    Case {
        subject: r####"$JS.API.STREAM.CREATE.j"####,
        request: r####"{"name":"j8","max_age":"x"}"####,
        reply: Some(
            r####"{"type":"io.nats.jetstream.api.v1.stream_create_response","error":{"code":400,"err_code":10025,"description":"invalid JSON: json: cannot unmarshal string into Go struct field StreamConfigRequest.max_age of type time.Duration"}}"####,
        ),
    },
    Case {
        subject: r####"$JS.API.STREAM.CREATE.j"####,
        request: r####"{"name":"j9","subjects":"x"}"####,
        reply: Some(
            r####"{"type":"io.nats.jetstream.api.v1.stream_create_response","error":{"code":400,"err_code":10025,"description":"invalid JSON: json: cannot unmarshal string into Go struct field StreamConfigRequest.subjects of type []string"}}"####,
        ),
    },
    Case {
        subject: r####"$JS.API.STREAM.CREATE.j"####,
        request: r####"{"name":"j10","max_msgs":99999999999999999999}"####,
        reply: Some(
            r####"{"type":"io.nats.jetstream.api.v1.stream_create_response","error":{"code":400,"err_code":10025,"description":"invalid JSON: json: cannot unmarshal number 99999999999999999999 into Go struct field StreamConfigRequest.max_msgs of type int64"}}"####,
        ),
    },
    Case {
        subject: r####"$JS.API.STREAM.CREATE.j"####,
        request: r####"{"name":"j11","metadata":{"a":1}}"####,
        reply: Some(
            r####"{"type":"io.nats.jetstream.api.v1.stream_create_response","error":{"code":400,"err_code":10025,"description":"invalid JSON: json: cannot unmarshal number into Go struct field StreamConfigRequest.metadata.a of type string"}}"####,
        ),
    },
    Case {
        subject: r####"$JS.API.STREAM.CREATE.j"####,
        request: r####"{"name":"j12","sources":[{"name":"x","opt_start_seq":-1}]}"####,
        reply: Some(
            r####"{"type":"io.nats.jetstream.api.v1.stream_create_response","error":{"code":400,"err_code":10025,"description":"invalid JSON: json: cannot unmarshal number -1 into Go struct field StreamConfigRequest.sources.0.opt_start_seq of type uint64"}}"####,
        ),
    },
    Case {
        subject: r####"$JS.API.STREAM.CREATE.j"####,
        request: r####"[1]"####,
        reply: Some(
            r####"{"type":"io.nats.jetstream.api.v1.stream_create_response","error":{"code":400,"err_code":10025,"description":"invalid JSON: json: cannot unmarshal array into Go value of type server.StreamConfigRequest"}}"####,
        ),
    },
    Case {
        subject: r####"$JS.API.STREAM.CREATE.j"####,
        request: r####"{"name":"j14","mirror":{"name":"x","opt_start_time":"bad"}}"####,
        reply: Some(
            r####"{"type":"io.nats.jetstream.api.v1.stream_create_response","error":{"code":400,"err_code":10025,"description":"invalid JSON: parsing time \"bad\" as \"2006-01-02T15:04:05Z07:00\": cannot parse \"bad\" as \"2006\""}}"####,
        ),
    },
    Case {
        subject: r####"$JS.API.STREAM.CREATE.j"####,
        request: r####"{"name":"j15","sealed":"true"}"####,
        reply: Some(
            r####"{"type":"io.nats.jetstream.api.v1.stream_create_response","error":{"code":400,"err_code":10025,"description":"invalid JSON: json: cannot unmarshal string into Go struct field StreamConfigRequest.sealed of type bool"}}"####,
        ),
    },
    Case {
        subject: r####"$JS.API.STREAM.CREATE.j"####,
        request: r####"{"name":"j16","consumer_limits":{"max_ack_pending":"x"}}"####,
        reply: Some(
            r####"{"type":"io.nats.jetstream.api.v1.stream_create_response","error":{"code":400,"err_code":10025,"description":"invalid JSON: json: cannot unmarshal string into Go struct field StreamConfigRequest.consumer_limits.max_ack_pending of type int"}}"####,
        ),
    },
    Case {
        subject: r####"$JS.API.STREAM.CREATE.j"####,
        request: r####"nul"####,
        reply: Some(
            r####"{"type":"io.nats.jetstream.api.v1.stream_create_response","error":{"code":400,"err_code":10025,"description":"invalid JSON: unexpected EOF"}}"####,
        ),
    },
    Case {
        subject: r####"$JS.API.STREAM.CREATE.j"####,
        request: r####"{"name":"j18",}"####,
        reply: Some(
            r####"{"type":"io.nats.jetstream.api.v1.stream_create_response","error":{"code":400,"err_code":10025,"description":"invalid JSON: invalid character '}' looking for beginning of object key string at offset 15"}}"####,
        ),
    },
    Case {
        subject: r####"$JS.API.STREAM.CREATE.j"####,
        request: r####"{"name":"j19","retention":"LIMITS"}"####,
        reply: Some(
            r####"{"type":"io.nats.jetstream.api.v1.stream_create_response","error":{"code":400,"err_code":10025,"description":"invalid JSON: can not unmarshal \"\\\"LIMITS\\\"\""}}"####,
        ),
    },
    Case {
        subject: r####"$JS.API.STREAM.CREATE.j"####,
        request: r####"{"name":"j20","retention":null}"####,
        reply: Some(
            r####"{"type":"io.nats.jetstream.api.v1.stream_create_response","error":{"code":400,"err_code":10025,"description":"invalid JSON: can not unmarshal \"null\""}}"####,
        ),
    },
    Case {
        subject: r####"$JS.API.STREAM.CREATE.j"####,
        request: r####"{"name":"j21","compression":null}"####,
        reply: Some(
            r####"{"type":"io.nats.jetstream.api.v1.stream_create_response","error":{"code":400,"err_code":10025,"description":"invalid JSON: unknown compression algorithm"}}"####,
        ),
    },
    Case {
        subject: r####"$JS.API.STREAM.CREATE.j"####,
        request: r####"{"name":"j22","compression":5}"####,
        reply: Some(
            r####"{"type":"io.nats.jetstream.api.v1.stream_create_response","error":{"code":400,"err_code":10025,"description":"invalid JSON: json: cannot unmarshal number into Go value of type string"}}"####,
        ),
    },
    Case {
        subject: r####"$JS.API.STREAM.CREATE.j"####,
        request: r####"{"name":"j23","storage":"Memory"}"####,
        reply: Some(
            r####"{"type":"io.nats.jetstream.api.v1.stream_create_response","error":{"code":400,"err_code":10025,"description":"invalid JSON: can not unmarshal \"\\\"Memory\\\"\""}}"####,
        ),
    },
    Case {
        subject: r####"$JS.API.STREAM.CREATE.j"####,
        request: r####"{"name":"j24","subjects":[1]}"####,
        reply: Some(
            r####"{"type":"io.nats.jetstream.api.v1.stream_create_response","error":{"code":400,"err_code":10025,"description":"invalid JSON: json: cannot unmarshal number into StreamConfigRequest.subjects.0 of type string"}}"####,
        ),
    },
    Case {
        subject: r####"$JS.API.STREAM.CREATE.j"####,
        request: r####"{"name":"j25","mirror":"x"}"####,
        reply: Some(
            r####"{"type":"io.nats.jetstream.api.v1.stream_create_response","error":{"code":400,"err_code":10025,"description":"invalid JSON: json: cannot unmarshal string into Go struct field StreamConfigRequest.mirror of type server.StreamSource"}}"####,
        ),
    },
    Case {
        subject: r####"$JS.API.STREAM.CREATE.j"####,
        request: r####"{"name":"j26","sources":{}}"####,
        reply: Some(
            r####"{"type":"io.nats.jetstream.api.v1.stream_create_response","error":{"code":400,"err_code":10025,"description":"invalid JSON: json: cannot unmarshal object into Go struct field StreamConfigRequest.sources of type []*server.StreamSource"}}"####,
        ),
    },
    Case {
        subject: r####"$JS.API.STREAM.CREATE.j"####,
        request: r####"{"name":"j27","max_msgs":"x","bogus":1}"####,
        reply: Some(
            r####"{"type":"io.nats.jetstream.api.v1.stream_create_response","error":{"code":400,"err_code":10025,"description":"invalid JSON: json: cannot unmarshal string into Go struct field StreamConfigRequest.max_msgs of type int64"}}"####,
        ),
    },
    Case {
        subject: r####"$JS.API.STREAM.CREATE.j"####,
        request: r####"{"name":"j28","bogus":1,"max_msgs":"x"}"####,
        reply: Some(
            r####"{"type":"io.nats.jetstream.api.v1.stream_create_response","error":{"code":400,"err_code":10025,"description":"invalid JSON: json: unknown field \"bogus\""}}"####,
        ),
    },
    Case {
        subject: r####"$JS.API.STREAM.CREATE.j"####,
        request: r####"{"name":"j29","max_msgs":"x","retention":"y"}"####,
        reply: Some(
            r####"{"type":"io.nats.jetstream.api.v1.stream_create_response","error":{"code":400,"err_code":10025,"description":"invalid JSON: json: cannot unmarshal string into Go struct field StreamConfigRequest.max_msgs of type int64"}}"####,
        ),
    },
    Case {
        subject: r####"$JS.API.STREAM.CREATE.j"####,
        request: r####"{"name" "j30"}"####,
        reply: Some(
            r####"{"type":"io.nats.jetstream.api.v1.stream_create_response","error":{"code":400,"err_code":10025,"description":"invalid JSON: invalid character '\"' after object key at offset 9"}}"####,
        ),
    },
    Case {
        subject: r####"$JS.API.STREAM.CREATE.j"####,
        request: r####"{"name":"j31"]"####,
        reply: Some(
            r####"{"type":"io.nats.jetstream.api.v1.stream_create_response","error":{"code":400,"err_code":10025,"description":"invalid JSON: invalid character ']' after object key:value pair at offset 14"}}"####,
        ),
    },
    Case {
        subject: r####"$JS.API.STREAM.CREATE.j"####,
        request: r####"{"name":"j32","max_msgs":-}"####,
        reply: Some(
            r####"{"type":"io.nats.jetstream.api.v1.stream_create_response","error":{"code":400,"err_code":10025,"description":"invalid JSON: invalid character '}' in numeric literal at offset 27"}}"####,
        ),
    },
    Case {
        subject: r####"$JS.API.STREAM.CREATE.j"####,
        request: r####"{"name":"j33","max_msgs":1e}"####,
        reply: Some(
            r####"{"type":"io.nats.jetstream.api.v1.stream_create_response","error":{"code":400,"err_code":10025,"description":"invalid JSON: invalid character '}' in numeric literal at offset 28"}}"####,
        ),
    },
    Case {
        subject: r####"$JS.API.STREAM.CREATE.j"####,
        request: r####"{"name":"j34","sealed":tru}"####,
        reply: Some(
            r####"{"type":"io.nats.jetstream.api.v1.stream_create_response","error":{"code":400,"err_code":10025,"description":"invalid JSON: invalid character '}' in literal true (expecting 'e') at offset 27"}}"####,
        ),
    },
    Case {
        subject: r####"$JS.API.STREAM.CREATE.j"####,
        request: r####"{"name":"j35
"}"####,
        reply: Some(
            r####"{"type":"io.nats.jetstream.api.v1.stream_create_response","error":{"code":400,"err_code":10025,"description":"invalid JSON: invalid character '\\n' in string at offset 13"}}"####,
        ),
    },
    Case {
        subject: r####"$JS.API.STREAM.CREATE.j"####,
        request: r####"{"name":"j36\q"}"####,
        reply: Some(
            r####"{"type":"io.nats.jetstream.api.v1.stream_create_response","error":{"code":400,"err_code":10025,"description":"invalid JSON: invalid escape sequence `\\q` in string at offset 14"}}"####,
        ),
    },
    Case {
        subject: r####"$JS.API.STREAM.CREATE.j"####,
        request: r####"{"name":"j37","sources":[{"name":"x","external":{"api":1}}]}"####,
        reply: Some(
            r####"{"type":"io.nats.jetstream.api.v1.stream_create_response","error":{"code":400,"err_code":10025,"description":"invalid JSON: json: cannot unmarshal number into Go struct field StreamConfigRequest.sources.0.external.api of type string"}}"####,
        ),
    },
    Case {
        subject: r####"$JS.API.STREAM.CREATE.j"####,
        request: r####"{"name":"j38","placement":{"tags":"x"}}"####,
        reply: Some(
            r####"{"type":"io.nats.jetstream.api.v1.stream_create_response","error":{"code":400,"err_code":10025,"description":"invalid JSON: json: cannot unmarshal string into Go struct field StreamConfigRequest.placement.tags of type []string"}}"####,
        ),
    },
    Case {
        subject: r####"$JS.API.STREAM.CREATE.j"####,
        request: r####"{"name":"j39","republish":{"dest":true}}"####,
        reply: Some(
            r####"{"type":"io.nats.jetstream.api.v1.stream_create_response","error":{"code":400,"err_code":10025,"description":"invalid JSON: json: cannot unmarshal bool into Go struct field StreamConfigRequest.republish.dest of type string"}}"####,
        ),
    },
    Case {
        subject: r####"$JS.API.STREAM.CREATE.j"####,
        request: r####"{"name":"j40","num_replicas":1.0}"####,
        reply: Some(
            r####"{"type":"io.nats.jetstream.api.v1.stream_create_response","error":{"code":400,"err_code":10025,"description":"invalid JSON: json: cannot unmarshal number 1.0 into Go struct field StreamConfigRequest.num_replicas of type int"}}"####,
        ),
    },
    Case {
        subject: r####"$JS.API.STREAM.CREATE.j"####,
        request: r####"{"name":"j41","first_seq":-1}"####,
        reply: Some(
            r####"{"type":"io.nats.jetstream.api.v1.stream_create_response","error":{"code":400,"err_code":10025,"description":"invalid JSON: json: cannot unmarshal number -1 into Go struct field StreamConfigRequest.first_seq of type uint64"}}"####,
        ),
    },
    Case {
        subject: r####"$JS.API.STREAM.CREATE.j"####,
        request: r####"{"name":"j42","max_msg_size":3000000000}"####,
        reply: Some(
            r####"{"type":"io.nats.jetstream.api.v1.stream_create_response","error":{"code":400,"err_code":10025,"description":"invalid JSON: json: cannot unmarshal number 3000000000 into Go struct field StreamConfigRequest.max_msg_size of type int32"}}"####,
        ),
    },
    Case {
        subject: r####"$JS.API.STREAM.CREATE.j"####,
        request: r####" {"name":"j43"} "####,
        reply: Some(
            r####"{"type":"io.nats.jetstream.api.v1.stream_create_response","error":{"code":400,"err_code":10056,"description":"stream name in subject does not match request"}}"####,
        ),
    },
    Case {
        subject: r####"$JS.API.STREAM.CREATE.j"####,
        request: r####"{"name":"j44","max_age":1e9}"####,
        reply: Some(
            r####"{"type":"io.nats.jetstream.api.v1.stream_create_response","error":{"code":400,"err_code":10025,"description":"invalid JSON: json: cannot unmarshal number 1e9 into Go struct field StreamConfigRequest.max_age of type time.Duration"}}"####,
        ),
    },
    Case {
        subject: r####"$JS.API.STREAM.CREATE.j"####,
        request: r####"{"name":"j45","metadata":[]}"####,
        reply: Some(
            r####"{"type":"io.nats.jetstream.api.v1.stream_create_response","error":{"code":400,"err_code":10025,"description":"invalid JSON: json: cannot unmarshal array into Go struct field StreamConfigRequest.metadata of type map[string]string"}}"####,
        ),
    },
    Case {
        subject: r####"$JS.API.STREAM.CREATE.j"####,
        request: r####"{"name":"j46","subjects":[null,"a"]}"####,
        reply: Some(
            r####"{"type":"io.nats.jetstream.api.v1.stream_create_response","error":{"code":400,"err_code":10056,"description":"stream name in subject does not match request"}}"####,
        ),
    },
    Case {
        subject: r####"$JS.API.STREAM.CREATE.j"####,
        request: r####"{"name":"j47","max_msgs_per_subject":true}"####,
        reply: Some(
            r####"{"type":"io.nats.jetstream.api.v1.stream_create_response","error":{"code":400,"err_code":10025,"description":"invalid JSON: json: cannot unmarshal bool into Go struct field StreamConfigRequest.max_msgs_per_subject of type int64"}}"####,
        ),
    },
    Case {
        subject: r####"$JS.API.STREAM.INFO.min"####,
        request: r####""####,
        reply: Some(
            r####"{"type":"io.nats.jetstream.api.v1.stream_info_response","total":0,"offset":0,"limit":0,"config":{"name":"min","subjects":["min"],"retention":"limits","max_consumers":-1,"max_msgs":-1,"max_bytes":-1,"max_age":0,"max_msgs_per_subject":-1,"max_msg_size":-1,"discard":"old","storage":"file","num_replicas":1,"duplicate_window":120000000000,"compression":"none","allow_direct":false,"mirror_direct":false,"sealed":false,"deny_delete":false,"deny_purge":false,"allow_rollup_hdrs":false,"consumer_limits":{},"allow_msg_ttl":false,"metadata":{"_nats.level":"5","_nats.req.level":"0","_nats.ver":"2.15.1"}},"created":"2026-11-22T08:52:49.05707586Z","state":{"messages":0,"bytes":0,"first_seq":0,"first_ts":"0001-01-01T00:00:00Z","last_seq":0,"last_ts":"0001-01-01T00:00:00Z","consumer_count":0},"cluster":{"leader":"NCDOCSQ6FXCMFK2P27IA6T3ZVMVYG67HH766YJYD2KZEINJB4FEVJVI7"},"ts":"2026-11-22T08:52:58.358527906Z"}"####,
        ),
    },
    Case {
        subject: r####"$JS.API.STREAM.INFO.nosuch"####,
        request: r####""####,
        reply: Some(
            r####"{"type":"io.nats.jetstream.api.v1.stream_info_response","error":{"code":404,"err_code":10059,"description":"stream not found"},"total":0,"offset":0,"limit":0}"####,
        ),
    },
    Case {
        subject: r####"$JS.API.STREAM.INFO.full"####,
        request: r####"{"subjects_filter":">"}"####,
        reply: Some(
            r####"{"type":"io.nats.jetstream.api.v1.stream_info_response","total":0,"offset":0,"limit":0,"config":{"name":"full","description":"all the things","subjects":["full.\u003e","other.*.x"],"retention":"workqueue","max_consumers":10,"max_msgs":1000,"max_bytes":1048576,"max_age":3600000000000,"max_msgs_per_subject":5,"max_msg_size":4096,"discard":"new","storage":"memory","num_replicas":1,"duplicate_window":60000000000,"compression":"s2","first_seq":100,"allow_direct":true,"mirror_direct":false,"discard_new_per_subject":true,"sealed":false,"deny_delete":true,"deny_purge":true,"allow_rollup_hdrs":false,"consumer_limits":{"inactive_threshold":5000000000,"max_ack_pending":100},"allow_msg_ttl":false,"metadata":{"_nats.level":"5","_nats.req.level":"0","_nats.ver":"2.15.1","a\u003cb":"x\u0026y","owner":"me"}},"created":"2026-11-22T08:52:49.10648601Z","state":{"messages":0,"bytes":0,"first_seq":100,"first_ts":"0001-01-01T00:00:00Z","last_seq":99,"last_ts":"0001-01-01T00:00:00Z","consumer_count":3},"cluster":{"leader":"NCDOCSQ6FXCMFK2P27IA6T3ZVMVYG67HH766YJYD2KZEINJB4FEVJVI7"},"ts":"2026-11-22T08:52:58.454291625Z"}"####,
        ),
    },
    Case {
        subject: r####"$JS.API.STREAM.NAMES"####,
        request: r####""####,
        reply: Some(
            r####"{"type":"io.nats.jetstream.api.v1.stream_names_response","total":36,"offset":0,"limit":1024,"streams":["asyncp","atomic","caseins","counter","cyc1","cyc3","discup","dover","dupkey","dupwin","durable","emptyplace","emptypm","full","implicit","jsevent","min","mirror1","mirror2","mirror3","multi","neg","nulls","p6","place","repub","repub2","sched","sdm","shortage","srcext","srcs","srctime","sysacc","ttl","xform"]}"####,
        ),
    },
    Case {
        subject: r####"$JS.API.STREAM.NAMES"####,
        request: r####"{"subject":"nomatch.zzz"}"####,
        reply: Some(
            r####"{"type":"io.nats.jetstream.api.v1.stream_names_response","total":0,"offset":0,"limit":1024,"streams":null}"####,
        ),
    },
    Case {
        subject: r####"$JS.API.STREAM.NAMES"####,
        request: r####"{"offset":3,"subject":"full.>"}"####,
        reply: Some(
            r####"{"type":"io.nats.jetstream.api.v1.stream_names_response","total":1,"offset":1,"limit":1024,"streams":null}"####,
        ),
    },
    Case {
        subject: r####"$JS.API.STREAM.LIST"####,
        request: r####"{"offset":0,"subject":"min"}"####,
        reply: Some(
            r####"{"type":"io.nats.jetstream.api.v1.stream_list_response","total":1,"offset":0,"limit":256,"streams":[{"config":{"name":"min","subjects":["min"],"retention":"limits","max_consumers":-1,"max_msgs":-1,"max_bytes":-1,"max_age":0,"max_msgs_per_subject":-1,"max_msg_size":-1,"discard":"old","storage":"file","num_replicas":1,"duplicate_window":120000000000,"compression":"none","allow_direct":false,"mirror_direct":false,"sealed":false,"deny_delete":false,"deny_purge":false,"allow_rollup_hdrs":false,"consumer_limits":{},"allow_msg_ttl":false,"metadata":{"_nats.req.level":"0"}},"created":"2026-11-22T08:52:49.05707586Z","state":{"messages":0,"bytes":0,"first_seq":0,"first_ts":"0001-01-01T00:00:00Z","last_seq":0,"last_ts":"0001-01-01T00:00:00Z","consumer_count":0},"ts":"2026-11-22T08:52:58.646311033Z"}]}"####,
        ),
    },
    Case {
        subject: r####"$JS.API.STREAM.PURGE.min"####,
        request: r####""####,
        reply: Some(
            r####"{"type":"io.nats.jetstream.api.v1.stream_purge_response","success":true,"purged":0}"####,
        ),
    },
    Case {
        subject: r####"$JS.API.STREAM.PURGE.nosuch"####,
        request: r####""####,
        reply: Some(
            r####"{"type":"io.nats.jetstream.api.v1.stream_purge_response","error":{"code":404,"err_code":10059,"description":"stream not found"},"purged":0}"####,
        ),
    },
    Case {
        subject: r####"$JS.API.STREAM.MSG.GET.min"####,
        request: r####"{"seq":1}"####,
        reply: Some(
            r####"{"type":"io.nats.jetstream.api.v1.stream_msg_get_response","error":{"code":404,"err_code":10037,"description":"no message found"}}"####,
        ),
    },
    Case {
        subject: r####"$JS.API.STREAM.MSG.DELETE.min"####,
        request: r####"{"seq":1}"####,
        reply: Some(
            r####"{"type":"io.nats.jetstream.api.v1.stream_msg_delete_response","error":{"code":500,"err_code":10057,"description":"stream store EOF"}}"####,
        ),
    },
    Case {
        subject: r####"$JS.API.STREAM.DELETE.mirror3"####,
        request: r####""####,
        reply: Some(
            r####"{"type":"io.nats.jetstream.api.v1.stream_delete_response","success":true}"####,
        ),
    },
    Case {
        subject: r####"$JS.API.STREAM.DELETE.nosuch"####,
        request: r####""####,
        reply: Some(
            r####"{"type":"io.nats.jetstream.api.v1.stream_delete_response","error":{"code":404,"err_code":10059,"description":"stream not found"}}"####,
        ),
    },
    Case {
        subject: r####"$JS.API.INFO"####,
        request: r####""####,
        reply: Some(
            r####"{"type":"io.nats.jetstream.api.v1.account_info_response","memory":0,"storage":277016,"reserved_memory":1048576,"reserved_storage":0,"streams":35,"consumers":7,"limits":{"max_memory":-1,"max_storage":-1,"max_streams":-1,"max_consumers":-1,"max_ack_pending":-1,"memory_max_stream_bytes":-1,"storage_max_stream_bytes":-1,"max_bytes_required":false},"api":{"level":5,"total":185,"errors":132}}"####,
        ),
    },
];
