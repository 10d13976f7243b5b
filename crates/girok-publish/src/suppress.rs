//! Small-cell suppression for one-way tables with a published total.
//!
//! A count of one or two acts at a place in a year can be enough for a state to find the one
//! person who could have told of them. Cells below the threshold are withheld (primary
//! suppression). If exactly one cell is withheld, the total would give it away by subtraction,
//! so the smallest other non-zero cell is withheld too (secondary suppression); if there is no
//! such cell, the total is withheld. Zeros are shown: they reveal no one.

/// A published cell.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Cell {
    Shown(u64),
    /// Withheld; the true value is below the threshold or was withheld to protect one that is.
    Withheld,
}

/// A table after suppression.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Suppressed {
    pub rows: Vec<(String, Cell)>,
    pub total: Cell,
    /// How many cells were withheld because they were small, and how many to protect them.
    pub primary: usize,
    pub secondary: usize,
}

/// Applies the rule above with threshold `k` (cells with 0 < n < k are withheld). `k` of 0 or 1
/// withholds nothing.
pub fn suppress(rows: &[(String, u64)], k: u64) -> Suppressed {
    let total: u64 = rows.iter().map(|r| r.1).sum();
    let mut cells: Vec<(String, Cell)> = rows.iter().map(|(l, n)| (l.clone(), if *n > 0 && *n < k { Cell::Withheld } else { Cell::Shown(*n) })).collect();
    let primary = cells.iter().filter(|c| c.1 == Cell::Withheld).count();
    let mut secondary = 0;
    let mut total_cell = if total > 0 && total < k { Cell::Withheld } else { Cell::Shown(total) };
    if primary == 1 && total_cell != Cell::Withheld {
        let smallest = cells
            .iter()
            .enumerate()
            .filter_map(|(i, c)| match c.1 {
                Cell::Shown(n) if n > 0 => Some((n, i)),
                _ => None,
            })
            .min();
        match smallest {
            Some((_, i)) => {
                cells[i].1 = Cell::Withheld;
                secondary = 1;
            }
            None => total_cell = Cell::Withheld,
        }
    }
    if total_cell == Cell::Withheld {
        // A withheld total must not be recoverable from the cells either.
        for c in cells.iter_mut() {
            if matches!(c.1, Cell::Shown(n) if n > 0) {
                c.1 = Cell::Withheld;
                secondary += 1;
            }
        }
    }
    Suppressed { rows: cells, total: total_cell, primary, secondary }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rows(v: &[u64]) -> Vec<(String, u64)> {
        v.iter().enumerate().map(|(i, n)| (format!("r{i}"), *n)).collect()
    }

    fn shown(s: &Suppressed) -> Vec<Option<u64>> {
        s.rows
            .iter()
            .map(|c| match c.1 {
                Cell::Shown(n) => Some(n),
                Cell::Withheld => None,
            })
            .collect()
    }

    #[test]
    fn small_cells_are_withheld_and_zeros_shown() {
        let s = suppress(&rows(&[40, 3, 0, 2, 9]), 5);
        assert_eq!(shown(&s), [Some(40), None, Some(0), None, Some(9)]);
        assert_eq!((s.total, s.primary, s.secondary), (Cell::Shown(54), 2, 0));
    }

    #[test]
    fn a_lone_withheld_cell_takes_the_next_smallest_with_it() {
        // With the total published, 54 − 40 − 9 − 2... would give the 3 back.
        let s = suppress(&rows(&[40, 3, 0, 9, 6]), 5);
        assert_eq!(shown(&s), [Some(40), None, Some(0), Some(9), None]);
        assert_eq!((s.primary, s.secondary), (1, 1));
        // No other non-zero cell: the total goes instead.
        let s = suppress(&rows(&[0, 3, 0]), 2);
        assert_eq!(shown(&s), [Some(0), Some(3), Some(0)], "3 ≥ 2 is shown");
        let s = suppress(&rows(&[0, 3, 0]), 5);
        assert_eq!((shown(&s), s.total), (vec![Some(0), None, Some(0)], Cell::Withheld));
    }

    #[test]
    fn a_small_total_withholds_everything_non_zero() {
        let s = suppress(&rows(&[2, 1]), 5);
        assert_eq!((shown(&s), s.total), (vec![None, None], Cell::Withheld));
        let s = suppress(&rows(&[6, 1]), 10);
        assert_eq!((shown(&s), s.total), (vec![None, None], Cell::Withheld), "7 < 10: the 6 would give the 1 away");
    }

    #[test]
    fn no_single_withheld_value_can_be_recovered_from_the_total() {
        // Exhaustive over small tables: whenever the total is shown, the withheld cells are
        // either none or at least two (so subtraction yields only their sum).
        for a in 0..7u64 {
            for b in 0..7u64 {
                for c in 0..7u64 {
                    let s = suppress(&rows(&[a, b, c]), 3);
                    let withheld = s.rows.iter().filter(|r| r.1 == Cell::Withheld).count();
                    if let Cell::Shown(t) = s.total {
                        assert!(withheld != 1, "{a} {b} {c}: one withheld cell with total {t}");
                    }
                    for (i, n) in [a, b, c].into_iter().enumerate() {
                        if n > 0 && n < 3 {
                            assert_eq!(s.rows[i].1, Cell::Withheld, "{a} {b} {c}");
                        }
                    }
                }
            }
        }
    }

    #[test]
    fn threshold_one_withholds_nothing() {
        let s = suppress(&rows(&[1, 2, 0]), 1);
        assert_eq!(shown(&s), [Some(1), Some(2), Some(0)]);
    }
}
