//! At-rest encryption of file streams (Go's `jetstream { key, prev_encryption_key, cipher }`).
//!
//! The keys follow Go's scheme in concept, not in bytes: a key-encryption key (KEK) is the
//! HMAC-SHA256 of the configured server key over the account and stream names; each stream has a
//! random 256-bit key, kept in `meta.key` sealed with the KEK. Everything else of the stream
//! (block records, `index.db`, `meta.inf`, consumer files) is sealed with the stream key, so a
//! server key rotation (`prev_encryption_key`) only re-wraps `meta.key`.
//!
//! Sealing is an AEAD (ChaCha20-Poly1305 or AES-256-GCM) with a random 96-bit nonce stored next
//! to the ciphertext; each sealed item names its cipher, so items written before a cipher change
//! stay readable. The two ciphers use separate subkeys derived from the stream key.

use std::path::Path;
use std::sync::Arc;

use aes_gcm::Aes256Gcm;
use chacha20poly1305::aead::{Aead, KeyInit, Payload};
use chacha20poly1305::ChaCha20Poly1305;
use hmac::{Hmac, Mac};
use sha2::Sha256;

/// Bytes of nonce before each ciphertext.
pub const NONCE_LEN: usize = 12;
/// Bytes of authentication tag after each ciphertext.
pub const TAG_LEN: usize = 16;
/// What sealing adds to the plaintext.
pub const OVERHEAD: usize = NONCE_LEN + TAG_LEN;

/// The stream key file (Go's `meta.key`).
pub const KEY_FILE: &str = "meta.key";
const KEY_MAGIC: &[u8; 8] = b"RNSKEY01";
const FILE_MAGIC: &[u8; 8] = b"RNSENC01";

/// Go's `StoreCipher`; ChaCha20-Poly1305 is Go's default.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Cipher {
    #[default]
    ChaCha,
    Aes,
}

impl Cipher {
    /// Go's `StoreCipher.String`, as in the `Encryption:` banner line.
    pub fn go_name(self) -> &'static str {
        match self {
            Cipher::ChaCha => "ChaCha20-Poly1305",
            Cipher::Aes => "AES-GCM",
        }
    }

    pub fn id(self) -> u8 {
        match self {
            Cipher::ChaCha => 1,
            Cipher::Aes => 2,
        }
    }

    pub fn from_id(id: u8) -> Option<Cipher> {
        match id {
            1 => Some(Cipher::ChaCha),
            2 => Some(Cipher::Aes),
            _ => None,
        }
    }
}

/// The server's encryption settings.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Encryption {
    pub cipher: Cipher,
    pub key: String,
    /// `prev_encryption_key`: tried when `key` does not open a stream key file.
    pub prev_key: String,
}

fn hmac256(key: &[u8], parts: &[&[u8]]) -> [u8; 32] {
    let Ok(mut m) = <Hmac<Sha256> as Mac>::new_from_slice(key) else {
        return [0; 32];
    };
    for p in parts {
        m.update(p);
    }
    m.finalize().into_bytes().into()
}

/// Both AEADs keyed for one 256-bit key.
struct Aeads {
    chacha: ChaCha20Poly1305,
    aes: Aes256Gcm,
}

impl Aeads {
    fn new(key: &[u8; 32]) -> Aeads {
        let ck = hmac256(key, &[b"rnats chacha20-poly1305"]);
        let ak = hmac256(key, &[b"rnats aes-256-gcm"]);
        Aeads {
            chacha: ChaCha20Poly1305::new((&ck).into()),
            aes: Aes256Gcm::new((&ak).into()),
        }
    }

    /// `nonce || ciphertext || tag` appended to `out`.
    fn seal_into(&self, c: Cipher, aad: &[u8], plain: &[u8], out: &mut Vec<u8>) {
        let nonce: [u8; NONCE_LEN] = rand::random();
        let msg = Payload { msg: plain, aad };
        let ct = match c {
            Cipher::ChaCha => self.chacha.encrypt((&nonce).into(), msg),
            Cipher::Aes => self.aes.encrypt((&nonce).into(), msg),
        };
        out.extend_from_slice(&nonce);
        // Encryption fails only for inputs far beyond a record's size limit.
        out.extend_from_slice(&ct.unwrap_or_default());
    }

    fn open(&self, c: Cipher, aad: &[u8], data: &[u8]) -> Option<Vec<u8>> {
        if data.len() < OVERHEAD {
            return None;
        }
        let (nonce, ct) = data.split_at(NONCE_LEN);
        let msg = Payload { msg: ct, aad };
        match c {
            Cipher::ChaCha => self.chacha.decrypt(nonce.into(), msg).ok(),
            Cipher::Aes => self.aes.decrypt(nonce.into(), msg).ok(),
        }
    }
}

/// A stream's data key and the cipher new data is sealed with.
pub struct StreamKey {
    cipher: Cipher,
    aeads: Aeads,
}

impl std::fmt::Debug for StreamKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "StreamKey({})", self.cipher.go_name())
    }
}

impl StreamKey {
    pub fn new(cipher: Cipher, key: &[u8; 32]) -> StreamKey {
        StreamKey {
            cipher,
            aeads: Aeads::new(key),
        }
    }

    /// The cipher new data is sealed with.
    pub fn cipher(&self) -> Cipher {
        self.cipher
    }

    /// Appends `nonce || ciphertext || tag` of `plain` to `out`, with the current cipher.
    pub fn seal_into(&self, aad: &[u8], plain: &[u8], out: &mut Vec<u8>) {
        self.aeads.seal_into(self.cipher, aad, plain, out);
    }

    /// Opens what [`seal_into`](Self::seal_into) wrote with cipher `c`; None when it does not
    /// authenticate (wrong key, tampered bytes).
    pub fn open(&self, c: Cipher, aad: &[u8], data: &[u8]) -> Option<Vec<u8>> {
        self.aeads.open(c, aad, data)
    }
}

/// Seals a whole small file (metadata, consumer state, the state index):
/// `RNSENC01 | cipher | nonce | ciphertext | tag`.
pub fn seal_file(key: &StreamKey, plain: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(plain.len() + 9 + OVERHEAD);
    out.extend_from_slice(FILE_MAGIC);
    out.push(key.cipher.id());
    let aad = out.clone();
    key.seal_into(&aad, plain, &mut out);
    out
}

/// Whether file bytes were written by [`seal_file`].
pub fn is_sealed(data: &[u8]) -> bool {
    data.starts_with(FILE_MAGIC)
}

/// Opens a file written by [`seal_file`]; plain bytes pass through unchanged (a stream written
/// before encryption was turned on).
pub fn open_file(key: Option<&StreamKey>, data: Vec<u8>) -> Result<Vec<u8>, String> {
    if !is_sealed(&data) {
        return Ok(data);
    }
    let Some(key) = key else {
        return Err("encryption not enabled".into());
    };
    let c = data
        .get(8)
        .and_then(|&id| Cipher::from_id(id))
        .ok_or("unknown cipher")?;
    key.open(c, &data[..9], &data[9..])
        .ok_or_else(|| "unable to decrypt: wrong key or damaged data".into())
}

/// How a stream key was obtained.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum KeyOutcome {
    /// `meta.key` opened with the current key and cipher.
    Existing,
    /// No `meta.key` yet: a new random key was written.
    Created,
    /// Opened with the previous key or another cipher, and written again with the current ones.
    Rewrapped,
}

fn kek(server_key: &str, account: &str, stream: &str) -> StreamKey {
    let k = hmac256(
        server_key.as_bytes(),
        &[account.as_bytes(), stream.as_bytes()],
    );
    StreamKey::new(Cipher::ChaCha, &k)
}

fn wrap(enc: &Encryption, account: &str, stream: &str, key: &[u8; 32]) -> Vec<u8> {
    let mut out = Vec::with_capacity(9 + 32 + OVERHEAD);
    out.extend_from_slice(KEY_MAGIC);
    out.push(enc.cipher.id());
    let aad = out.clone();
    let kek = kek(&enc.key, account, stream);
    kek.aeads.seal_into(enc.cipher, &aad, key, &mut out);
    out
}

fn unwrap(server_key: &str, account: &str, stream: &str, data: &[u8]) -> Option<[u8; 32]> {
    if data.len() != 9 + 32 + OVERHEAD || !data.starts_with(KEY_MAGIC) {
        return None;
    }
    let c = Cipher::from_id(data[8])?;
    let kek = kek(server_key, account, stream);
    kek.aeads.open(c, &data[..9], &data[9..])?.try_into().ok()
}

fn write_atomic(path: &Path, data: &[u8]) -> std::io::Result<()> {
    let tmp = path.with_extension("tmp");
    std::fs::write(&tmp, data)?;
    std::fs::File::open(&tmp)?.sync_all()?;
    std::fs::rename(&tmp, path)
}

/// Opens the stream key in `dir/meta.key` (with `key`, then `prev_key`), or creates it when
/// there is none and `create` is set. Errors read as Go's `decryptMeta` errors.
pub fn load_key(
    dir: &Path,
    enc: &Encryption,
    account: &str,
    stream: &str,
    create: bool,
) -> Result<Option<(Arc<StreamKey>, KeyOutcome)>, String> {
    let path = dir.join(KEY_FILE);
    let data = match std::fs::read(&path) {
        Ok(d) => d,
        Err(_) if !create => return Ok(None),
        Err(_) => {
            let key: [u8; 32] = rand::random();
            std::fs::create_dir_all(dir).map_err(|e| e.to_string())?;
            write_atomic(&path, &wrap(enc, account, stream, &key)).map_err(|e| e.to_string())?;
            let sk = Arc::new(StreamKey::new(enc.cipher, &key));
            return Ok(Some((sk, KeyOutcome::Created)));
        }
    };
    let same_cipher = data.get(8) == Some(&enc.cipher.id());
    let (key, current) = match unwrap(&enc.key, account, stream, &data) {
        Some(k) => (k, same_cipher),
        None if !enc.prev_key.is_empty() => (
            unwrap(&enc.prev_key, account, stream, &data).ok_or("unable to recover keys")?,
            false,
        ),
        None => return Err("unable to recover keys".into()),
    };
    let outcome = if current {
        KeyOutcome::Existing
    } else {
        write_atomic(&path, &wrap(enc, account, stream, &key)).map_err(|e| e.to_string())?;
        KeyOutcome::Rewrapped
    };
    Ok(Some((Arc::new(StreamKey::new(enc.cipher, &key)), outcome)))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn enc(key: &str, prev: &str, cipher: Cipher) -> Encryption {
        Encryption {
            cipher,
            key: key.into(),
            prev_key: prev.into(),
        }
    }

    #[test]
    fn files_round_trip_and_refuse_wrong_keys_and_tampering() {
        let k = StreamKey::new(Cipher::Aes, &[7; 32]);
        let sealed = seal_file(&k, b"{\"secret\":1}");
        assert!(!sealed.windows(6).any(|w| w == b"secret"));
        assert_eq!(
            open_file(Some(&k), sealed.clone()).unwrap(),
            b"{\"secret\":1}"
        );
        let other = StreamKey::new(Cipher::Aes, &[8; 32]);
        assert!(open_file(Some(&other), sealed.clone()).is_err());
        assert_eq!(
            open_file(None, sealed.clone()).unwrap_err(),
            "encryption not enabled"
        );
        // (A damaged magic makes the bytes read as plain data: the JSON or index decoders and
        // the files' own checksums refuse them.)
        for i in 8..sealed.len() {
            let mut t = sealed.clone();
            t[i] ^= 0x20;
            assert!(
                open_file(Some(&k), t).is_err(),
                "byte {i} flipped unnoticed"
            );
        }
        assert_eq!(open_file(Some(&k), b"{}".to_vec()).unwrap(), b"{}");
    }

    #[test]
    fn key_file_rewraps_with_prev_key_and_cipher_change() {
        let dir = tempfile::tempdir().unwrap();
        let d = dir.path();
        let e1 = enc("one", "", Cipher::ChaCha);
        let (k1, o) = load_key(d, &e1, "A", "S", true).unwrap().unwrap();
        assert_eq!(o, KeyOutcome::Created);
        let sealed = seal_file(&k1, b"data");
        assert_eq!(
            load_key(d, &e1, "A", "S", true).unwrap().unwrap().1,
            KeyOutcome::Existing
        );
        // Another stream name or a wrong key opens nothing.
        assert!(load_key(d, &e1, "A", "T", true).is_err());
        let e2 = enc("two", "", Cipher::ChaCha);
        assert_eq!(
            load_key(d, &e2, "A", "S", true).unwrap_err(),
            "unable to recover keys"
        );
        // The previous key re-wraps under the new one, in the new cipher.
        let e3 = enc("two", "one", Cipher::Aes);
        let (k3, o) = load_key(d, &e3, "A", "S", true).unwrap().unwrap();
        assert_eq!(o, KeyOutcome::Rewrapped);
        assert_eq!(open_file(Some(&k3), sealed.clone()).unwrap(), b"data");
        let (_, o) = load_key(d, &enc("two", "", Cipher::Aes), "A", "S", true)
            .unwrap()
            .unwrap();
        assert_eq!(o, KeyOutcome::Existing);
        assert!(load_key(d, &e1, "A", "S", true).is_err());
    }
}
