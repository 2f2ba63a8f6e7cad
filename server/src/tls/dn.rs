//! Distinguished names as the Go server compares them for `verify_and_map`:
//! - Go's `pkix.RDNSequence.String` (RFC 2253 order and escaping, unknown types as `oid=#hex`),
//!   `pkix.Name.ToRDNSequence` (the named fields in Go's fixed order, one RDN per type) and `Name.String`;
//! - the server's `getTLSAuthDCs` (the `DC=` components, in certificate order);
//! - its `ldap.DN`: `ParseDN` of a configured user name, `FromRawCertSubject`, and the `Equal` and
//!   `RDNsMatch` comparisons (attribute types case-insensitive, values exact, multi-valued RDNs unordered).

use super::x509::{Attr, AttrValue};

const OID_CN: &str = "2.5.4.3";
const OID_SERIAL: &str = "2.5.4.5";
const OID_C: &str = "2.5.4.6";
const OID_L: &str = "2.5.4.7";
const OID_ST: &str = "2.5.4.8";
const OID_STREET: &str = "2.5.4.9";
const OID_O: &str = "2.5.4.10";
const OID_OU: &str = "2.5.4.11";
const OID_POSTAL: &str = "2.5.4.17";
const OID_DC: &str = "0.9.2342.19200300.100.1.25";

/// Go's `pkix` attribute type names.
fn pkix_name(oid: &str) -> Option<&'static str> {
    Some(match oid {
        OID_CN => "CN",
        OID_SERIAL => "SERIALNUMBER",
        OID_C => "C",
        OID_L => "L",
        OID_ST => "ST",
        OID_STREET => "STREET",
        OID_O => "O",
        OID_OU => "OU",
        OID_POSTAL => "POSTALCODE",
        _ => return None,
    })
}

/// The internal ldap package's names: pkix's plus DC.
fn ldap_name(oid: &str) -> Option<&'static str> {
    if oid == OID_DC {
        Some("DC")
    } else {
        pkix_name(oid)
    }
}

/// Go's `asn1.Marshal` of a string: PrintableString when every character allows it, else UTF8String.
fn marshal_string(s: &str) -> Vec<u8> {
    let printable = s.bytes().all(|b| {
        b.is_ascii_alphanumeric()
            || matches!(
                b,
                b' ' | b'\'' | b'(' | b')' | b'+' | b',' | b'-' | b'.' | b'/' | b':' | b'=' | b'?'
            )
    });
    let tag = if printable { 0x13 } else { 0x0c };
    let body = s.as_bytes();
    let mut out = vec![tag];
    let n = body.len();
    if n < 0x80 {
        out.push(n as u8);
    } else {
        let bytes: Vec<u8> = n
            .to_be_bytes()
            .iter()
            .copied()
            .skip_while(|b| *b == 0)
            .collect();
        out.push(0x80 | bytes.len() as u8);
        out.extend(bytes);
    }
    out.extend_from_slice(body);
    out
}

fn hex(b: &[u8]) -> String {
    b.iter().map(|x| format!("{x:02x}")).collect()
}

/// Go's `RDNSequence.String`: the RDNs last to first, `+` between the attributes of one RDN.
pub fn rdn_sequence_string(rdns: &[Vec<Attr>]) -> String {
    let mut s = String::new();
    for (i, rdn) in rdns.iter().rev().enumerate() {
        if i > 0 {
            s.push(',');
        }
        for (j, atv) in rdn.iter().enumerate() {
            if j > 0 {
                s.push('+');
            }
            let value = match (&atv.value, pkix_name(&atv.oid)) {
                (AttrValue::Str(v), Some(_)) => v.clone(),
                (AttrValue::Str(v), None) => {
                    s.push_str(&format!("{}=#{}", atv.oid, hex(&marshal_string(v))));
                    continue;
                }
                (AttrValue::Other(der), _) => {
                    s.push_str(&format!("{}=#{}", atv.oid, hex(der)));
                    continue;
                }
            };
            s.push_str(pkix_name(&atv.oid).unwrap_or(""));
            s.push('=');
            let n = value.chars().count();
            for (k, c) in value.chars().enumerate() {
                let escape = match c {
                    ',' | '+' | '"' | '\\' | '<' | '>' | ';' => true,
                    ' ' => k == 0 || k + 1 == n,
                    '#' => k == 0,
                    _ => false,
                };
                if escape {
                    s.push('\\');
                }
                s.push(c);
            }
        }
    }
    s
}

/// Go's `Name.ToRDNSequence` of a parsed certificate name: C, ST, L, STREET, POSTALCODE, O, OU (every value
/// of a type in one RDN), then the last CN and the last SERIALNUMBER; other types are left out.
pub fn to_rdn_sequence(subject: &[Vec<Attr>]) -> Vec<Vec<Attr>> {
    let values = |oid: &str| -> Vec<String> {
        subject
            .iter()
            .flatten()
            .filter(|a| a.oid == oid)
            .filter_map(|a| match &a.value {
                AttrValue::Str(s) => Some(s.clone()),
                AttrValue::Other(_) => None,
            })
            .collect()
    };
    let mut out = Vec::new();
    let mut add = |oid: &str, vals: Vec<String>| {
        if !vals.is_empty() {
            out.push(
                vals.into_iter()
                    .map(|v| Attr {
                        oid: oid.to_string(),
                        value: AttrValue::Str(v),
                    })
                    .collect(),
            );
        }
    };
    for oid in [OID_C, OID_ST, OID_L, OID_STREET, OID_POSTAL, OID_O, OID_OU] {
        add(oid, values(oid));
    }
    for oid in [OID_CN, OID_SERIAL] {
        // A single-valued field: the last one wins, and an empty one is left out.
        let last = values(oid).pop().filter(|v| !v.is_empty());
        add(oid, last.into_iter().collect());
    }
    out
}

/// Go's `pkix.Name.String` of a parsed name: attributes of other types first (one RDN each, so they print
/// last), then the named fields.
pub fn name_string(subject: &[Vec<Attr>]) -> String {
    let mut rdns: Vec<Vec<Attr>> = subject
        .iter()
        .flatten()
        .filter(|a| matches!(a.value, AttrValue::Str(_)) && pkix_name(&a.oid).is_none())
        .map(|a| vec![a.clone()])
        .collect();
    rdns.extend(to_rdn_sequence(subject));
    rdn_sequence_string(&rdns)
}

/// The server's `getTLSAuthDCs`: `DC=<value>` for each domain component, in certificate order.
pub fn domain_components(subject: &[Vec<Attr>]) -> String {
    subject
        .iter()
        .flatten()
        .filter(|a| a.oid == OID_DC)
        .filter_map(|a| match &a.value {
            AttrValue::Str(s) => Some(format!("DC={s}")),
            AttrValue::Other(_) => None,
        })
        .collect::<Vec<_>>()
        .join(",")
}

/// An LDAP distinguished name (RFC 4514): RDNs in string order, each a set of type/value pairs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Dn {
    pub rdns: Vec<Vec<(String, String)>>,
}

impl Dn {
    /// `FromRawCertSubject`: the certificate's RDNs in reverse (string) order; an attribute type without an
    /// LDAP name or a value that is not a string makes it unusable.
    pub fn from_cert_subject(subject: &[Vec<Attr>]) -> Option<Dn> {
        let mut rdns = Vec::new();
        for rdn in subject.iter().rev() {
            if rdn.is_empty() {
                continue;
            }
            let mut attrs = Vec::new();
            for a in rdn.iter().rev() {
                let t = ldap_name(&a.oid)?;
                let AttrValue::Str(v) = &a.value else {
                    return None;
                };
                attrs.push((t.to_string(), v.clone()));
            }
            rdns.push(attrs);
        }
        Some(Dn { rdns })
    }

    /// `ParseDN`: `,` separates RDNs, `+` attributes; `\` escapes a special character or two hex digits;
    /// unescaped leading and trailing spaces of a type or value are dropped. `#` (BER) values are refused.
    pub fn parse(s: &str) -> Result<Dn, String> {
        let b = s.as_bytes();
        let mut rdns = Vec::new();
        let mut rdn: Vec<(String, String)> = Vec::new();
        let mut buf: Vec<u8> = Vec::new();
        let mut typ: Option<String> = None;
        let mut escaping = false;
        let mut trailing = 0usize;
        let take = |buf: &mut Vec<u8>, trailing: &mut usize| -> String {
            buf.truncate(buf.len() - *trailing);
            *trailing = 0;
            String::from_utf8_lossy(&std::mem::take(buf)).into_owned()
        };
        let mut i = 0;
        while i < b.len() {
            let c = b[i];
            if escaping {
                trailing = 0;
                escaping = false;
                if matches!(
                    c,
                    b' ' | b'"' | b'#' | b'+' | b',' | b';' | b'<' | b'=' | b'>' | b'\\'
                ) {
                    buf.push(c);
                    i += 1;
                    continue;
                }
                if i + 1 == b.len() {
                    return Err("got corrupted escaped character".into());
                }
                let h = std::str::from_utf8(&b[i..i + 2])
                    .ok()
                    .and_then(|h| u8::from_str_radix(h, 16).ok())
                    .ok_or("failed to decode escaped character")?;
                buf.push(h);
                i += 2;
                continue;
            }
            match c {
                b'\\' => {
                    trailing = 0;
                    escaping = true;
                }
                b'=' => {
                    typ = Some(take(&mut buf, &mut trailing));
                    if b.get(i + 1) == Some(&b'#') {
                        return Err("unsupported BER encoding".into());
                    }
                }
                b',' | b'+' => {
                    let t = typ.take().filter(|t| !t.is_empty());
                    let Some(t) = t else {
                        return Err("incomplete type, value pair".into());
                    };
                    rdn.push((t, take(&mut buf, &mut trailing)));
                    if c == b',' {
                        rdns.push(std::mem::take(&mut rdn));
                    }
                }
                b' ' if buf.is_empty() => {}
                _ => {
                    if c == b' ' {
                        trailing += 1;
                    } else {
                        trailing = 0;
                    }
                    buf.push(c);
                }
            }
            i += 1;
        }
        if !buf.is_empty() {
            let Some(t) = typ.filter(|t| !t.is_empty()) else {
                return Err("DN ended with incomplete type, value pair".into());
            };
            rdn.push((t, take(&mut buf, &mut trailing)));
            rdns.push(rdn);
        }
        Ok(Dn { rdns })
    }

    /// Same RDNs in the same order.
    pub fn equal(&self, other: &Dn) -> bool {
        self.rdns.len() == other.rdns.len()
            && self
                .rdns
                .iter()
                .zip(&other.rdns)
                .all(|(a, b)| rdn_equal(a, b))
    }

    /// Same RDNs in any order.
    pub fn rdns_match(&self, other: &Dn) -> bool {
        if self.rdns.len() != other.rdns.len() {
            return false;
        }
        let mut used = vec![false; other.rdns.len()];
        self.rdns.iter().all(|r| {
            let found = other
                .rdns
                .iter()
                .enumerate()
                .find(|(j, o)| !used[*j] && rdn_equal(r, o));
            match found {
                Some((j, _)) => {
                    used[j] = true;
                    true
                }
                None => false,
            }
        })
    }
}

fn attr_equal(a: &(String, String), b: &(String, String)) -> bool {
    a.0.eq_ignore_ascii_case(&b.0) && a.1 == b.1
}

fn rdn_equal(a: &[(String, String)], b: &[(String, String)]) -> bool {
    a.len() == b.len()
        && a.iter().all(|x| b.iter().any(|y| attr_equal(x, y)))
        && b.iter().all(|x| a.iter().any(|y| attr_equal(x, y)))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn a(oid: &str, v: &str) -> Attr {
        Attr {
            oid: oid.into(),
            value: AttrValue::Str(v.into()),
        }
    }

    /// C = US, ST = CA, L = Los Angeles, O = NATS, OU = NATS, CN = localhost, DC = foo1, DC = foo2
    fn client_a() -> Vec<Vec<Attr>> {
        vec![
            vec![a(OID_C, "US")],
            vec![a(OID_ST, "CA")],
            vec![a(OID_L, "Los Angeles")],
            vec![a(OID_O, "NATS")],
            vec![a(OID_OU, "NATS")],
            vec![a(OID_CN, "localhost")],
            vec![a(OID_DC, "foo1")],
            vec![a(OID_DC, "foo2")],
        ]
    }

    #[test]
    fn go_string_forms_of_a_subject() {
        let s = client_a();
        assert_eq!(
            rdn_sequence_string(&to_rdn_sequence(&s)),
            "CN=localhost,OU=NATS,O=NATS,L=Los Angeles,ST=CA,C=US"
        );
        assert_eq!(domain_components(&s), "DC=foo1,DC=foo2");
        assert_eq!(
            name_string(&s),
            "CN=localhost,OU=NATS,O=NATS,L=Los Angeles,ST=CA,C=US,\
             0.9.2342.19200300.100.1.25=#1304666f6f32,0.9.2342.19200300.100.1.25=#1304666f6f31"
        );
        let esc = vec![vec![a(OID_CN, " a,b+c#")], vec![a(OID_O, "#x ")]];
        assert_eq!(rdn_sequence_string(&esc), "O=\\#x\\ ,CN=\\ a\\,b\\+c#");
        assert_eq!(name_string(&[]), "");
    }

    #[test]
    fn ldap_dn_parse_and_compare() {
        let cert = Dn::from_cert_subject(&client_a()).unwrap();
        let user =
            Dn::parse("DC=foo2,DC=foo1,CN=localhost,OU=NATS,O=NATS,L=Los Angeles,ST=CA,C=US")
                .unwrap();
        assert!(user.equal(&cert));
        let reordered =
            Dn::parse("CN=localhost,OU=NATS,O=NATS,L=Los Angeles,ST=CA,C=US,DC=foo1,DC=foo2")
                .unwrap();
        assert!(!reordered.equal(&cert));
        assert!(reordered.rdns_match(&cert));
        // Multi-valued RDN, attributes in any order; types are case-insensitive, values are not.
        let multi = vec![
            vec![a(OID_DC, "org")],
            vec![a(OID_DC, "OpenSSL")],
            vec![a(OID_DC, "DEV"), a(OID_O, "users")],
            vec![a(OID_CN, "John Doe")],
        ];
        let cert = Dn::from_cert_subject(&multi).unwrap();
        assert!(Dn::parse("DC=org,DC=OpenSSL,O=users+DC=DEV,CN=John Doe")
            .unwrap()
            .rdns_match(&cert));
        assert!(Dn::parse("cn=John Doe,dc=DEV+o=users,dc=OpenSSL,dc=org")
            .unwrap()
            .equal(&cert));
        assert!(!Dn::parse("DC=org,DC=OpenSSL,O=users,CN=John Doe")
            .unwrap()
            .rdns_match(&cert));
        assert_eq!(
            Dn::parse(" CN = a\\,b ,O=x\\41").unwrap().rdns,
            vec![
                vec![("CN".to_string(), "a,b".to_string())],
                vec![("O".to_string(), "xA".to_string())]
            ]
        );
        assert!(Dn::parse("CN=#0101").is_err());
        assert!(Dn::parse("x,y").is_err());
        assert!(Dn::parse("CN=a\\4").is_err());
        assert_eq!(Dn::parse("CN=a\\").unwrap().rdns[0][0].1, "a");
        // A type without an LDAP name makes the certificate's DN unusable.
        assert!(Dn::from_cert_subject(&[vec![a("1.2.840.113549.1.9.1", "x@y")]]).is_none());
    }
}
