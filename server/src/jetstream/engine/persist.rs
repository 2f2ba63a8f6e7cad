//! Stream metadata on disk and recovery at start: `<store_dir>/jetstream/<account>/streams/<name>/`
//! holds `meta.inf` (creation time and config, JSON, sealed with the stream key when encrypted),
//! `meta.sum` (its SHA-256), `meta.key` (the wrapped stream key, when encrypted) and the file
//! store's data. A stream whose key does not open is not loaded (Go's "Error decrypting our
//! stream metafile"); a plain stream found by an encrypting server is encrypted. A metadata file that fails its checksum or does not parse is reported and the
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
use crate::jetstream::store::crypt::{self, StreamKey};
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
    let data = match &stream.key {
        Some(k) => crypt::seal_file(k, &data),
        None => data,
    };
    let sum = hex(&Sha256::digest(&data));
    let tmp = dir.join(format!("{META_FILE}.tmp"));
    std::fs::write(&tmp, &data)?;
    std::fs::File::open(&tmp)?.sync_all()?;
    std::fs::rename(&tmp, dir.join(META_FILE))?;
    std::fs::write(dir.join(META_SUM), sum)?;
    Ok(())
}

pub(super) fn read_meta(dir: &Path, key: Option<&StreamKey>) -> Result<Meta, String> {
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
    let data = crypt::open_file(key, data)
        .map_err(|e| format!("Error decrypting our stream metafile: {e}"))?;
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
        let dir_name = dir
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        let has_key = dir.join(crypt::KEY_FILE).exists();
        let (key, rewrapped) = match (&js.encryption, has_key) {
            (None, true) => {
                tracing::warn!("  Error decrypting our stream metafile: encryption not enabled");
                continue;
            }
            (Some(enc), true) => {
                match crypt::load_key(&dir, enc, &jsa.account.name, &dir_name, false) {
                    Ok(Some((k, o))) => (Some(k), o == crypt::KeyOutcome::Rewrapped),
                    Ok(None) => (None, false),
                    Err(e) => {
                        tracing::warn!("  Error decrypting our stream metafile: {e}");
                        continue;
                    }
                }
            }
            _ => (None, false),
        };
        let meta = match read_meta(&dir, key.as_deref()) {
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
        let encrypting = js.encryption.is_some() && !has_key;
        if let Some(enc) = &js.encryption {
            if encrypting {
                tracing::info!("  Encrypting stream '{} > {}'", jsa.account.name, name);
            } else if rewrapped {
                tracing::info!(
                    "  Converting to {} for stream '{} > {}'",
                    enc.cipher.go_name(),
                    jsa.account.name,
                    name
                );
            }
        }
        match Stream::open(js, jsa, meta.config, meta.created) {
            Ok(s) => {
                if encrypting {
                    if let Err(e) = write_meta(&s) {
                        tracing::warn!("  Error writing encrypted stream metafile: {e}");
                    }
                }
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
        let key = stream.key.as_deref();
        if let Some(k) = key {
            cp::seal_plain_files(&cdir, k);
        }
        match cp::read_meta(&cdir, key) {
            Ok(meta) => {
                let name = if meta.config.durable.is_empty() {
                    meta.config.name.clone()
                } else {
                    meta.config.durable.clone()
                };
                let saved = cp::read_state(&cdir, key);
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
