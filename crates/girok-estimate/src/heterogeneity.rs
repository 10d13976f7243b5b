//! Signs in a capture table that the people no list recorded are harder to reach than the rest,
//! or that lists depend on each other: the case where every method underestimates, and where
//! methods agreeing with one another says nothing about whether they are right.
//!
//! Two checks, both against independent lists with equal capture chances (the main-effects
//! log-linear model): the goodness of fit of that model (G², the deviance, against χ² on its
//! degrees of freedom), and whether more people are on every list than independent lists would
//! put there, the signature of heterogeneity that lists share (some victims easy for every
//! organisation to find, others hard). See Chao et al. (2001), "The applications of
//! capture-recapture models to epidemiological data", Stat. Med. 20, for why shared
//! heterogeneity biases every independence-based estimate downward.

use crate::loglinear::{estimate, Model};
use crate::Table;

/// What the checks found.
#[derive(Clone, Debug, PartialEq)]
pub struct Signals {
    /// Deviance of independent lists, its degrees of freedom and the χ² upper-tail p-value.
    pub g2: f64,
    pub df: i64,
    pub p_value: f64,
    /// People on every list, and how many independent lists would put there.
    pub on_every_list: u64,
    pub on_every_list_expected: f64,
    /// The signs, in words; empty when the data show none (which does not prove their absence).
    pub warnings: Vec<String>,
}

/// Runs the checks; `None` for two lists (independence then fits any table exactly, so the data
/// cannot show dependence or heterogeneity) or when independence cannot be fitted.
pub fn check(table: &Table) -> Option<Signals> {
    let k = table.n_lists();
    if k < 3 {
        return None;
    }
    let fit = estimate(table, &Model::independence(k)).ok()?.fit;
    if fit.df <= 0 {
        return None;
    }
    let p_value = chi2_upper(fit.deviance.max(0.0), fit.df as f64);
    let all = (1usize << k) - 1;
    let on_every_list = table.count(all);
    // The independence fit keeps every observed cell, in mask order 1..2^k.
    let on_every_list_expected = fit.fitted.get(all - 1).copied().unwrap_or(f64::NAN);
    let mut warnings = Vec::new();
    if p_value < 0.05 {
        warnings.push(format!(
            "the overlaps between lists do not fit independent lists (G² = {:.1} on {} df, p {}): some lists depend on each other, or victims differ in how likely they are to be recorded; if the victims that are hard to find are hard for every list, every method here underestimates",
            fit.deviance,
            fit.df,
            if p_value < 0.001 { "< 0.001".to_string() } else { format!("= {p_value:.3}") }
        ));
        // More on every list than chance allows: a Poisson excess of two standard deviations.
        let excess = (on_every_list as f64 - on_every_list_expected) / on_every_list_expected.max(1.0).sqrt();
        if excess > 2.0 && on_every_list >= 5 {
            warnings.push(format!(
                "{on_every_list} victims are on every list where independent lists would put {on_every_list_expected:.0}: a sign that some victims are easy for every organisation to find and others hard; estimate by stratum of what drives documentation (province, sex, age group, year), or add a list that reaches other people"
            ));
        }
    }
    Some(Signals { g2: fit.deviance, df: fit.df, p_value, on_every_list, on_every_list_expected, warnings })
}

/// What to say when several methods agree: agreement is not evidence, since heterogeneity that
/// every list shares moves every method the same way.
pub const AGREEMENT_IS_NOT_EVIDENCE: &str =
    "the methods agree, which is not evidence that they are right: victims whom every list is unlikely to reach bias every method downward alike";

/// P(χ²_df > x): the regularized upper incomplete gamma Q(df/2, x/2).
pub fn chi2_upper(x: f64, df: f64) -> f64 {
    gamma_q(df / 2.0, x / 2.0)
}

/// Q(a, x) by its series for x < a + 1, else by Lentz's continued fraction.
fn gamma_q(a: f64, x: f64) -> f64 {
    if x <= 0.0 {
        return 1.0;
    }
    let ln_prefix = a * x.ln() - x - libm::lgamma(a);
    if x < a + 1.0 {
        // P(a, x) = e^{-x} x^a / Γ(a+1) · Σ x^n / ((a+1)…(a+n)).
        let (mut term, mut sum, mut ap) = (1.0 / a, 1.0 / a, a);
        for _ in 0..1000 {
            ap += 1.0;
            term *= x / ap;
            sum += term;
            if term.abs() < sum.abs() * 1e-15 {
                break;
            }
        }
        (1.0 - sum * ln_prefix.exp()).clamp(0.0, 1.0)
    } else {
        let tiny = 1e-300;
        let mut b = x + 1.0 - a;
        let mut c = 1.0 / tiny;
        let mut d = 1.0 / b;
        let mut h = d;
        for i in 1..1000 {
            let an = -(i as f64) * (i as f64 - a);
            b += 2.0;
            d = an * d + b;
            if d.abs() < tiny {
                d = tiny;
            }
            c = b + an / c;
            if c.abs() < tiny {
                c = tiny;
            }
            d = 1.0 / d;
            let delta = d * c;
            h *= delta;
            if (delta - 1.0).abs() < 1e-15 {
                break;
            }
        }
        (ln_prefix.exp() * h).clamp(0.0, 1.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Expected capture-pattern counts of a SYNTHETIC population: classes of (size, capture
    /// probability per list).
    fn table(classes: &[(f64, [f64; 4])]) -> Table {
        let counts: Vec<u64> = (0..16usize)
            .map(|mask| {
                let expected: f64 =
                    classes.iter().map(|(n, p)| n * (0..4).map(|l| if mask & (1 << l) != 0 { p[l] } else { 1.0 - p[l] }).product::<f64>()).sum();
                if mask == 0 {
                    0
                } else {
                    expected.round() as u64
                }
            })
            .collect();
        Table::new((1..=4).map(|i| format!("list {i}")).collect(), counts)
    }

    #[test]
    fn chi_square_tail_matches_known_values() {
        // Reference values of the χ² upper tail (e.g. R's pchisq(x, df, lower.tail = FALSE)).
        assert!((chi2_upper(3.841459, 1.0) - 0.05).abs() < 1e-6);
        assert!((chi2_upper(18.307038, 10.0) - 0.05).abs() < 1e-6);
        assert!((chi2_upper(2.0, 4.0) - 0.7357589).abs() < 1e-6);
        assert!((chi2_upper(50.0, 11.0) - 6.0e-7).abs() < 1e-7);
        assert_eq!(chi2_upper(0.0, 3.0), 1.0);
    }

    #[test]
    fn shared_heterogeneity_is_flagged_and_independent_lists_are_not() {
        // Two hidden classes, one hard for every list to reach (true N = 2,000).
        let hidden = table(&[(1000.0, [0.6, 0.5, 0.55, 0.5]), (1000.0, [0.08, 0.06, 0.07, 0.05])]);
        let s = check(&hidden).unwrap();
        assert!(s.p_value < 0.001, "{s:?}");
        assert!(s.on_every_list as f64 > 1.3 * s.on_every_list_expected, "{s:?}");
        assert_eq!(s.warnings.len(), 2, "{:?}", s.warnings);
        assert!(s.warnings[0].contains("underestimates"));
        // Homogeneous, independent lists: no sign.
        let plain = table(&[(2000.0, [0.3, 0.25, 0.35, 0.2])]);
        let s = check(&plain).unwrap();
        assert!(s.p_value > 0.2 && s.warnings.is_empty(), "{s:?}");
        // Two lists cannot show it.
        assert!(check(&Table::new(vec!["a".into(), "b".into()], vec![0, 30, 40, 10])).is_none());
    }
}
