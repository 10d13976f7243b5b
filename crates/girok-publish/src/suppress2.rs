//! Small-cell suppression for two-way tables (act type × year, province × year) published
//! with their row, column and grand totals, so that no withheld cell can be worked out from
//! the margins.
//!
//! Why the one-way rule is not enough: with both margins published, a withheld cell alone in
//! its row is recovered from the row total, and two withheld cells sharing a row but each alone
//! in its column are recovered from the column totals. The exact condition: write the table
//! with its margins as an (R+1)×(C+1) array in which every row and every column sums to zero
//! (margins negated, the grand total positive). The withheld entries are edges of a bipartite
//! graph between rows and columns; the published entries fix every withheld value that lies on
//! no cycle of that graph (a bridge), and leave every value on a cycle free to move by one in
//! either direction along it (all withheld entries are at least 1, so the move stays
//! non-negative). So: primary suppression withholds the small cells and small margins;
//! secondary suppression, while some withheld entry is a bridge, closes a cycle through it along
//! the cheapest path of further entries (already withheld ones free, zeros never: a zero
//! reveals no one and cannot move down). A brute-force check over small tables in the tests
//! confirms that no withheld value is determined.

use crate::suppress::Cell;

/// A two-way table after suppression: cells by row and column, and the margins.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Suppressed2 {
    pub cells: Vec<Vec<Cell>>,
    pub row_totals: Vec<Cell>,
    pub col_totals: Vec<Cell>,
    pub total: Cell,
    pub primary: usize,
    pub secondary: usize,
}

/// Applies the rule with threshold `k` (0 < n < k withheld) to `counts[row][col]`.
pub fn suppress2(counts: &[Vec<u64>], k: u64) -> Suppressed2 {
    let r = counts.len();
    let c = counts.first().map(|row| row.len()).unwrap_or(0);
    // The extended array: cells, row totals in column c, column totals in row r, grand total.
    let mut ext = vec![vec![0u64; c + 1]; r + 1];
    for i in 0..r {
        for j in 0..c {
            ext[i][j] = counts[i][j];
            ext[i][c] += counts[i][j];
            ext[r][j] += counts[i][j];
            ext[r][c] += counts[i][j];
        }
    }
    let small = |n: u64| n > 0 && n < k;
    let mut withheld = vec![vec![false; c + 1]; r + 1];
    let mut primary = 0;
    for i in 0..=r {
        for j in 0..=c {
            if small(ext[i][j]) {
                withheld[i][j] = true;
                primary += 1;
            }
        }
    }
    let mut secondary = 0;
    while let Some((i, j)) = first_bridge(&withheld) {
        match cheapest_cycle(&ext, &withheld, i, j) {
            Some(path) => {
                for (a, b) in path {
                    if !withheld[a][b] {
                        withheld[a][b] = true;
                        secondary += 1;
                    }
                }
            }
            // No cycle can be closed without zeros: withhold every non-zero entry (the table
            // then says nothing, which is safe).
            None => {
                for a in 0..=r {
                    for b in 0..=c {
                        if ext[a][b] > 0 && !withheld[a][b] {
                            withheld[a][b] = true;
                            secondary += 1;
                        }
                    }
                }
                break;
            }
        }
    }
    let cell = |i: usize, j: usize| if withheld[i][j] { Cell::Withheld } else { Cell::Shown(ext[i][j]) };
    Suppressed2 {
        cells: (0..r).map(|i| (0..c).map(|j| cell(i, j)).collect()).collect(),
        row_totals: (0..r).map(|i| cell(i, c)).collect(),
        col_totals: (0..c).map(|j| cell(r, j)).collect(),
        total: cell(r, c),
        primary,
        secondary,
    }
}

/// A withheld entry that lies on no cycle of withheld entries, if any (in row-major order, so
/// the result is deterministic).
fn first_bridge(w: &[Vec<bool>]) -> Option<(usize, usize)> {
    let (rows, cols) = (w.len(), w[0].len());
    for i in 0..rows {
        for j in 0..cols {
            if w[i][j] && !connected_without(w, i, j) {
                return Some((i, j));
            }
        }
    }
    None
}

/// Whether row `i` and column `j` are joined by withheld entries other than (i, j).
fn connected_without(w: &[Vec<bool>], i: usize, j: usize) -> bool {
    let (rows, cols) = (w.len(), w[0].len());
    // Nodes: rows 0..rows, columns rows..rows+cols.
    let mut seen = vec![false; rows + cols];
    let mut stack = vec![i];
    seen[i] = true;
    while let Some(n) = stack.pop() {
        if n == rows + j {
            return true;
        }
        let next: Vec<usize> = if n < rows {
            (0..cols).filter(|&b| w[n][b] && (n, b) != (i, j)).map(|b| rows + b).collect()
        } else {
            let b = n - rows;
            (0..rows).filter(|&a| w[a][b] && (a, b) != (i, j)).collect()
        };
        for m in next {
            if !seen[m] {
                seen[m] = true;
                stack.push(m);
            }
        }
    }
    false
}

/// The cheapest path of entries from column `j` back to row `i` avoiding (i, j): withheld
/// entries cost nothing, published ones their value (so small cells go first), zeros are not
/// usable. Dijkstra over the dense bipartite graph; ties broken by position.
fn cheapest_cycle(ext: &[Vec<u64>], w: &[Vec<bool>], i: usize, j: usize) -> Option<Vec<(usize, usize)>> {
    let (rows, cols) = (ext.len(), ext[0].len());
    let n = rows + cols;
    let cost = |a: usize, b: usize| -> Option<u64> {
        if (a, b) == (i, j) || ext[a][b] == 0 {
            None
        } else if w[a][b] {
            Some(0)
        } else {
            Some(ext[a][b])
        }
    };
    let mut dist = vec![u64::MAX; n];
    let mut prev: Vec<Option<usize>> = vec![None; n];
    let mut done = vec![false; n];
    let start = rows + j;
    dist[start] = 0;
    while let Some(u) = (0..n).filter(|&x| !done[x] && dist[x] != u64::MAX).min_by_key(|&x| (dist[x], x)) {
        done[u] = true;
        if u == i {
            break;
        }
        let edges: Vec<(usize, u64)> = if u < rows {
            (0..cols).filter_map(|b| cost(u, b).map(|c| (rows + b, c))).collect()
        } else {
            let b = u - rows;
            (0..rows).filter_map(|a| cost(a, b).map(|c| (a, c))).collect()
        };
        for (v, c) in edges {
            let d = dist[u].saturating_add(c);
            if d < dist[v] {
                dist[v] = d;
                prev[v] = Some(u);
            }
        }
    }
    if dist[i] == u64::MAX {
        return None;
    }
    let mut path = Vec::new();
    let mut v = i;
    while let Some(u) = prev[v] {
        path.push(if v < rows { (v, u - rows) } else { (u, v - rows) });
        v = u;
    }
    Some(path)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Whether each withheld entry is determined by what is published, by linear algebra (an
    /// independent check of the graph argument): the unknowns are the withheld cells and
    /// margins, the equations say that each row and column adds up to its total and the totals
    /// to the grand total; an unknown is determined exactly when its column of the system is
    /// not a combination of the others (rank drops when it is removed).
    fn determined(s: &Suppressed2) -> Vec<(usize, usize)> {
        let r = s.cells.len();
        let c = s.cells[0].len();
        let entry = |i: usize, j: usize| -> Cell {
            match (i == r, j == c) {
                (false, false) => s.cells[i][j],
                (false, true) => s.row_totals[i],
                (true, false) => s.col_totals[j],
                (true, true) => s.total,
            }
        };
        let unknowns: Vec<(usize, usize)> = (0..=r).flat_map(|i| (0..=c).map(move |j| (i, j))).filter(|&(i, j)| entry(i, j) == Cell::Withheld).collect();
        // One equation per extended row and per extended column (each sums to zero, margins negated).
        let mut rows: Vec<Vec<f64>> = Vec::new();
        for i in 0..=r {
            rows.push(
                unknowns
                    .iter()
                    .map(|&(a, b)| {
                        if a == i {
                            if (a == r) != (b == c) {
                                -1.0
                            } else {
                                1.0
                            }
                        } else {
                            0.0
                        }
                    })
                    .collect(),
            );
        }
        for j in 0..=c {
            rows.push(
                unknowns
                    .iter()
                    .map(|&(a, b)| {
                        if b == j {
                            if (a == r) != (b == c) {
                                -1.0
                            } else {
                                1.0
                            }
                        } else {
                            0.0
                        }
                    })
                    .collect(),
            );
        }
        let rank = |skip: Option<usize>| -> usize {
            let mut m: Vec<Vec<f64>> = rows.iter().map(|row| row.iter().enumerate().filter(|(k, _)| Some(*k) != skip).map(|(_, x)| *x).collect()).collect();
            let cols = m.first().map(|x| x.len()).unwrap_or(0);
            let mut rank = 0;
            for col in 0..cols {
                let Some(p) = (rank..m.len()).find(|&x| m[x][col].abs() > 1e-9) else { continue };
                m.swap(rank, p);
                for x in 0..m.len() {
                    if x != rank && m[x][col].abs() > 1e-9 {
                        let f = m[x][col] / m[rank][col];
                        let pivot = m[rank].clone();
                        for (v, p) in m[x].iter_mut().zip(&pivot) {
                            *v -= f * p;
                        }
                    }
                }
                rank += 1;
            }
            rank
        };
        let full = rank(None);
        (0..unknowns.len()).filter(|&k| rank(Some(k)) < full).map(|k| unknowns[k]).collect()
    }

    #[test]
    fn a_lone_small_cell_takes_a_rectangle_with_it() {
        let s = suppress2(&[vec![20, 2, 30], vec![25, 40, 35]], 5);
        let withheld: usize = s.cells.iter().flatten().filter(|c| **c == Cell::Withheld).count();
        assert_eq!(s.cells[0][1], Cell::Withheld);
        assert!(withheld >= 4, "a cycle in a two-way table needs four cells: {s:?}");
        assert_eq!((s.primary, s.secondary), (1, 3));
        assert_eq!(s.total, Cell::Shown(152));
    }

    #[test]
    fn nothing_small_nothing_withheld() {
        let s = suppress2(&[vec![20, 0, 30], vec![25, 40, 35]], 5);
        assert!(s.cells.iter().flatten().all(|c| matches!(c, Cell::Shown(_))));
        assert_eq!(s.secondary, 0);
    }

    /// Exhaustive over 2×2 and 2×3 tables with cells in {0, 1, 2, 3, 6} and 3×3 tables with
    /// cells in {0, 1, 5}: every small cell and margin is withheld, no withheld entry is
    /// determined by what is published, and every withheld entry is at least 1 (so it can move).
    #[test]
    fn no_withheld_cell_can_be_recovered_from_the_margins() {
        for (rows, cols, values) in [(2usize, 2usize, &[0u64, 1, 2, 3, 6][..]), (2, 3, &[0, 1, 2, 3, 6][..]), (3, 3, &[0, 1, 5][..])] {
            let cells = rows * cols;
            let mut idx = vec![0usize; cells];
            loop {
                let t: Vec<Vec<u64>> = (0..rows).map(|i| (0..cols).map(|j| values[idx[i * cols + j]]).collect()).collect();
                let s = suppress2(&t, 3);
                for i in 0..rows {
                    for j in 0..cols {
                        if t[i][j] > 0 && t[i][j] < 3 {
                            assert_eq!(s.cells[i][j], Cell::Withheld, "{t:?}");
                        }
                        if s.cells[i][j] == Cell::Withheld {
                            assert!(t[i][j] > 0, "{t:?}: a withheld zero cannot move down");
                        }
                    }
                }
                for m in s.row_totals.iter().chain(&s.col_totals).chain([&s.total]) {
                    assert!(!matches!(m, Cell::Shown(n) if *n > 0 && *n < 3), "{t:?}: {s:?}");
                }
                let fixed = determined(&s);
                assert!(fixed.is_empty(), "{t:?}: entries {fixed:?} are determined by {s:?}");
                let mut k = 0;
                while k < cells {
                    idx[k] += 1;
                    if idx[k] < values.len() {
                        break;
                    }
                    idx[k] = 0;
                    k += 1;
                }
                if k == cells {
                    break;
                }
            }
        }
    }

    #[test]
    fn the_check_itself_catches_a_lone_withheld_cell() {
        let s = Suppressed2 {
            cells: vec![vec![Cell::Shown(20), Cell::Withheld], vec![Cell::Shown(5), Cell::Shown(9)]],
            row_totals: vec![Cell::Shown(22), Cell::Shown(14)],
            col_totals: vec![Cell::Shown(25), Cell::Shown(11)],
            total: Cell::Shown(36),
            primary: 1,
            secondary: 0,
        };
        assert_eq!(determined(&s), [(0, 1)]);
    }
}
