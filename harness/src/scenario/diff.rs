//! A unified diff of two transcripts (lines), the way `diff -u` shows it: `---`/`+++` headers, hunks
//! with three lines of context. Common prefix and suffix are trimmed first, then the middle is aligned
//! by a longest common subsequence; a middle too large for that is shown as one replacement.

/// Cells of the LCS table allowed before falling back to a plain replacement.
const MAX_CELLS: usize = 4_000_000;
const CONTEXT: usize = 3;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Op {
    Same,
    Del,
    Add,
}

/// The edit script turning `a` into `b`, as (op, index in a or b).
fn script(a: &[String], b: &[String]) -> Vec<(Op, usize)> {
    let pre = a.iter().zip(b).take_while(|(x, y)| x == y).count();
    let suf = a[pre..]
        .iter()
        .rev()
        .zip(b[pre..].iter().rev())
        .take_while(|(x, y)| x == y)
        .count();
    let (am, bm) = (&a[pre..a.len() - suf], &b[pre..b.len() - suf]);
    let mut ops: Vec<(Op, usize)> = (0..pre).map(|i| (Op::Same, i)).collect();
    if am.len().saturating_mul(bm.len()) > MAX_CELLS {
        ops.extend((0..am.len()).map(|i| (Op::Del, pre + i)));
        ops.extend((0..bm.len()).map(|j| (Op::Add, pre + j)));
    } else {
        // lcs[i][j] = LCS length of am[i..] and bm[j..].
        let w = bm.len() + 1;
        let mut lcs = vec![0u32; (am.len() + 1) * w];
        for i in (0..am.len()).rev() {
            for j in (0..bm.len()).rev() {
                lcs[i * w + j] = if am[i] == bm[j] {
                    lcs[(i + 1) * w + j + 1] + 1
                } else {
                    lcs[(i + 1) * w + j].max(lcs[i * w + j + 1])
                };
            }
        }
        let (mut i, mut j) = (0, 0);
        while i < am.len() || j < bm.len() {
            if i < am.len() && j < bm.len() && am[i] == bm[j] {
                ops.push((Op::Same, pre + i));
                i += 1;
                j += 1;
            } else if i < am.len() && (j == bm.len() || lcs[(i + 1) * w + j] >= lcs[i * w + j + 1])
            {
                // Deletions first on a tie, as `diff -u` shows them.
                ops.push((Op::Del, pre + i));
                i += 1;
            } else {
                ops.push((Op::Add, pre + j));
                j += 1;
            }
        }
    }
    ops.extend((0..suf).map(|k| (Op::Same, a.len() - suf + k)));
    ops
}

/// `diff -u`-style text, empty when the two are equal.
pub fn unified(a: &[String], b: &[String], a_name: &str, b_name: &str) -> String {
    if a == b {
        return String::new();
    }
    let ops = script(a, b);
    // Positions (in a and in b) before each op.
    let mut pos = Vec::with_capacity(ops.len());
    let (mut ia, mut ib) = (0usize, 0usize);
    for (op, _) in &ops {
        pos.push((ia, ib));
        match op {
            Op::Same => {
                ia += 1;
                ib += 1;
            }
            Op::Del => ia += 1,
            Op::Add => ib += 1,
        }
    }
    let changed: Vec<usize> = (0..ops.len()).filter(|k| ops[*k].0 != Op::Same).collect();
    let mut out = format!("--- {a_name}\n+++ {b_name}\n");
    let mut k = 0;
    while k < changed.len() {
        let start = changed[k].saturating_sub(CONTEXT);
        let mut end = changed[k] + 1;
        while k < changed.len() && changed[k] <= end + 2 * CONTEXT {
            end = changed[k] + 1;
            k += 1;
        }
        let end = (end + CONTEXT).min(ops.len());
        let (sa, sb) = pos[start];
        let la = ops[start..end].iter().filter(|o| o.0 != Op::Add).count();
        let lb = ops[start..end].iter().filter(|o| o.0 != Op::Del).count();
        let from = |s: usize, l: usize| if l == 0 { s } else { s + 1 };
        out.push_str(&format!(
            "@@ -{},{la} +{},{lb} @@\n",
            from(sa, la),
            from(sb, lb)
        ));
        for (op, idx) in &ops[start..end] {
            let (mark, line) = match op {
                Op::Same => (' ', &a[*idx]),
                Op::Del => ('-', &a[*idx]),
                Op::Add => ('+', &b[*idx]),
            };
            out.push(mark);
            out.push_str(line);
            out.push('\n');
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn v(s: &str) -> Vec<String> {
        s.split_whitespace().map(str::to_string).collect()
    }

    #[test]
    fn equal_is_empty() {
        assert_eq!(unified(&v("a b"), &v("a b"), "x", "y"), "");
    }

    #[test]
    fn one_change_with_context() {
        let d = unified(&v("1 2 3 4 5 6 7 8"), &v("1 2 3 4 X 6 7 8"), "go", "rnats");
        assert_eq!(
            d,
            "--- go\n+++ rnats\n@@ -2,7 +2,7 @@\n 2\n 3\n 4\n-5\n+X\n 6\n 7\n 8\n"
        );
    }

    #[test]
    fn insert_delete_and_separate_hunks() {
        let a = v("a b c d e f g h i j k l m n o p");
        let mut b = a.clone();
        b.remove(1);
        b.insert(13, "Z".into());
        let d = unified(&a, &b, "go", "rnats");
        assert_eq!(d.matches("@@ -").count(), 2, "{d}");
        assert!(d.contains("\n-b\n") && d.contains("\n+Z\n"), "{d}");
        // Only additions at the end, and everything removed.
        let d = unified(&v("a"), &v("a b"), "go", "rnats");
        assert_eq!(d, "--- go\n+++ rnats\n@@ -1,1 +1,2 @@\n a\n+b\n");
        let d = unified(&v("a b"), &[], "go", "rnats");
        assert_eq!(d, "--- go\n+++ rnats\n@@ -1,2 +0,0 @@\n-a\n-b\n");
    }
}
