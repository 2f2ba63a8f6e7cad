//! Subject transforms: rewrite a subject matching a source pattern into a destination built from
//! its tokens (`$1`, `{{wildcard(1)}}`, `{{partition(n,...)}}`, `{{split(i,d)}}`,
//! `{{splitFromLeft(i,n)}}`, `{{splitFromRight(i,n)}}`, `{{sliceFromLeft(i,n)}}`,
//! `{{sliceFromRight(i,n)}}`, `{{left(i,n)}}`, `{{right(i,n)}}`, `{{random(n)}}`), with Go's
//! validation and error texts. Pure: no I/O. Matches Go's subject_transform.go
//! (`NewSubjectTransformWithStrict`, `indexPlaceHolders`, `TransformTokenizedSubject`,
//! `reverse`, `transformTokenize`, `transformUntokenize`) and `ValidateMapping` (sublist.go).

mod mapping;
#[cfg(test)]
mod tests;

pub use mapping::{select as select_mapping, MapDest, Mapping, Mappings};

/// Go's mapping destination errors; `Display` is Go's text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TransformError {
    /// `invalid subject` (Go's `ErrBadSubject`).
    BadSubject,
    /// `no matching transforms available` (Go's `ErrNoTransforms`).
    NoMatch,
    /// `invalid mapping destination: <reason>` with the offending token (Go's `mappingDestinationErr`).
    Destination { reason: &'static str, token: String },
}

/// The reasons of Go's `ErrMappingDestination*` family.
pub mod reason {
    pub const INVALID_TRANSFORM: &str = "invalid transform";
    pub const NOT_ALL_WILDCARDS: &str = "not using all of the token wildcard(s)";
    pub const UNKNOWN_FUNCTION: &str = "unknown function";
    pub const INDEX_OUT_OF_RANGE: &str = "wildcard index out of range";
    pub const NOT_ENOUGH_ARGS: &str = "not enough arguments passed to the function";
    pub const INVALID_ARG: &str = "function argument is invalid or in the wrong format";
    pub const TOO_MANY_ARGS: &str = "too many arguments passed to the function";
    pub const NOT_FOR_IMPORT: &str =
        "the only mapping function allowed for import transforms is {{Wildcard()}}";
}

impl std::fmt::Display for TransformError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            TransformError::BadSubject => f.write_str("invalid subject"),
            TransformError::NoMatch => f.write_str("no matching transforms available"),
            TransformError::Destination { reason, token } if token.is_empty() => {
                write!(f, "invalid mapping destination: {reason}")
            }
            TransformError::Destination { reason, token } => {
                write!(f, "invalid mapping destination: {reason} in {token}")
            }
        }
    }
}

impl std::error::Error for TransformError {}

fn dest_err(reason: &'static str, token: impl Into<String>) -> TransformError {
    TransformError::Destination {
        reason,
        token: token.into(),
    }
}

/// One destination token's function (Go's `dtokmftypes` and arguments).
#[derive(Debug, Clone, PartialEq, Eq)]
enum Func {
    /// A literal token (or `>`, which ends the fixed part).
    Literal,
    Wildcard(usize),
    /// Buckets and the source token indexes hashed (empty: the whole subject).
    Partition(u32, Vec<usize>),
    SplitFromLeft(usize, i32),
    SplitFromRight(usize, i32),
    SliceFromLeft(usize, i32),
    SliceFromRight(usize, i32),
    Split(usize, String),
    Left(usize, i32),
    Right(usize, i32),
    Random(u32),
}

/// A compiled transform (Go's `subjectTransform`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SubjectTransform {
    src: String,
    dest: String,
    stoks: Vec<String>,
    dtoks: Vec<String>,
    funcs: Vec<Func>,
}

/// The kind of function named by a `{{name(args)}}` token, with Go's regex case rules: the first
/// letter of each word may be either case, the rest exactly as written.
fn function_name(token: &str) -> Option<(&'static str, &str)> {
    const NAMES: [&str; 10] = [
        "wildcard",
        "partition",
        "splitFromLeft",
        "splitFromRight",
        "sliceFromLeft",
        "sliceFromRight",
        "right",
        "left",
        "split",
        "random",
    ];
    let inner = token.strip_prefix("{{")?.strip_suffix("}}")?;
    let inner = inner.trim_matches(|c: char| c.is_ascii_whitespace());
    let open = inner.find('(')?;
    let close = inner.rfind(')')?;
    if close < open || !inner[close + 1..].trim().is_empty() {
        return None;
    }
    let name = inner[..open].trim_end();
    let args = &inner[open + 1..close];
    for n in NAMES {
        if n.len() != name.len() {
            continue;
        }
        let ok = n.char_indices().zip(name.chars()).all(|((i, a), b)| {
            if i == 0 || a.is_ascii_uppercase() {
                a.eq_ignore_ascii_case(&b)
            } else {
                a == b
            }
        });
        if ok {
            return Some((n, args));
        }
    }
    None
}

/// Go's `commaSeparatorRegEx.Split`: split on a comma followed by any whitespace.
fn split_args(args: &str) -> Vec<&str> {
    let mut out = Vec::new();
    let mut rest = args;
    while let Some(i) = rest.find(',') {
        out.push(&rest[..i]);
        rest = rest[i + 1..].trim_start_matches(|c: char| c.is_ascii_whitespace());
    }
    out.push(rest);
    out
}

fn atoi(s: &str) -> Option<i64> {
    s.trim_matches(' ').parse::<i64>().ok()
}

/// Go's `indexPlaceHolders`: (function, 1-based wildcard indexes used).
fn index_placeholders(token: &str) -> Result<(Func, Vec<i64>), TransformError> {
    let bytes = token.as_bytes();
    if bytes.len() > 1 && bytes[0] == b'$' {
        return Ok(match token[1..].parse::<i64>() {
            Ok(n) => (Func::Wildcard(0), vec![n]),
            Err(_) => (Func::Literal, vec![]),
        });
    }
    let mustache = bytes.len() > 4 && token.starts_with("{{") && token.ends_with("}}");
    if !mustache {
        return Ok((Func::Literal, vec![]));
    }
    let Some((name, raw)) = function_name(token) else {
        return Err(dest_err(reason::UNKNOWN_FUNCTION, token));
    };
    let args = split_args(raw);
    let idx_int = |f: fn(usize, i32) -> Func| -> Result<(Func, Vec<i64>), TransformError> {
        if args.len() < 2 {
            return Err(dest_err(reason::NOT_ENOUGH_ARGS, token));
        }
        if args.len() > 2 {
            return Err(dest_err(reason::TOO_MANY_ARGS, token));
        }
        let i = atoi(args[0]).ok_or_else(|| dest_err(reason::INVALID_ARG, token))?;
        let n = atoi(args[1])
            .filter(|n| i32::try_from(*n).is_ok())
            .ok_or_else(|| dest_err(reason::INVALID_ARG, token))?;
        Ok((f(0, n as i32), vec![i]))
    };
    match name {
        "wildcard" => {
            if args.len() == 1 && args[0].is_empty() {
                return Err(dest_err(reason::NOT_ENOUGH_ARGS, token));
            }
            if args.len() > 1 {
                return Err(dest_err(reason::TOO_MANY_ARGS, token));
            }
            let i = atoi(args[0]).ok_or_else(|| dest_err(reason::INVALID_ARG, token))?;
            Ok((Func::Wildcard(0), vec![i]))
        }
        "partition" => {
            let n = atoi(args[0])
                .filter(|n| *n <= i32::MAX as i64)
                .ok_or_else(|| dest_err(reason::INVALID_ARG, token))?;
            let mut idx = Vec::new();
            for a in &args[1..] {
                idx.push(atoi(a).ok_or_else(|| dest_err(reason::INVALID_ARG, token))?);
            }
            Ok((Func::Partition(n.max(0) as u32, Vec::new()), idx))
        }
        "splitFromLeft" => idx_int(Func::SplitFromLeft),
        "splitFromRight" => idx_int(Func::SplitFromRight),
        "sliceFromLeft" => idx_int(Func::SliceFromLeft),
        "sliceFromRight" => idx_int(Func::SliceFromRight),
        "right" => idx_int(Func::Right),
        "left" => idx_int(Func::Left),
        "split" => {
            if args.len() < 2 {
                return Err(dest_err(reason::NOT_ENOUGH_ARGS, token));
            }
            if args.len() > 2 {
                return Err(dest_err(reason::TOO_MANY_ARGS, token));
            }
            let i = atoi(args[0]).ok_or_else(|| dest_err(reason::INVALID_ARG, token))?;
            if args[1].contains(' ') || args[1].contains('.') {
                return Err(dest_err(reason::INVALID_ARG, token));
            }
            Ok((Func::Split(0, args[1].to_string()), vec![i]))
        }
        _ => {
            // random
            if args.len() != 1 {
                return Err(dest_err(reason::NOT_ENOUGH_ARGS, token));
            }
            let n = atoi(args[0])
                .filter(|n| *n <= i32::MAX as i64)
                .ok_or_else(|| dest_err(reason::INVALID_ARG, token))?;
            Ok((Func::Random(n.max(0) as u32), vec![]))
        }
    }
}

/// Go's `subjectInfo`: (valid, tokens, partial wildcards, has `>`).
fn subject_info(subject: &str) -> (bool, Vec<String>, usize, bool) {
    if subject.is_empty() {
        return (false, Vec::new(), 0, false);
    }
    let mut npwcs = 0;
    let mut fwc = false;
    let toks: Vec<String> = subject.split('.').map(str::to_string).collect();
    for t in &toks {
        if t.is_empty() || fwc {
            return (false, Vec::new(), 0, false);
        }
        match t.as_str() {
            ">" => fwc = true,
            "*" => npwcs += 1,
            _ => {}
        }
    }
    (true, toks, npwcs, fwc)
}

/// Point a function at its source token.
fn with_index(f: Func, i: usize) -> Func {
    match f {
        Func::Wildcard(_) => Func::Wildcard(i),
        Func::SplitFromLeft(_, n) => Func::SplitFromLeft(i, n),
        Func::SplitFromRight(_, n) => Func::SplitFromRight(i, n),
        Func::SliceFromLeft(_, n) => Func::SliceFromLeft(i, n),
        Func::SliceFromRight(_, n) => Func::SliceFromRight(i, n),
        Func::Split(_, d) => Func::Split(i, d),
        Func::Left(_, n) => Func::Left(i, n),
        Func::Right(_, n) => Func::Right(i, n),
        other => other,
    }
}

impl SubjectTransform {
    /// Go's `NewSubjectTransform`. `Ok(None)` for an empty destination (no transform).
    pub fn new(src: &str, dest: &str) -> Result<Option<SubjectTransform>, TransformError> {
        Self::with_strict(src, dest, false)
    }

    /// Go's `NewSubjectTransformStrict`: reversible (imports): only wildcards, all of them used.
    pub fn strict(src: &str, dest: &str) -> Result<Option<SubjectTransform>, TransformError> {
        Self::with_strict(src, dest, true)
    }

    /// Go's `NewSubjectTransformWithStrict`.
    pub fn with_strict(
        src: &str,
        dest: &str,
        strict: bool,
    ) -> Result<Option<SubjectTransform>, TransformError> {
        if dest.is_empty() {
            return Ok(None);
        }
        let src = if src.is_empty() { ">" } else { src };
        let (sv, stoks, npwcs, sfwc) = subject_info(src);
        let (dv, dtoks, dnpwcs, dfwc) = subject_info(dest);
        if !sv || !dv || dnpwcs > 0 || sfwc != dfwc {
            return Err(TransformError::BadSubject);
        }
        let mut funcs = Vec::with_capacity(dtoks.len());
        if npwcs > 0 || sfwc {
            // Source wildcard number (1-based) -> source token index.
            let sti: Vec<usize> = stoks
                .iter()
                .enumerate()
                .filter(|(_, t)| t.as_str() == "*")
                .map(|(i, _)| i)
                .collect();
            let mut used = 0usize;
            for t in &dtoks {
                let (f, idx) = index_placeholders(t)?;
                if strict && !matches!(f, Func::Literal | Func::Wildcard(_)) {
                    return Err(dest_err(reason::NOT_FOR_IMPORT, t.clone()));
                }
                match f {
                    Func::Literal | Func::Random(_) => funcs.push(f),
                    _ => {
                        used += idx.len();
                        let mut stis = Vec::with_capacity(idx.len());
                        for wi in &idx {
                            if *wi > npwcs as i64 || *wi < 1 {
                                // Go indexes its map with the number: 0 and negatives give token 0.
                                if *wi > npwcs as i64 {
                                    return Err(dest_err(
                                        reason::INDEX_OUT_OF_RANGE,
                                        format!("{t}: [{wi}]"),
                                    ));
                                }
                                stis.push(0);
                                continue;
                            }
                            stis.push(sti[*wi as usize - 1]);
                        }
                        funcs.push(match f {
                            Func::Partition(n, _) => Func::Partition(n, stis),
                            other => with_index(other, stis.first().copied().unwrap_or(0)),
                        });
                    }
                }
            }
            if strict && used < npwcs {
                return Err(dest_err(reason::NOT_ALL_WILDCARDS, dest));
            }
        } else {
            for t in &dtoks {
                let (f, _) = index_placeholders(t)?;
                match f {
                    Func::Literal | Func::Random(_) => funcs.push(f),
                    Func::Partition(n, _) => funcs.push(Func::Partition(n, Vec::new())),
                    _ => return Err(dest_err(reason::INDEX_OUT_OF_RANGE, t.clone())),
                }
            }
        }
        Ok(Some(SubjectTransform {
            src: src.to_string(),
            dest: dest.to_string(),
            stoks,
            dtoks,
            funcs,
        }))
    }

    pub fn source(&self) -> &str {
        &self.src
    }

    pub fn destination(&self) -> &str {
        &self.dest
    }

    /// Whether the destination uses source tokens (otherwise it is a fixed subject).
    pub fn uses_tokens(&self) -> bool {
        self.funcs
            .iter()
            .any(|f| !matches!(f, Func::Literal | Func::Random(_)))
            || self.dtoks.last().is_some_and(|t| t == ">")
    }

    /// Go's `Match`: the transformed subject when `subject` (a literal) matches the source.
    pub fn matches(&self, subject: &str) -> Result<String, TransformError> {
        if (self.src == ">" || self.src.is_empty()) && (self.dest == ">" || self.dest.is_empty()) {
            return Ok(subject.to_string());
        }
        let toks: Vec<&str> = subject.split('.').collect();
        if toks.iter().any(|t| t.is_empty() || *t == "*" || *t == ">") {
            return Err(TransformError::BadSubject);
        }
        if self.src == ">"
            || crate::sublist::is_subset_match(subject.as_bytes(), self.src.as_bytes())
        {
            return Ok(self.transform_tokens(&toks));
        }
        Err(TransformError::NoMatch)
    }

    /// Go's `TransformSubject` (no match check).
    pub fn transform(&self, subject: &str) -> String {
        let toks: Vec<&str> = subject.split('.').collect();
        self.transform_tokens(&toks)
    }

    /// Go's `TransformTokenizedSubject`.
    pub fn transform_tokens(&self, tokens: &[&str]) -> String {
        let tok = |i: usize| tokens.get(i).copied().unwrap_or("");
        let mut b = String::with_capacity(self.dest.len() + 16);
        let last = self.funcs.len().saturating_sub(1);
        for (i, f) in self.funcs.iter().enumerate() {
            match f {
                Func::Literal => {
                    if self.dtoks[i] == ">" {
                        break;
                    }
                    b.push_str(&self.dtoks[i]);
                }
                Func::Partition(n, idx) => {
                    let key = if idx.is_empty() {
                        tokens.join(".")
                    } else {
                        idx.iter().map(|i| tok(*i)).collect::<String>()
                    };
                    b.push_str(&hash_partition(key.as_bytes(), *n));
                }
                Func::Wildcard(i) => {
                    if *i < tokens.len() {
                        b.push_str(tokens[*i]);
                    }
                }
                Func::SplitFromLeft(i, pos) => {
                    let s = tok(*i);
                    let p = *pos as i64;
                    if p > 0 && (p as usize) < s.len() {
                        b.push_str(&s[..p as usize]);
                        b.push('.');
                        b.push_str(&s[p as usize..]);
                    } else {
                        b.push_str(s);
                    }
                }
                Func::SplitFromRight(i, pos) => {
                    let s = tok(*i);
                    let p = *pos as i64;
                    if p > 0 && (p as usize) < s.len() {
                        let cut = s.len() - p as usize;
                        b.push_str(&s[..cut]);
                        b.push('.');
                        b.push_str(&s[cut..]);
                    } else {
                        b.push_str(s);
                    }
                }
                Func::SliceFromLeft(i, size) => {
                    let s = tok(*i);
                    let n = *size as i64;
                    if n > 0 && (n as usize) < s.len() {
                        let n = n as usize;
                        let mut j = 0;
                        while j + n <= s.len() {
                            if j != 0 {
                                b.push('.');
                            }
                            b.push_str(&s[j..j + n]);
                            if j + n != s.len() && j + n + n > s.len() {
                                b.push('.');
                                b.push_str(&s[j + n..]);
                                break;
                            }
                            j += n;
                        }
                    } else {
                        b.push_str(s);
                    }
                }
                Func::SliceFromRight(i, size) => {
                    let s = tok(*i);
                    let n = *size as i64;
                    if n > 0 && (n as usize) < s.len() {
                        let n = n as usize;
                        let rem = s.len() % n;
                        if rem > 0 {
                            b.push_str(&s[..rem]);
                            b.push('.');
                        }
                        let mut j = rem;
                        while j + n <= s.len() {
                            b.push_str(&s[j..j + n]);
                            if j + n < s.len() {
                                b.push('.');
                            }
                            j += n;
                        }
                    } else {
                        b.push_str(s);
                    }
                }
                Func::Split(i, delim) => {
                    let s = tok(*i);
                    let parts: Vec<&str> = s.split(delim.as_str()).collect();
                    for (j, part) in parts.iter().enumerate() {
                        b.push_str(part);
                        if j + 1 < parts.len()
                            && !parts[j + 1].is_empty()
                            && !(j == 0 && part.is_empty())
                        {
                            b.push('.');
                        }
                    }
                }
                Func::Left(i, size) => {
                    let s = tok(*i);
                    let n = *size as i64;
                    if n > 0 && (n as usize) < s.len() {
                        b.push_str(&s[..n as usize]);
                    } else {
                        b.push_str(s);
                    }
                }
                Func::Right(i, size) => {
                    let s = tok(*i);
                    let n = *size as i64;
                    if n > 0 && (n as usize) < s.len() {
                        b.push_str(&s[s.len() - n as usize..]);
                    } else {
                        b.push_str(s);
                    }
                }
                Func::Random(n) => {
                    let v = if *n == 0 {
                        0
                    } else {
                        (rand::random::<u32>() >> 1) % n
                    };
                    b.push_str(&v.to_string());
                }
            }
            if i < last {
                b.push('.');
            }
        }
        if self.dtoks.last().is_some_and(|t| t == ">") {
            let from = self.stoks.len().saturating_sub(1);
            for (k, t) in tokens.iter().enumerate().skip(from) {
                b.push_str(t);
                if k + 1 < tokens.len() {
                    b.push('.');
                }
            }
        }
        b
    }

    /// Go's `reverse`: the transform back from destination to source (imports).
    pub fn reverse(&self) -> Option<SubjectTransform> {
        if self.funcs.is_empty() {
            return Self::strict(&self.dest, &self.src).ok().flatten();
        }
        let (nsrc, mut phs) = untokenize(&self.dest);
        let mut nda = Vec::with_capacity(self.stoks.len());
        for t in &self.stoks {
            if t == "*" {
                if phs.is_empty() {
                    return None;
                }
                nda.push(phs.remove(0));
            } else {
                nda.push(t.clone());
            }
        }
        Self::strict(&nsrc, &nda.join(".")).ok().flatten()
    }
}

/// Go's `getHashPartition`: FNV-1a 32 of the key, modulo the buckets.
fn hash_partition(key: &[u8], buckets: u32) -> String {
    if buckets == 0 {
        return "0".into();
    }
    let mut h: u32 = 0x811c_9dc5;
    for b in key {
        h ^= *b as u32;
        h = h.wrapping_mul(0x0100_0193);
    }
    (h % buckets).to_string()
}

/// Go's `transformTokenize`: `foo.*.*` -> `foo.$1.$2`.
pub fn tokenize(subject: &str) -> String {
    let mut i = 0;
    subject
        .split('.')
        .map(|t| {
            if t == "*" {
                i += 1;
                format!("${i}")
            } else {
                t.to_string()
            }
        })
        .collect::<Vec<_>>()
        .join(".")
}

/// Go's `transformUntokenize`: `foo.$2.$1` -> (`foo.*.*`, [`$2`, `$1`]).
pub fn untokenize(subject: &str) -> (String, Vec<String>) {
    let mut phs = Vec::new();
    let mut nda = Vec::new();
    for t in subject.split('.') {
        let b = t.as_bytes();
        let dollar = b.len() > 1 && b[0] == b'$' && (b'1'..=b'9').contains(&b[1]);
        let wildcard_fn = matches!(function_name(t), Some(("wildcard", args)) if !args.is_empty() && !args.contains(','));
        if dollar || wildcard_fn {
            phs.push(t.to_string());
            nda.push("*".to_string());
        } else {
            nda.push(t.to_string());
        }
    }
    (nda.join("."), phs)
}

/// Go's `ValidateMapping`: the destination's tokens, then the transform itself.
pub fn validate_mapping(src: &str, dest: &str) -> Result<(), TransformError> {
    if dest.is_empty() {
        return Ok(());
    }
    let mut fwc = false;
    for t in dest.split('.') {
        if t.is_empty() || fwc {
            return Err(dest_err(reason::INVALID_TRANSFORM, t));
        }
        let b = t.as_bytes();
        if b.len() > 4 && t.starts_with("{{") && t.ends_with("}}") {
            // Go's list of accepted functions leaves out left and right here.
            match function_name(t) {
                Some((name, _)) if name != "left" && name != "right" => continue,
                _ => return Err(dest_err(reason::UNKNOWN_FUNCTION, t)),
            }
        }
        if t == ">" {
            fwc = true;
        } else if t.contains(['\t', '\n', '\u{c}', '\r', ' ']) {
            return Err(dest_err(reason::INVALID_TRANSFORM, ""));
        }
    }
    SubjectTransform::new(src, dest).map(|_| ())
}
