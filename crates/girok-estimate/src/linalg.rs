//! The little dense linear algebra the estimators need: symmetric positive-definite solves.
//!
//! Matrices here are at most a few dozen columns (one per model term), so plain Cholesky in
//! `f64` is both fast and accurate enough; no external BLAS.

/// A square symmetric matrix stored row-major.
#[derive(Clone, Debug)]
pub(crate) struct Sym {
    pub(crate) n: usize,
    pub(crate) a: Vec<f64>,
}

impl Sym {
    pub(crate) fn zeros(n: usize) -> Sym {
        Sym { n, a: vec![0.0; n * n] }
    }

    pub(crate) fn at(&self, i: usize, j: usize) -> f64 {
        self.a[i * self.n + j]
    }

    pub(crate) fn add(&mut self, i: usize, j: usize, v: f64) {
        self.a[i * self.n + j] += v;
    }

    /// Cholesky factor `L` (lower, row-major), or `None` when not positive definite: a pivot
    /// below `1e-10` of its diagonal means the columns are (numerically) dependent.
    pub(crate) fn cholesky(&self) -> Option<Vec<f64>> {
        let n = self.n;
        let mut l = vec![0.0; n * n];
        for i in 0..n {
            for j in 0..=i {
                let mut s = self.at(i, j);
                for k in 0..j {
                    s -= l[i * n + k] * l[j * n + k];
                }
                if i == j {
                    if s <= 1e-10 * self.at(i, i).abs().max(1e-300) {
                        return None;
                    }
                    l[i * n + i] = s.sqrt();
                } else {
                    l[i * n + j] = s / l[j * n + j];
                }
            }
        }
        Some(l)
    }
}

/// Solves `L Lᵀ x = b` given the Cholesky factor.
pub(crate) fn chol_solve(l: &[f64], n: usize, b: &[f64]) -> Vec<f64> {
    let mut y = b.to_vec();
    for i in 0..n {
        for k in 0..i {
            y[i] -= l[i * n + k] * y[k];
        }
        y[i] /= l[i * n + i];
    }
    for i in (0..n).rev() {
        for k in i + 1..n {
            y[i] -= l[k * n + i] * y[k];
        }
        y[i] /= l[i * n + i];
    }
    y
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cholesky_solves_and_detects_singularity() {
        let mut m = Sym::zeros(2);
        m.a = vec![4.0, 2.0, 2.0, 3.0];
        let l = m.cholesky().unwrap();
        let x = chol_solve(&l, 2, &[2.0, 1.0]);
        assert!((4.0 * x[0] + 2.0 * x[1] - 2.0).abs() < 1e-12 && (2.0 * x[0] + 3.0 * x[1] - 1.0).abs() < 1e-12);
        m.a = vec![1.0, 1.0, 1.0, 1.0];
        assert!(m.cholesky().is_none());
    }
}
