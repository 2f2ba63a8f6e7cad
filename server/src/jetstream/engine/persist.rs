//! Stream metadata on disk and recovery at start: `<store_dir>/jetstream/<account>/streams/<name>/`
//! holds `meta.inf` (creation time and config, JSON), `meta.sum` (its SHA-256) and the file
//! store's data. A metadata file that fails its checksum or does not parse is reported and the
//! stream is left alone, never half-loaded (Go's `EnableJetStream` stream recovery in
//! jetstream.go; the layout follows Go's, the file contents are rnats's own).

use std::path::Path;
use std::sync::Arc;
use std::time::Instant;

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use super::{JetStream, JsAccount, Stream};
use crate::jetstream::api::enums::StorageType;
use crate::jetstream::api::{GoTime, StreamConfig};
use crate::server::ServerShared;

pub(super) const META_FILE: &str = "meta.inf";
pub(super) const META_SUM: &str = "meta.sum";

#[derive(Serialize, Deserialize)]
pub(super) struct Meta {
    pub created: GoTime,
    pub config: StreamConfig,
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// A stream's metadata file and its checksum file, as written to disk.
pub(super) fn meta_bytes(stream: &Stream) -> std::io::Result<(Vec<u8>, Vec<u8>)> {
    let meta = Meta {
        created: stream.created,
        config: (*stream.config()).clone(),
    };
    let data = serde_json::to_vec(&meta).map_err(std::io::Error::other)?;
    let sum = hex(&Sha256::digest(&data)).into_bytes();
    Ok((data, sum))
}

/// Write (or rewrite) a file stream's metadata, atomically.
pub fn write_meta(stream: &Stream) -> std::io::Result<()> {
    let Some(dir) = &stream.dir else {
        return Ok(());
    };
    std::fs::create_dir_all(dir)?;
    let meta = Meta {
        created: stream.created,
        config: (*stream.config()).clone(),
    };
    let data = serde_json::to_vec(&meta).map_err(std::io::Error::other)?;
    let sum = hex(&Sha256::digest(&data));
    let tmp = dir.join(format!("{META_FILE}.tmp"));
    std::fs::write(&tmp, &data)?;
    std::fs::File::open(&tmp)?.sync_all()?;
    std::fs::rename(&tmp, dir.join(META_FILE))?;
    std::fs::write(dir.join(META_SUM), sum)?;
    Ok(())
}

pub(super) fn read_meta(dir: &Path) -> Result<Meta, String> {
    let file = dir.join(META_FILE);
    let data = std::fs::read(&file).map_err(|e| {
        format!(
            "Error reading metafile {:?}: {e}",
            file.display().to_string()
        )
    })?;
    let sum_file = dir.join(META_SUM);
    let sum = std::fs::read_to_string(&sum_file).map_err(|e| {
        format!(
            "Error reading Stream metafile checksum {:?}: {e}",
            sum_file.display().to_string()
        )
    })?;
    if sum.trim() != hex(&Sha256::digest(&data)) {
        return Err(format!(
            "Stream metafile {:?} checksum mismatch",
            file.display().to_string()
        ));
    }
    serde_json::from_slice(&data).map_err(|e| {
        format!(
            "Error unmarshalling stream metafile {:?}: {e}",
            file.display().to_string()
        )
    })
}

/// Go's `comma`: thousands separated by commas.
fn comma(v: u64) -> String {
    let s = v.to_string();
    let mut out = String::new();
    for (i, c) in s.chars().enumerate() {
        if i > 0 && (s.len() - i) % 3 == 0 {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// Recover the file streams of one account.
pub fn recover_account(js: &Arc<JetStream>, _server: &Arc<ServerShared>, jsa: &Arc<JsAccount>) {
    let sdir = js.streams_dir(&jsa.account.name);
    let Ok(entries) = std::fs::read_dir(&sdir) else {
        return;
    };
    let mut dirs: Vec<_> = entries
        .flatten()
        .filter(|e| e.path().is_dir())
        .map(|e| e.path())
        .collect();
    dirs.sort();
    for dir in dirs {
        let meta = match read_meta(&dir) {
            Ok(m) => m,
            Err(e) => {
                tracing::warn!("  {e}");
                continue;
            }
        };
        if meta.config.storage != StorageType::File {
            continue;
        }
        let name = meta.config.name.clone();
        tracing::info!(
            "  Starting restore for stream '{} > {}'",
            jsa.account.name,
            name
        );
        let started = Instant::now();
        match Stream::open(js, jsa, meta.config, meta.created) {
            Ok(s) => {
                let msgs = s.state().msgs;
                recover_consumers(&s, &dir);
                jsa.insert_stream(s);
                let ms = started.elapsed().as_millis() as u64;
                tracing::info!(
                    "  Restored {} messages for stream '{} > {}' in {}",
                    comma(msgs),
                    jsa.account.name,
                    name,
                    crate::gofmt::go_duration(std::time::Duration::from_millis(ms))
                );
            }
            Err(e) => tracing::warn!("  Error recreating stream {:?}: {}", name, e),
        }
    }
}

/// Go's consumer recovery: every durable consumer saved under the stream.
pub(super) fn recover_consumers(stream: &Arc<Stream>, dir: &Path) {
    use super::consumer::{persist as cp, Consumer};
    let found = cp::list(dir);
    if found.is_empty() {
        return;
    }
    tracing::info!(
        "  Recovering {} consumers for stream - '{} > {}'",
        found.len(),
        stream.account.name,
        stream.name
    );
    for cdir in found {
        match cp::read_meta(&cdir) {
            Ok(meta) => {
                let name = if meta.config.durable.is_empty() {
                    meta.config.name.clone()
                } else {
                    meta.config.durable.clone()
                };
                let saved = cp::read_state(&cdir);
                let c = Consumer::restore(stream, name, meta.config, meta.created, saved);
                stream.add_consumer(c);
            }
            Err(e) => tracing::warn!("  Error unmarshalling consumer metafile {e}"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::comma;

    #[test]
    fn comma_as_go() {
        assert_eq!(comma(0), "0");
        assert_eq!(comma(999), "999");
        assert_eq!(comma(1000), "1,000");
        assert_eq!(comma(1234567), "1,234,567");
    }
}
