//! The few facts the server reads from a peer's or its own X.509 certificate: the subject as a sequence of
//! relative distinguished names, the DER of the SubjectPublicKeyInfo (for `pinned_certs`), the e-mail, DNS
//! and URI subject alternative names (for `verify_and_map`), and the expiry (for /varz). A small, strict
//! DER walker: certificates come from peers, so every length is checked and nothing panics.

use std::time::{Duration, SystemTime, UNIX_EPOCH};

/// An attribute value of a name: a string of any ASN.1 string type, or something else kept as DER.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AttrValue {
    Str(String),
    /// Not a string (Go's `asn1.Unmarshal` gives a number or raw value): its whole DER encoding.
    Other(Vec<u8>),
}

/// One attribute of a relative distinguished name: the type's dotted OID and the value.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Attr {
    pub oid: String,
    pub value: AttrValue,
}

/// What the server needs of a certificate.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CertInfo {
    /// The subject's RDNSequence in DER order (most significant first), each RDN a set of attributes.
    pub subject: Vec<Vec<Attr>>,
    pub raw_spki: Vec<u8>,
    pub emails: Vec<String>,
    pub dns_names: Vec<String>,
    pub uris: Vec<String>,
    pub not_after: Option<SystemTime>,
}

/// Why a certificate could not be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("x509: malformed certificate")]
pub struct Malformed;

const SEQUENCE: u8 = 0x30;
const SET: u8 = 0x31;
const OID: u8 = 0x06;
const OCTET_STRING: u8 = 0x04;
const BOOLEAN: u8 = 0x01;
const UTC_TIME: u8 = 0x17;
const GENERALIZED_TIME: u8 = 0x18;
const SAN_OID: &str = "2.5.29.17";

/// One DER element: its tag, its contents, and its whole encoding.
struct Tlv<'a> {
    tag: u8,
    body: &'a [u8],
    raw: &'a [u8],
}

/// Reads consecutive DER elements.
struct Reader<'a> {
    rest: &'a [u8],
}

impl<'a> Reader<'a> {
    fn new(b: &'a [u8]) -> Self {
        Reader { rest: b }
    }

    fn is_empty(&self) -> bool {
        self.rest.is_empty()
    }

    fn next(&mut self) -> Result<Tlv<'a>, Malformed> {
        let b = self.rest;
        let (&tag, after) = b.split_first().ok_or(Malformed)?;
        // Multi-byte tags do not occur in the structures read here.
        if tag & 0x1f == 0x1f {
            return Err(Malformed);
        }
        let (&first, after) = after.split_first().ok_or(Malformed)?;
        let (len, after) = if first < 0x80 {
            (first as usize, after)
        } else {
            let n = (first & 0x7f) as usize;
            if n == 0 || n > 4 || after.len() < n {
                return Err(Malformed);
            }
            let len = after[..n]
                .iter()
                .fold(0usize, |acc, &d| (acc << 8) | d as usize);
            (len, &after[n..])
        };
        if after.len() < len {
            return Err(Malformed);
        }
        let header = b.len() - after.len();
        let tlv = Tlv {
            tag,
            body: &after[..len],
            raw: &b[..header + len],
        };
        self.rest = &after[len..];
        Ok(tlv)
    }

    fn expect(&mut self, tag: u8) -> Result<Tlv<'a>, Malformed> {
        let t = self.next()?;
        if t.tag == tag {
            Ok(t)
        } else {
            Err(Malformed)
        }
    }
}

/// Read a DER certificate.
pub fn parse(der: &[u8]) -> Result<CertInfo, Malformed> {
    let cert = Reader::new(der).expect(SEQUENCE)?;
    let mut tbs = Reader::new(Reader::new(cert.body).expect(SEQUENCE)?.body);
    let mut t = tbs.next()?;
    if t.tag == 0xa0 {
        // Explicit version.
        t = tbs.next()?;
    }
    let _serial = t;
    let _sig_alg = tbs.expect(SEQUENCE)?;
    let _issuer = tbs.expect(SEQUENCE)?;
    let validity = tbs.expect(SEQUENCE)?;
    let subject = tbs.expect(SEQUENCE)?;
    let spki = tbs.expect(SEQUENCE)?;
    let mut info = CertInfo {
        subject: parse_name(subject.body)?,
        raw_spki: spki.raw.to_vec(),
        ..CertInfo::default()
    };
    let mut v = Reader::new(validity.body);
    let _not_before = v.next()?;
    let not_after = v.next()?;
    info.not_after = parse_time(not_after.tag, not_after.body);
    while !tbs.is_empty() {
        let t = tbs.next()?;
        if t.tag == 0xa3 {
            let exts = Reader::new(t.body).expect(SEQUENCE)?;
            let mut r = Reader::new(exts.body);
            while !r.is_empty() {
                let ext = r.expect(SEQUENCE)?;
                read_extension(ext.body, &mut info)?;
            }
        }
    }
    Ok(info)
}

fn read_extension(body: &[u8], info: &mut CertInfo) -> Result<(), Malformed> {
    let mut r = Reader::new(body);
    let oid = oid_string(r.expect(OID)?.body)?;
    let mut value = r.next()?;
    if value.tag == BOOLEAN {
        value = r.next()?;
    }
    if value.tag != OCTET_STRING || oid != SAN_OID {
        return Ok(());
    }
    let names = Reader::new(value.body).expect(SEQUENCE)?;
    let mut r = Reader::new(names.body);
    while !r.is_empty() {
        let n = r.next()?;
        let text = || String::from_utf8(n.body.to_vec()).map_err(|_| Malformed);
        match n.tag {
            0x81 => info.emails.push(text()?),
            0x82 => info.dns_names.push(text()?),
            0x86 => info.uris.push(text()?),
            _ => {}
        }
    }
    Ok(())
}

/// A Name (RDNSequence): sequence of sets of (type, value).
fn parse_name(body: &[u8]) -> Result<Vec<Vec<Attr>>, Malformed> {
    let mut rdns = Vec::new();
    let mut r = Reader::new(body);
    while !r.is_empty() {
        let set = r.expect(SET)?;
        let mut attrs = Vec::new();
        let mut s = Reader::new(set.body);
        while !s.is_empty() {
            let atv = s.expect(SEQUENCE)?;
            let mut a = Reader::new(atv.body);
            let oid = oid_string(a.expect(OID)?.body)?;
            let v = a.next()?;
            attrs.push(Attr {
                oid,
                value: decode_value(&v),
            });
        }
        rdns.push(attrs);
    }
    Ok(rdns)
}

/// Go's `asn1.Unmarshal` into `any` for the string types; anything else stays DER.
fn decode_value(v: &Tlv<'_>) -> AttrValue {
    let s = match v.tag {
        // UTF8String, PrintableString, IA5String, NumericString.
        0x0c | 0x13 | 0x16 | 0x12 => String::from_utf8(v.body.to_vec()).ok(),
        // T61String: Go reads it as Latin-1.
        0x14 => Some(v.body.iter().map(|&b| b as char).collect()),
        // BMPString: UCS-2 big endian.
        0x1e if v.body.len() % 2 == 0 => {
            let units: Vec<u16> = v
                .body
                .chunks(2)
                .map(|c| u16::from_be_bytes([c[0], c[1]]))
                .collect();
            String::from_utf16(&units).ok()
        }
        _ => None,
    };
    match s {
        Some(s) => AttrValue::Str(s),
        None => AttrValue::Other(v.raw.to_vec()),
    }
}

fn oid_string(body: &[u8]) -> Result<String, Malformed> {
    let mut arcs: Vec<u64> = Vec::new();
    let mut cur: u64 = 0;
    for (i, &b) in body.iter().enumerate() {
        if cur > u64::MAX >> 7 {
            return Err(Malformed);
        }
        cur = (cur << 7) | u64::from(b & 0x7f);
        if b & 0x80 == 0 {
            if arcs.is_empty() {
                let (a, b) = if cur < 40 {
                    (0, cur)
                } else if cur < 80 {
                    (1, cur - 40)
                } else {
                    (2, cur - 80)
                };
                arcs.push(a);
                arcs.push(b);
            } else {
                arcs.push(cur);
            }
            cur = 0;
        } else if i + 1 == body.len() {
            return Err(Malformed);
        }
    }
    if arcs.is_empty() {
        return Err(Malformed);
    }
    Ok(arcs
        .iter()
        .map(|a| a.to_string())
        .collect::<Vec<_>>()
        .join("."))
}

/// UTCTime (`YYMMDDHHMMSSZ`, years 1950-2049) or GeneralizedTime (`YYYYMMDDHHMMSSZ`).
fn parse_time(tag: u8, body: &[u8]) -> Option<SystemTime> {
    let s = std::str::from_utf8(body).ok()?;
    let s = s.strip_suffix('Z')?;
    let (year, rest) = match tag {
        UTC_TIME if s.len() == 12 => {
            let yy: i64 = s[..2].parse().ok()?;
            (if yy < 50 { 2000 + yy } else { 1900 + yy }, &s[2..])
        }
        GENERALIZED_TIME if s.len() == 14 => (s[..4].parse().ok()?, &s[4..]),
        _ => return None,
    };
    if !rest.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let n = |i: usize| -> i64 { rest[i..i + 2].parse().unwrap_or(0) };
    let days = days_from_civil(year, n(0), n(2));
    let secs = days * 86_400 + n(4) * 3600 + n(6) * 60 + n(8);
    if secs >= 0 {
        UNIX_EPOCH.checked_add(Duration::from_secs(secs as u64))
    } else {
        UNIX_EPOCH.checked_sub(Duration::from_secs(secs.unsigned_abs()))
    }
}

/// Days since 1970-01-01 of a proleptic Gregorian date.
fn days_from_civil(y: i64, m: i64, d: i64) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (m + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn oids_and_dates() {
        assert_eq!(oid_string(&[0x55, 0x04, 0x03]).unwrap(), "2.5.4.3");
        assert_eq!(
            oid_string(&[0x09, 0x92, 0x26, 0x89, 0x93, 0xf2, 0x2c, 0x64, 0x01, 0x19]).unwrap(),
            "0.9.2342.19200300.100.1.25"
        );
        assert!(oid_string(&[0x85]).is_err());
        assert_eq!(days_from_civil(1970, 1, 1), 0);
        assert_eq!(days_from_civil(2000, 3, 1), 11_017);
        let t = parse_time(UTC_TIME, b"320824202302Z").unwrap();
        assert_eq!(
            t.duration_since(UNIX_EPOCH).unwrap().as_secs(),
            1_976_991_782
        );
    }

    #[test]
    fn truncated_input_is_an_error_not_a_panic() {
        let der = [0x30, 0x82, 0x01, 0x00, 0x30];
        assert!(parse(&der).is_err());
        for n in 0..8 {
            let _ = parse(&vec![0x30; n]);
        }
    }
}
