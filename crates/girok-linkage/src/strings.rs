//! String similarity: Jaro–Winkler and bounded Levenshtein, on chars (Hangul-safe).

/// Jaro–Winkler similarity in [0, 1] (prefix scale 0.1, up to 4 characters).
pub fn jaro_winkler(a: &str, b: &str) -> f64 {
    if a == b {
        return 1.0;
    }
    // Most names are short ASCII: compare bytes in stack buffers, no allocation. Others (Hangul,
    // breves, long text) take the general path over chars.
    if a.is_ascii() && b.is_ascii() && a.len() <= 64 && b.len() <= 64 {
        return jaro_winkler_of(a.as_bytes(), b.as_bytes());
    }
    let a: Vec<char> = a.chars().collect();
    let b: Vec<char> = b.chars().collect();
    jaro_winkler_of(&a, &b)
}

fn jaro_winkler_of<T: PartialEq + Copy>(a: &[T], b: &[T]) -> f64 {
    if a.is_empty() || b.is_empty() {
        return 0.0;
    }
    let window = (a.len().max(b.len()) / 2).saturating_sub(1);
    let mut b_used_small = [false; 64];
    let mut b_used_big = Vec::new();
    let b_used: &mut [bool] = if b.len() <= 64 {
        &mut b_used_small[..b.len()]
    } else {
        b_used_big.resize(b.len(), false);
        &mut b_used_big
    };
    let mut a_used_small = [false; 64];
    let mut a_used_big = Vec::new();
    let a_used: &mut [bool] = if a.len() <= 64 {
        &mut a_used_small[..a.len()]
    } else {
        a_used_big.resize(a.len(), false);
        &mut a_used_big
    };
    let mut m = 0usize;
    for (i, ca) in a.iter().enumerate() {
        let lo = i.saturating_sub(window);
        let hi = (i + window + 1).min(b.len());
        for j in lo..hi {
            if !b_used[j] && b[j] == *ca {
                b_used[j] = true;
                a_used[i] = true;
                m += 1;
                break;
            }
        }
    }
    if m == 0 {
        return 0.0;
    }
    // Matched characters in order on both sides; half the mismatches are transpositions.
    let mut k = 0;
    let mut mismatched = 0;
    for (i, ca) in a.iter().enumerate() {
        if !a_used[i] {
            continue;
        }
        while !b_used[k] {
            k += 1;
        }
        if b[k] != *ca {
            mismatched += 1;
        }
        k += 1;
    }
    let transpositions = mismatched / 2;
    let m = m as f64;
    let jaro = (m / a.len() as f64 + m / b.len() as f64 + (m - transpositions as f64) / m) / 3.0;
    let prefix = a.iter().zip(b).take(4).take_while(|(x, y)| x == y).count() as f64;
    jaro + prefix * 0.1 * (1.0 - jaro)
}

/// Levenshtein distance, or `None` once it exceeds `max` (cheap rejection).
pub fn levenshtein_within(a: &str, b: &str, max: usize) -> Option<usize> {
    // "One edit at most" is what codes and dates ask: a linear scan, no table.
    if max == 1 && a.is_ascii() && b.is_ascii() {
        return within_one_edit(a.as_bytes(), b.as_bytes());
    }
    let a: Vec<char> = a.chars().collect();
    let b: Vec<char> = b.chars().collect();
    if a.len().abs_diff(b.len()) > max {
        return None;
    }
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    let mut cur = vec![0; b.len() + 1];
    for i in 1..=a.len() {
        cur[0] = i;
        let mut row_min = cur[0];
        for j in 1..=b.len() {
            let cost = usize::from(a[i - 1] != b[j - 1]);
            cur[j] = (prev[j] + 1).min(cur[j - 1] + 1).min(prev[j - 1] + cost);
            row_min = row_min.min(cur[j]);
        }
        if row_min > max {
            return None;
        }
        std::mem::swap(&mut prev, &mut cur);
    }
    Some(prev[b.len()]).filter(|&d| d <= max)
}

/// The edit distance of two byte strings if it is 0 or 1.
fn within_one_edit(a: &[u8], b: &[u8]) -> Option<usize> {
    if a == b {
        return Some(0);
    }
    let (short, long) = if a.len() <= b.len() { (a, b) } else { (b, a) };
    if long.len() - short.len() > 1 {
        return None;
    }
    let prefix = short.iter().zip(long).take_while(|(x, y)| x == y).count();
    let ok = if short.len() == long.len() {
        // One substitution: the rest after the first difference agrees.
        short[prefix + 1..] == long[prefix + 1..]
    } else {
        // One insertion into the shorter string.
        short[prefix..] == long[prefix + 1..]
    };
    ok.then_some(1)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn jaro_winkler_reference_values() {
        // Classic examples (Winkler 1990).
        assert!((jaro_winkler("martha", "marhta") - 0.9611).abs() < 1e-3);
        assert!((jaro_winkler("dwayne", "duane") - 0.84).abs() < 1e-3);
        assert!((jaro_winkler("dixon", "dicksonx") - 0.8133).abs() < 1e-3);
        assert_eq!(jaro_winkler("abc", "abc"), 1.0);
        assert_eq!(jaro_winkler("", "abc"), 0.0);
        assert!(jaro_winkler("김철수", "김철호") > 0.8);
    }

    #[test]
    fn levenshtein_bounds() {
        assert_eq!(levenshtein_within("kitten", "sitting", 3), Some(3));
        assert_eq!(levenshtein_within("kitten", "sitting", 2), None);
        assert_eq!(levenshtein_within("19870512", "19870521", 2), Some(2));
    }

    /// The fast paths agree with the general ones on every pair of a small SYNTHETIC alphabet.
    #[test]
    fn fast_paths_agree_with_the_general_algorithms() {
        let words = ["", "a", "ab", "ba", "abc", "acb", "abcd", "abd", "xbc", "abcc", "kim", "kym", "gim", "1987", "1978", "19870512", "19870521"];
        for a in words {
            for b in words {
                let general = {
                    let (ca, cb): (Vec<char>, Vec<char>) = (a.chars().collect(), b.chars().collect());
                    jaro_winkler_of(&ca, &cb)
                };
                if a != b {
                    assert!((jaro_winkler(a, b) - general).abs() < 1e-12, "{a} {b}");
                }
                let dp = levenshtein_within(&format!("{a}é"), &format!("{b}é"), 1);
                assert_eq!(levenshtein_within(a, b, 1), dp, "{a} {b}");
            }
        }
    }
}
