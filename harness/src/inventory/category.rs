//! Category of each Go test: one readable rule table, applied in order, first match wins.
//!
//! A test is placed by its file. The no-race stress files (`norace_*_test.go`) mix every area,
//! so their tests are placed by name instead; a file that no rule knows (a new upstream file)
//! is also tried by name, and lands in `other` so it is noticed rather than silently filed.

/// Categories in the order the status table and the report show them, with a title.
pub const CATEGORIES: &[(&str, &str)] = &[
    ("core", "Core protocol / client / server lifecycle"),
    ("parser", "Protocol parser"),
    ("sublist", "Sublist & subject data structures"),
    ("auth", "Auth / users / nkeys"),
    ("jwt", "JWT / operator mode"),
    ("accounts", "Accounts / imports / exports"),
    ("auth-callout", "Auth callout"),
    ("tls", "TLS / OCSP / cert stores"),
    ("config", "Config parsing / options"),
    ("reload", "Config reload"),
    ("monitor", "Monitoring (HTTP)"),
    ("events", "Events / system account"),
    ("routes", "Routes / clustering"),
    ("gateways", "Gateways"),
    ("leafnodes", "Leafnodes"),
    ("websocket", "WebSocket"),
    ("mqtt", "MQTT"),
    ("js-api", "JetStream API / streams"),
    ("js-consumers", "JetStream consumers"),
    ("store", "JetStream file/memory store"),
    ("js-cluster", "JetStream cluster"),
    ("super-cluster", "JetStream super-cluster"),
    ("raft", "Raft"),
    ("msgtrace", "Message tracing"),
    ("proxyproto", "PROXY protocol"),
    ("platform", "Platform / utilities / logger"),
    ("other", "Not yet categorised"),
];

/// Marker in [`FILE_RULES`]: place the file's tests by name with [`NAME_RULES`].
const BY_NAME: &str = "by-name";

/// File rules: `pattern` is a path relative to the nats-server root; a trailing `*` makes it a
/// prefix. Order matters: the first match wins.
const FILE_RULES: &[(&str, &str)] = &[
    // No-race stress files: placed test by test.
    ("server/norace_*", BY_NAME),
    ("test/norace_test.go", BY_NAME),
    // Core protocol, client and server lifecycle.
    ("server/client_proxyproto_test.go", "proxyproto"),
    ("server/client_test.go", "core"),
    ("server/server_test.go", "core"),
    ("server/split_test.go", "core"),
    ("server/closed_conns_test.go", "core"),
    ("server/ping_test.go", "core"),
    ("server/benchmark_publish_test.go", "core"),
    ("server/core_benchmarks_test.go", "core"),
    ("server/server_fuzz_test.go", "core"),
    ("test/proto_test.go", "core"),
    ("test/ping_test.go", "core"),
    ("test/gosrv_test.go", "core"),
    ("test/maxpayload_test.go", "core"),
    ("test/verbose_test.go", "core"),
    ("test/fanout_test.go", "core"),
    ("test/pedantic_test.go", "core"),
    ("test/bench_test.go", "core"),
    // Parser.
    ("server/parser_*", "parser"),
    // Subject data structures.
    ("server/sublist_test.go", "sublist"),
    ("server/subject_transform_test.go", "sublist"),
    ("server/subject_fuzz_test.go", "sublist"),
    ("server/stree/*", "sublist"),
    ("server/gsl/*", "sublist"),
    // Auth, JWT, accounts.
    ("server/auth_callout_test.go", "auth-callout"),
    ("server/auth_test.go", "auth"),
    ("server/nkey_test.go", "auth"),
    ("server/dirstore_test.go", "auth"),
    ("server/trust_test.go", "auth"),
    ("test/auth_test.go", "auth"),
    ("test/client_auth_test.go", "auth"),
    ("test/user_authorization_test.go", "auth"),
    ("server/jwt_test.go", "jwt"),
    ("test/operator_test.go", "jwt"),
    ("server/accounts_test.go", "accounts"),
    ("test/accounts_cycles_test.go", "accounts"),
    ("test/service_latency_test.go", "accounts"),
    ("test/services_test.go", "accounts"),
    // TLS.
    ("test/tls_test.go", "tls"),
    ("test/ocsp_*", "tls"),
    ("test/cluster_tls_test.go", "tls"),
    ("server/certstore_*", "tls"),
    ("server/certidp/*", "tls"),
    ("internal/ldap/*", "tls"),
    // Config and reload.
    ("server/reload_test.go", "reload"),
    ("server/opts_test.go", "config"),
    ("server/config_check_test.go", "config"),
    ("server/feature_flags_test.go", "config"),
    ("test/opts_test.go", "config"),
    ("conf/*", "config"),
    // Monitoring and events.
    ("server/monitor_test.go", "monitor"),
    ("test/monitor_test.go", "monitor"),
    ("server/events_test.go", "events"),
    ("test/system_services_test.go", "events"),
    // Routes, gateways, leafnodes, websocket, MQTT.
    ("server/routes_test.go", "routes"),
    ("test/routes_test.go", "routes"),
    ("test/new_routes_test.go", "routes"),
    ("test/cluster_test.go", "routes"),
    ("test/route_discovery_test.go", "routes"),
    ("test/client_cluster_test.go", "routes"),
    ("server/gateway_test.go", "gateways"),
    ("test/gateway_test.go", "gateways"),
    ("server/leafnode_*", "leafnodes"),
    ("test/leafnode_test.go", "leafnodes"),
    ("server/websocket_test.go", "websocket"),
    ("server/mqtt_*", "mqtt"),
    // JetStream.
    ("server/jetstream_consumer_test.go", "js-consumers"),
    ("server/jetstream_super_cluster_test.go", "super-cluster"),
    ("server/jetstream_cluster_*", "js-cluster"),
    ("server/jetstream_meta_benchmark_test.go", "js-cluster"),
    ("server/jetstream_*", "js-api"),
    ("server/tpm/*", "js-api"),
    ("server/filestore_test.go", "store"),
    ("server/memstore_test.go", "store"),
    ("server/store_test.go", "store"),
    ("server/avl/*", "store"),
    ("server/thw/*", "store"),
    ("server/ats/*", "store"),
    ("server/archive/*", "store"),
    ("server/raft_*", "raft"),
    ("server/msgtrace_test.go", "msgtrace"),
    // Platform, utilities, logging.
    ("server/signal_test.go", "platform"),
    ("server/ipqueue_test.go", "platform"),
    ("server/log_test.go", "platform"),
    ("server/util_test.go", "platform"),
    ("server/errors_test.go", "platform"),
    ("server/ring_test.go", "platform"),
    ("server/rate_counter_test.go", "platform"),
    ("server/service_*", "platform"),
    ("server/pse/*", "platform"),
    ("logger/*", "platform"),
    ("internal/fastrand/*", "platform"),
    ("test/ports_test.go", "platform"),
    ("test/port_test.go", "platform"),
    ("test/log_test.go", "platform"),
    ("test/pid_test.go", "platform"),
    ("test/test_test.go", "platform"),
];

/// Name rules for by-name files, matched against the name without `Test`/`TestNoRace`.
/// `^X` means "starts with X", a bare word means "contains it". First match wins.
const NAME_RULES: &[(&str, &str)] = &[
    ("^JetStreamSuperCluster", "super-cluster"),
    ("^JetStreamCluster", "js-cluster"),
    ("Catchup", "js-cluster"),
    ("^FileStore", "store"),
    ("^Filestore", "store"),
    ("^MemStore", "store"),
    ("^Store", "store"),
    ("^SeqSet", "store"),
    ("^AccessTime", "store"),
    ("SnapshotEncoding", "store"),
    ("AckFloor", "js-consumers"),
    ("^JetStreamConsumer", "js-consumers"),
    ("^JetStreamPullConsumer", "js-consumers"),
    ("^JetStreamOrderedConsumer", "js-consumers"),
    ("^JetStream", "js-api"),
    ("^NRG", "raft"),
    ("^MQTT", "mqtt"),
    ("^MsgTrace", "msgtrace"),
    ("^Monitor", "monitor"),
    ("^ConfigReload", "reload"),
    ("^Route", "routes"),
    ("^Cluster", "routes"),
    ("^Gateway", "gateways"),
    ("^LeafNode", "leafnodes"),
    ("^WS", "websocket"),
    ("^Account", "accounts"),
    ("^JWT", "jwt"),
];

fn file_matches(pattern: &str, file: &str) -> bool {
    match pattern.strip_suffix('*') {
        Some(prefix) => file.starts_with(prefix),
        None => file == pattern,
    }
}

fn by_name(name: &str) -> Option<&'static str> {
    let bare = name
        .strip_prefix("TestNoRace")
        .or_else(|| name.strip_prefix("Test"))
        .or_else(|| name.strip_prefix("Benchmark"))
        .or_else(|| name.strip_prefix("Fuzz"))
        .unwrap_or(name);
    NAME_RULES.iter().find_map(|(pat, cat)| {
        let hit = match pat.strip_prefix('^') {
            Some(prefix) => bare.starts_with(prefix),
            None => bare.contains(pat),
        };
        hit.then_some(*cat)
    })
}

/// The category of a test in `file` (relative to the nats-server root) named `name`.
pub fn categorize(file: &str, name: &str) -> &'static str {
    match FILE_RULES.iter().find(|(pat, _)| file_matches(pat, file)) {
        Some((_, cat)) if *cat == BY_NAME => by_name(name).unwrap_or("core"),
        Some((_, cat)) => cat,
        None => by_name(name).unwrap_or("other"),
    }
}

/// Position of a category in [`CATEGORIES`] (unknown ones sort last).
pub fn order(category: &str) -> usize {
    CATEGORIES
        .iter()
        .position(|(c, _)| *c == category)
        .unwrap_or(CATEGORIES.len())
}

/// Human title of a category.
pub fn title(category: &str) -> &str {
    CATEGORIES
        .iter()
        .find(|(c, _)| *c == category)
        .map(|(_, t)| *t)
        .unwrap_or(category)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_rule_names_a_known_category() {
        for (_, cat) in FILE_RULES.iter().chain(NAME_RULES) {
            assert!(
                *cat == BY_NAME || CATEGORIES.iter().any(|(c, _)| c == cat),
                "unknown category {cat}"
            );
        }
    }

    #[test]
    fn files_and_norace_names() {
        assert_eq!(categorize("server/client_test.go", "TestX"), "core");
        assert_eq!(categorize("server/stree/stree_test.go", "TestX"), "sublist");
        assert_eq!(
            categorize("server/jetstream_cluster_3_test.go", "TestX"),
            "js-cluster"
        );
        assert_eq!(
            categorize("server/jetstream_consumer_test.go", "TestX"),
            "js-consumers"
        );
        assert_eq!(
            categorize("server/jetstream_batching_test.go", "TestX"),
            "js-api"
        );
        assert_eq!(
            categorize("server/norace_1_test.go", "TestNoRaceJetStreamClusterX"),
            "js-cluster"
        );
        assert_eq!(
            categorize("server/norace_1_test.go", "TestNoRaceRoutePool"),
            "routes"
        );
        assert_eq!(
            categorize("server/norace_1_test.go", "TestNoRaceWriteDeadline"),
            "core"
        );
        assert_eq!(
            categorize("server/new_thing_test.go", "TestMQTTFoo"),
            "mqtt"
        );
        assert_eq!(categorize("server/new_thing_test.go", "TestFoo"), "other");
    }
}
