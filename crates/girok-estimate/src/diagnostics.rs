//! Convergence diagnostics for MCMC draws and small summary helpers.
//!
//! Split R-hat and effective sample size as in Gelman et al., *Bayesian Data Analysis* (3rd ed.),
//! section 11.4–11.5: each chain is cut in half, so a chain that drifts disagrees with itself.

/// `(split R-hat, effective sample size)` over chains of equal length.
pub fn split_rhat_ess(chains: &[Vec<f64>]) -> (f64, f64) {
    let half = chains.iter().map(|c| c.len() / 2).min().unwrap_or(0);
    if half < 2 {
        return (f64::NAN, 0.0);
    }
    let splits: Vec<&[f64]> = chains.iter().flat_map(|c| [&c[..half], &c[c.len() - half..]]).collect();
    let m = splits.len() as f64;
    let n = half as f64;
    let means: Vec<f64> = splits.iter().map(|s| s.iter().sum::<f64>() / n).collect();
    let grand = means.iter().sum::<f64>() / m;
    let b = n / (m - 1.0) * means.iter().map(|x| (x - grand).powi(2)).sum::<f64>();
    let vars: Vec<f64> = splits.iter().zip(&means).map(|(s, mu)| s.iter().map(|x| (x - mu).powi(2)).sum::<f64>() / (n - 1.0)).collect();
    let w = vars.iter().sum::<f64>() / m;
    if w <= 0.0 {
        return (if b > 0.0 { f64::INFINITY } else { 1.0 }, m * n);
    }
    let var_plus = (n - 1.0) / n * w + b / n;
    let rhat = (var_plus / w).sqrt();
    // Effective sample size from the averaged autocorrelations (Geyer's initial positive sequence).
    let mut rho_sum = 0.0;
    let mut t = 1;
    while t < half {
        let mut acov = 0.0;
        for (s, mu) in splits.iter().zip(&means) {
            let mut a = 0.0;
            for i in 0..half - t {
                a += (s[i] - mu) * (s[i + t] - mu);
            }
            acov += a / n;
        }
        acov /= m;
        let rho = 1.0 - (w - acov) / var_plus;
        if rho < 0.0 {
            break;
        }
        rho_sum += rho;
        t += 1;
    }
    let ess = m * n / (1.0 + 2.0 * rho_sum);
    (rhat, ess)
}

/// Quantile of sorted draws, linear interpolation (R's type 7).
pub fn quantile_sorted(sorted: &[u64], q: f64) -> f64 {
    if sorted.is_empty() {
        return f64::NAN;
    }
    let h = (sorted.len() - 1) as f64 * q;
    let lo = h.floor() as usize;
    let hi = h.ceil() as usize;
    sorted[lo] as f64 + (h - lo as f64) * (sorted[hi] as f64 - sorted[lo] as f64)
}

pub fn median_u64(xs: &[u64]) -> f64 {
    let mut v = xs.to_vec();
    v.sort_unstable();
    quantile_sorted(&v, 0.5)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rhat_is_one_for_agreeing_chains_and_large_for_disagreeing() {
        let a: Vec<f64> = (0..1000).map(|i| ((i * 7919) % 1000) as f64).collect();
        let b: Vec<f64> = (0..1000).map(|i| ((i * 104729) % 1000) as f64).collect();
        let (r, ess) = split_rhat_ess(&[a.clone(), b]);
        assert!((r - 1.0).abs() < 0.01, "{r}");
        assert!(ess > 500.0, "{ess}");
        let c: Vec<f64> = a.iter().map(|x| x + 5000.0).collect();
        let (r, _) = split_rhat_ess(&[a, c]);
        assert!(r > 2.0, "{r}");
    }

    #[test]
    fn quantiles_interpolate_like_r() {
        assert_eq!(quantile_sorted(&[1, 2, 3, 4], 0.5), 2.5);
        assert_eq!(quantile_sorted(&[10, 20, 30], 0.5), 20.0);
    }
}
