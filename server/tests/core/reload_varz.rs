//! A reload as `/varz` reports it: the config load time moves, the digest follows the new file and
//! changed limits show (Go's TestConfigReloadAndVarz, with its file contents and digests).

use crate::monitor_common::get;
use crate::support::*;
use server::Options;

const TEMPLATE: &str = "\n\t\tport: -1\n\t\t%s\n\t";

async fn varz(m: std::net::SocketAddr) -> serde_json::Value {
    let (status, _, body) = get(m, "/varz").await;
    assert_eq!(status, 200);
    serde_json::from_str(&body).expect("varz JSON")
}

// go: server/TestConfigReloadAndVarz
#[tokio::test]
async fn varz_shows_the_reloaded_configuration() {
    let dir = TempDir::new("reload-varz");
    let path = dir.0.join("varz.conf");
    std::fs::write(&path, TEMPLATE.replace("%s", "")).unwrap();
    // Loopback only: the host and monitor port come from flags, which a reload puts back on top.
    let args: Vec<String> = ["-c", path.to_str().unwrap(), "-a", "127.0.0.1", "-m", "-1"]
        .iter()
        .map(|s| s.to_string())
        .collect();
    let Ok(server::flags::Command::Run(_, flags)) = server::flags::parse_args(&args) else {
        panic!("flags refused");
    };
    let mut opts = Options::default();
    opts.config_digest = server::config::options::load_file(&mut opts, &path).expect("loads");
    flags.apply(&mut opts).expect("flags apply");
    opts.no_log = true;
    opts.no_signals = true;
    let h = start(opts).await;
    h.shared.set_reload_flags(flags);
    let m = h.monitor_addr().expect("monitor");

    let v = varz(m).await;
    assert_eq!(v["max_connections"], 65536);
    assert_eq!(
        v["config_digest"],
        "sha256:7ea4cc5c6864139d814ce940a40ee6546b7ac5285eec3c390a4ce11e34dc1102"
    );
    let loaded = v["config_load_time"].as_str().unwrap().to_string();

    std::fs::write(&path, TEMPLATE.replace("%s", "max_connections: 10")).unwrap();
    // The load time has nanosecond precision; make sure the clock moved.
    tokio::time::sleep(std::time::Duration::from_millis(15)).await;
    h.shared.reload().expect("reload");

    let v = varz(m).await;
    assert_eq!(v["max_connections"], 10);
    assert_eq!(
        v["config_digest"],
        "sha256:508a26309068f62c3022aa8951e712ed8ff5dd6f2360f727ad8242a2a233176e"
    );
    assert_ne!(v["config_load_time"].as_str().unwrap(), loaded);
    h.shutdown().await;
}

// go: server/TestConfigReloadUnsupportedHotSwapping
#[tokio::test]
async fn refused_reload_keeps_the_config_time() {
    let dir = TempDir::new("reload-hotswap");
    let path = dir.0.join("hot.conf");
    std::fs::write(&path, "listen: 127.0.0.1:-1").unwrap();
    let mut opts = Options::default();
    opts.config_digest = server::config::options::load_file(&mut opts, &path).expect("loads");
    opts.no_log = true;
    opts.no_signals = true;
    let h = start(opts).await;
    let loaded = h.shared.config_time();
    tokio::time::sleep(std::time::Duration::from_millis(2)).await;
    std::fs::write(&path, "listen: 127.0.0.1:9999").unwrap();
    let err = h.shared.reload().expect_err("listen cannot change");
    assert!(err.contains("not supported"), "{err}");
    assert_eq!(h.shared.config_time(), loaded);
    h.shutdown().await;
}
