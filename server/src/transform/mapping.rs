//! Subject mappings of an account: a source subject (or pattern) mapped to one or several weighted
//! destinations, chosen per published message (Go's `AddWeightedMappings`,
//! `selectMappedSubject`, accounts.go). Destinations whose weights add up to less than 100 leave the
//! rest to the source subject itself, unless the source is listed explicitly.

use super::{tokenize, validate_mapping, SubjectTransform, TransformError};
use crate::sublist::{is_subset_match, is_valid_subject, subject_has_wildcard};

/// One configured destination (Go's `MapDest`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MapDest {
    pub subject: String,
    /// Percent, 0..=100.
    pub weight: u8,
    pub cluster: String,
}

impl MapDest {
    pub fn new(subject: &str, weight: u8) -> MapDest {
        MapDest {
            subject: subject.to_string(),
            weight,
            cluster: String::new(),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
struct Destination {
    tr: SubjectTransform,
    /// Cumulative weight after sorting.
    weight: u8,
}

/// One mapping (Go's `mapping`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Mapping {
    pub source: String,
    wildcard: bool,
    dests: Vec<Destination>,
    /// Cluster-scoped destinations; a single server has no cluster name, so these stay unused.
    cluster_dests: Vec<(String, Vec<Destination>)>,
    /// As configured, for display.
    pub configured: Vec<MapDest>,
}

impl Mapping {
    /// Go's `AddWeightedMappings` checks and preparation.
    pub fn new(src: &str, input: &[MapDest]) -> Result<Mapping, String> {
        if !is_valid_subject(src.as_bytes()) {
            return Err(TransformError::BadSubject.to_string());
        }
        let wildcard = subject_has_wildcard(src.as_bytes());
        let mut seen = std::collections::HashSet::new();
        let mut totals: std::collections::HashMap<&str, u32> = std::collections::HashMap::new();
        let mut main = Vec::new();
        let mut by_cluster: Vec<(String, Vec<Destination>)> = Vec::new();
        for d in input {
            if !seen.insert(d.subject.clone()) {
                return Err(format!("duplicate entry for {:?}", d.subject));
            }
            if d.weight > 100 {
                return Err("individual weights need to be <= 100".into());
            }
            let t = totals.entry(d.cluster.as_str()).or_default();
            *t += d.weight as u32;
            if *t > 100 {
                return Err("total weight needs to be <= 100".into());
            }
            validate_mapping(src, &d.subject).map_err(|e| e.to_string())?;
            let tr = SubjectTransform::new(src, &d.subject)
                .map_err(|e| e.to_string())?
                .ok_or_else(|| TransformError::BadSubject.to_string())?;
            let dest = Destination {
                tr,
                weight: d.weight,
            };
            if d.cluster.is_empty() {
                main.push(dest);
            } else {
                match by_cluster.iter_mut().find(|(c, _)| *c == d.cluster) {
                    Some((_, v)) => v.push(dest),
                    None => by_cluster.push((d.cluster.clone(), vec![dest])),
                }
            }
        }
        let has_src = seen.contains(src);
        let process = |mut dests: Vec<Destination>| -> Result<Vec<Destination>, String> {
            let total: u32 = dests.iter().map(|d| d.weight as u32).sum();
            if total != 100 && !has_src {
                let dest = if wildcard {
                    tokenize(src)
                } else {
                    src.to_string()
                };
                let tr = SubjectTransform::new(src, &dest)
                    .map_err(|e| e.to_string())?
                    .ok_or_else(|| TransformError::BadSubject.to_string())?;
                let w = if dests.is_empty() {
                    100
                } else {
                    100 - total as u8
                };
                dests.push(Destination { tr, weight: w });
            }
            dests.sort_by_key(|d| d.weight);
            let mut acc = 0u8;
            for d in &mut dests {
                d.weight = d.weight.saturating_add(acc);
                acc = d.weight;
            }
            Ok(dests)
        };
        let dests = process(main)?;
        let mut cluster_dests = Vec::new();
        for (c, v) in by_cluster {
            cluster_dests.push((c, process(v)?));
        }
        Ok(Mapping {
            source: src.to_string(),
            wildcard,
            dests,
            cluster_dests,
            configured: input.to_vec(),
        })
    }

    fn select(&self, tokens: &[&str], roll: u8) -> Option<String> {
        let d = if self.dests.len() == 1 && self.dests[0].weight == 100 {
            Some(&self.dests[0])
        } else {
            self.dests.iter().find(|d| roll < d.weight)
        }?;
        Some(d.tr.transform_tokens(tokens))
    }
}

/// The mappings of one account, in configuration order.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Mappings {
    list: Vec<Mapping>,
}

impl Mappings {
    pub fn is_empty(&self) -> bool {
        self.list.is_empty()
    }

    pub fn iter(&self) -> impl Iterator<Item = &Mapping> {
        self.list.iter()
    }

    /// Add or replace the mapping of `m.source`.
    pub fn add(&mut self, m: Mapping) {
        match self.list.iter_mut().find(|e| e.source == m.source) {
            Some(e) => *e = m,
            None => self.list.push(m),
        }
    }

    /// Go's `selectMappedSubject`: the subject a publish to `subject` goes to, if mapped.
    pub fn select(&self, subject: &str) -> Option<String> {
        select(&self.list, subject)
    }
}

/// Go's `selectMappedSubject` over mappings in configuration order.
pub fn select(list: &[Mapping], subject: &str) -> Option<String> {
    if list.is_empty() {
        return None;
    }
    let tokens: Vec<&str> = subject.split('.').collect();
    let m = list.iter().find(|m| {
        (!m.wildcard && m.source == subject)
            || is_subset_match(subject.as_bytes(), m.source.as_bytes())
    })?;
    // Go only splits the subject for wildcard sources; a literal source hands no tokens on.
    let toks: &[&str] = if m.wildcard || m.source != subject {
        &tokens
    } else {
        &[]
    };
    let roll = (rand::random::<u32>() % 100) as u8;
    m.select(toks, roll)
}
