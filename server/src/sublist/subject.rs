//! Subject helpers: tokenizing, validity checks and wildcard-aware comparisons.
//!
//! Subjects are byte strings split on `.`; a token that is exactly `*` matches one token and a
//! token that is exactly `>` (last) matches one or more trailing tokens. `*` or `>` inside a
//! longer token (`foo*`, `>bar`) is an ordinary character. Nothing here allocates.
//!
//! Matches Go's `sublist.go` helpers: `IsValidSubject`, `IsValidPublishSubject`,
//! `IsValidLiteralSubject`, `subjectIsLiteral`, `subjectHasWildcard`, `matchLiteral`,
//! `subjectIsSubsetMatch`, `SubjectsCollide`, `tokenAt`, `numTokens`.

/// Token separator.
pub const TSEP: u8 = b'.';
/// Partial wildcard: matches exactly one token.
pub const PWC: u8 = b'*';
/// Full wildcard: matches one or more trailing tokens.
pub const FWC: u8 = b'>';

/// The queue group name the server keeps for itself; a client may not join it (Go `sysGroup`).
pub const SYS_QUEUE_GROUP: &[u8] = b"_sys_";

/// Iterator over the `.`-separated tokens of a subject, with `split` semantics: `""` yields one
/// empty token and `"a."` yields `"a"` then `""`. It is `Copy`, so a walk can fork cheaply at a
/// wildcard and carry on with the remaining tokens.
#[derive(Clone, Copy, Debug)]
pub struct Tokens<'a> {
    rest: Option<&'a [u8]>,
}

impl<'a> Tokens<'a> {
    /// True when no token is left.
    pub fn is_done(&self) -> bool {
        self.rest.is_none()
    }
}

impl<'a> Iterator for Tokens<'a> {
    type Item = &'a [u8];

    #[inline]
    fn next(&mut self) -> Option<&'a [u8]> {
        let rest = self.rest?;
        match rest.iter().position(|&b| b == TSEP) {
            Some(i) => {
                self.rest = Some(&rest[i + 1..]);
                Some(&rest[..i])
            }
            None => {
                self.rest = None;
                Some(rest)
            }
        }
    }
}

/// Splits a subject into tokens without allocating.
#[inline]
pub fn tokens(subject: &[u8]) -> Tokens<'_> {
    Tokens {
        rest: Some(subject),
    }
}

#[inline]
pub(crate) fn is_pwc(t: &[u8]) -> bool {
    t == [PWC]
}

#[inline]
pub(crate) fn is_fwc(t: &[u8]) -> bool {
    t == [FWC]
}

/// True when no token is empty: not empty, no leading or trailing `.`, no `..`.
/// This is the only shape check Go's `Match` and `HasInterest` make before walking the tree.
#[inline]
pub(crate) fn has_no_empty_tokens(subject: &[u8]) -> bool {
    if subject.is_empty() || subject[0] == TSEP || subject[subject.len() - 1] == TSEP {
        return false;
    }
    !subject.windows(2).any(|w| w == [TSEP, TSEP])
}

/// The rule `Insert` and `Remove` apply: no empty token and nothing after a `>` token.
/// Unlike [`is_valid_subject`] it accepts whitespace, as Go's sublist does.
pub(crate) fn is_valid_sublist_subject(subject: &[u8]) -> bool {
    let mut seen_fwc = false;
    for t in tokens(subject) {
        if t.is_empty() || seen_fwc {
            return false;
        }
        if is_fwc(t) {
            seen_fwc = true;
        }
    }
    true
}

#[inline]
fn is_subject_space(b: u8) -> bool {
    matches!(b, b' ' | b'\t' | b'\n' | b'\r' | 0x0c)
}

/// Go `IsValidSubject`: non-empty tokens, `>` only as the last token, and no space, tab, CR,
/// LF or form feed anywhere. Any other byte is allowed.
pub fn is_valid_subject(subject: &[u8]) -> bool {
    is_valid_subject_checked(subject, false)
}

/// Go `isValidSubject(subject, checkRunes)`. With `check_runes` it also rejects an embedded NUL
/// and anything that does not read as clean UTF-8 (invalid bytes or a U+FFFD replacement
/// character, which Go cannot tell apart), as Go does for subjects read back from disk.
pub fn is_valid_subject_checked(subject: &[u8], check_runes: bool) -> bool {
    if subject.is_empty() {
        return false;
    }
    if check_runes {
        if subject.contains(&0) {
            return false;
        }
        match std::str::from_utf8(subject) {
            Ok(s) if !s.contains('\u{FFFD}') => {}
            _ => return false,
        }
    }
    let mut seen_fwc = false;
    for t in tokens(subject) {
        if t.is_empty() || seen_fwc {
            return false;
        }
        if t.iter().any(|&b| is_subject_space(b)) {
            return false;
        }
        if is_fwc(t) {
            seen_fwc = true;
        }
    }
    true
}

/// Go `IsValidPublishSubject`: valid and free of wildcard tokens.
pub fn is_valid_publish_subject(subject: &[u8]) -> bool {
    is_valid_subject(subject) && subject_is_literal(subject)
}

/// Go `IsValidLiteralSubject`: no empty token and no `*` or `>` token. Whitespace is not
/// checked here, as in Go.
pub fn is_valid_literal_subject(subject: &[u8]) -> bool {
    tokens(subject).all(|t| !t.is_empty() && !is_pwc(t) && !is_fwc(t))
}

/// Go `subjectIsLiteral`: true when no token is exactly `*` or `>`. Fast, does not validate.
pub fn subject_is_literal(subject: &[u8]) -> bool {
    !subject_has_wildcard(subject)
}

/// Go `subjectHasWildcard`: some token is exactly `*` or `>`.
pub fn subject_has_wildcard(subject: &[u8]) -> bool {
    let n = subject.len();
    subject.iter().enumerate().any(|(i, &c)| {
        (c == PWC || c == FWC)
            && (i == 0 || subject[i - 1] == TSEP)
            && (i + 1 == n || subject[i + 1] == TSEP)
    })
}

/// Go `matchLiteral`: does the literal subject `literal` match `subject`, whose `*` and `>`
/// tokens act as wildcards? Used to keep the match cache in step with inserts and removes.
pub fn match_literal(literal: &[u8], subject: &[u8]) -> bool {
    let ll = literal.len();
    let ls = subject.len();
    let mut li = 0;
    let mut i = 0;
    while i < ls {
        if li >= ll {
            return false;
        }
        match subject[i] {
            PWC if i == 0 || subject[i - 1] == TSEP => {
                if i == ls - 1 {
                    // Last token is `*`: the rest of the literal must be one token.
                    return !literal[li..].contains(&TSEP);
                } else if subject[i + 1] == TSEP {
                    // Skip one literal token, stop on its separator, which the common
                    // comparison below then checks against ours.
                    match literal[li..].iter().position(|&b| b == TSEP) {
                        Some(p) => li += p,
                        None => return false,
                    }
                    i += 1;
                }
            }
            FWC if (i == 0 || subject[i - 1] == TSEP) && i == ls - 1 => return true,
            _ => {}
        }
        if subject[i] != literal[li] {
            return false;
        }
        li += 1;
        i += 1;
    }
    li >= ll
}

/// Go `SubjectMatchesFilter`: is `subject` (which may hold wildcards) covered by `filter`?
pub fn subject_matches_filter(subject: &[u8], filter: &[u8]) -> bool {
    is_subset_match(subject, filter)
}

/// Go `subjectIsSubsetMatch`: is every subject matched by `subject` also matched by `test`?
/// `foo.*` is a subset of `>`, `*.*` and `foo.*`, but not of `foo.bar`.
///
/// As in Go, a `test` token that merely starts with `*` matches any literal token; callers
/// only pass valid filters, where such tokens do not occur as wildcards.
pub fn is_subset_match(subject: &[u8], test: &[u8]) -> bool {
    is_subset_match_tokens(tokens(subject), tokens(test))
}

/// Go `isSubsetMatchTokenized`, walking both token lists in step.
pub(crate) fn is_subset_match_tokens(mut toks: Tokens<'_>, test: Tokens<'_>) -> bool {
    for t2 in test {
        let Some(t1) = toks.next() else {
            return false;
        };
        if t2.is_empty() {
            return false;
        }
        if is_fwc(t2) {
            return true;
        }
        if t1.is_empty() || is_fwc(t1) {
            return false;
        }
        if is_pwc(t1) {
            if !is_pwc(t2) {
                return false;
            }
            continue;
        }
        if t2[0] != PWC && t1 != t2 {
            return false;
        }
    }
    toks.is_done()
}

/// Wildcard content of a subject, as Go's `analyzeTokens` reports it.
fn analyze(subject: &[u8]) -> (bool, bool, usize) {
    let (mut pwc, mut fwc, mut n) = (false, false, 0);
    for t in tokens(subject) {
        n += 1;
        pwc |= is_pwc(t);
        fwc |= is_fwc(t);
    }
    (pwc, fwc, n)
}

fn tokens_can_match(t1: &[u8], t2: &[u8]) -> bool {
    match (t1.first(), t2.first()) {
        (Some(&a), Some(&b)) => a == PWC || b == PWC || a == FWC || b == FWC || t1 == t2,
        _ => false,
    }
}

/// Go `SubjectsCollide`: could some literal subject match both `subj1` and `subj2`?
pub fn subjects_collide(subj1: &[u8], subj2: &[u8]) -> bool {
    if subj1 == subj2 {
        return true;
    }
    let (pwc1, fwc1, len1) = analyze(subj1);
    let (pwc2, fwc2, len2) = analyze(subj2);
    let lit1 = !(pwc1 || fwc1);
    let lit2 = !(pwc2 || fwc2);
    match (lit1, lit2) {
        // Both literal and not equal.
        (true, true) => return false,
        (true, false) => return is_subset_match_tokens(tokens(subj1), tokens(subj2)),
        (false, true) => return is_subset_match_tokens(tokens(subj2), tokens(subj1)),
        (false, false) => {}
    }
    if !fwc1 && !fwc2 && len1 != len2 {
        return false;
    }
    // A shorter subject without `>` cannot reach the longer one's extra tokens.
    if (len1 < len2 && !fwc1) || (len2 < len1 && !fwc2) {
        return false;
    }
    tokens(subj1)
        .zip(tokens(subj2))
        .all(|(a, b)| tokens_can_match(a, b))
}

/// Go `numTokens`: number of tokens, 0 for an empty subject.
pub fn num_tokens(subject: &[u8]) -> usize {
    if subject.is_empty() {
        return 0;
    }
    subject.iter().filter(|&&b| b == TSEP).count() + 1
}

/// Go `tokenAt`: the token at a one-based `index`, or `""` when out of range (index 0 too).
pub fn token_at(subject: &[u8], index: u8) -> &[u8] {
    if index == 0 {
        return &[];
    }
    tokens(subject).nth(usize::from(index) - 1).unwrap_or(&[])
}

/// A queue group name as the client protocol can carry it: non-empty and free of the
/// separators the argument splitter uses (space, tab, CR, LF). Go's `processSub` checks no
/// more than that shape, plus [`is_reserved_queue_name`] for client connections.
pub fn is_valid_queue_name(queue: &[u8]) -> bool {
    !queue.is_empty()
        && !queue
            .iter()
            .any(|&b| matches!(b, b' ' | b'\t' | b'\r' | b'\n'))
}

/// The queue group Go reserves for the server (`_sys_`); a client joining it is a
/// subscription permissions violation.
pub fn is_reserved_queue_name(queue: &[u8]) -> bool {
    queue == SYS_QUEUE_GROUP
}
