//! Capture-pattern tables: how many people appear on exactly each combination of lists.
//!
//! Cells are indexed by a bitmask with bit `j` set when list `j` (0-based, in column order)
//! records the person. Cell 0, "on no list", is what estimation is about and is never observed.

use std::fmt;

/// A validated capture-pattern table.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Table {
    lists: Vec<String>,
    /// `counts[mask]`; `counts[0]` is always 0.
    counts: Vec<u64>,
}

/// Why a table was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TableError {
    #[error("{file}: the table is empty")]
    Empty { file: String },
    #[error("{file}: the header needs one column per list and a final `count` column (found {found:?})")]
    Header { file: String, found: String },
    #[error("{file}: {n} lists; estimation needs 2 to {max}")]
    ListCount { file: String, n: usize, max: usize },
    #[error("{file}: row {row}: {message}")]
    Row { file: String, row: usize, message: String },
}

/// Largest number of lists accepted (2^12 cells).
pub const MAX_LISTS: usize = 12;

/// Said when nobody is on two lists.
pub const NO_OVERLAP: &str =
    "nobody is recorded on more than one list: estimates from capture–recapture rest on the overlap between lists, and without any they are meaningless";

impl Table {
    /// Builds a table from per-cell counts (`counts.len() == 2^lists.len()`, `counts[0]` ignored).
    pub fn new(lists: Vec<String>, mut counts: Vec<u64>) -> Table {
        assert_eq!(counts.len(), 1usize << lists.len(), "one count per capture pattern");
        counts[0] = 0;
        Table { lists, counts }
    }

    /// The CSV form `parse_csv` reads: a header of the list names then `count`, and one row
    /// per observed pattern (0/1 per list, column k being list k) with its count; patterns
    /// nobody shows are left out. Commas and quotes in a list name become spaces, since the
    /// header is plain comma-separated. What another engine reads to estimate over Girok's
    /// counts (the README gives the schema).
    pub fn to_csv(&self) -> String {
        let j = self.lists.len();
        let mut out: String = self.lists.iter().map(|l| l.replace([',', '"', '\n', '\r'], " ")).collect::<Vec<_>>().join(",");
        out.push_str(",count\n");
        for (mask, &count) in self.counts.iter().enumerate().skip(1) {
            if count == 0 {
                continue;
            }
            let cells: Vec<&str> = (0..j).map(|k| if mask & (1 << k) != 0 { "1" } else { "0" }).collect();
            out.push_str(&format!("{},{count}\n", cells.join(",")));
        }
        out
    }

    /// Parses the CSV form: one 0/1 column per list, then `count`. Patterns not listed count 0.
    pub fn parse_csv(file: &str, text: &str) -> Result<Table, TableError> {
        let mut lines = text.lines().enumerate().filter(|(_, l)| !l.trim().is_empty());
        let (_, header) = lines.next().ok_or_else(|| TableError::Empty { file: file.into() })?;
        let cols: Vec<String> = header.split(',').map(|c| c.trim().trim_matches('"').to_string()).collect();
        if cols.len() < 2 || !cols.last().is_some_and(|c| c.eq_ignore_ascii_case("count")) {
            return Err(TableError::Header { file: file.into(), found: header.to_string() });
        }
        let lists: Vec<String> = cols[..cols.len() - 1].to_vec();
        let j = lists.len();
        if !(2..=MAX_LISTS).contains(&j) {
            return Err(TableError::ListCount { file: file.into(), n: j, max: MAX_LISTS });
        }
        let mut counts = vec![0u64; 1 << j];
        let mut seen = vec![false; 1 << j];
        let mut n_rows = 0;
        for (idx, line) in lines {
            let row = idx + 1;
            let err = |message: String| TableError::Row { file: file.into(), row, message };
            let cells: Vec<&str> = line.split(',').map(str::trim).collect();
            if cells.len() != j + 1 {
                return Err(err(format!("has {} fields, the header has {}", cells.len(), j + 1)));
            }
            let mut mask = 0usize;
            for (k, c) in cells[..j].iter().enumerate() {
                match *c {
                    "1" => mask |= 1 << k,
                    "0" => {}
                    other => return Err(err(format!("column {}: {other:?} is not 0 or 1", lists[k]))),
                }
            }
            if mask == 0 {
                return Err(err("the all-zero pattern (on no list) cannot be observed; remove this row".into()));
            }
            let count_text = cells[j];
            let count: u64 = match count_text.parse::<u64>() {
                Ok(c) => c,
                Err(_) => {
                    let msg = match count_text.parse::<f64>() {
                        Ok(x) if x < 0.0 => format!("count {count_text} is negative"),
                        Ok(_) => format!("count {count_text} is not a whole number"),
                        Err(_) => format!("count {count_text:?} is not a number"),
                    };
                    return Err(err(msg));
                }
            };
            if seen[mask] {
                return Err(err(format!("pattern {} appears twice", pattern_string(mask, j))));
            }
            seen[mask] = true;
            counts[mask] = count;
            n_rows += 1;
        }
        if n_rows == 0 {
            return Err(TableError::Empty { file: file.into() });
        }
        Ok(Table { lists, counts })
    }

    pub fn lists(&self) -> &[String] {
        &self.lists
    }

    pub fn n_lists(&self) -> usize {
        self.lists.len()
    }

    /// Count of a capture pattern.
    pub fn count(&self, mask: usize) -> u64 {
        self.counts[mask]
    }

    pub fn counts(&self) -> &[u64] {
        &self.counts
    }

    /// Number of distinct people observed.
    pub fn observed(&self) -> u64 {
        self.counts.iter().sum()
    }

    /// People recorded by list `j`.
    pub fn list_total(&self, j: usize) -> u64 {
        (1..self.counts.len()).filter(|m| m & (1 << j) != 0).map(|m| self.counts[m]).sum()
    }

    /// Warnings a careful analyst should see before trusting any estimate.
    pub fn warnings(&self) -> Vec<String> {
        let mut out = Vec::new();
        let non_empty = (0..self.n_lists()).filter(|&j| self.list_total(j) > 0).count();
        if non_empty < 3 {
            out.push(format!(
                "only {non_empty} list(s) have records; with fewer than 3 lists no interaction between lists can be estimated and the result rests on assuming they are independent"
            ));
        }
        if !self.has_overlap() {
            out.push(NO_OVERLAP.to_string());
        }
        let cells = self.counts.len() - 1;
        let zeros = self.counts[1..].iter().filter(|&&c| c == 0).count();
        if zeros * 2 > cells {
            out.push(format!("the table is sparse: {zeros} of {cells} capture patterns are empty; complex models may not be estimable"));
        }
        for j in 0..self.n_lists() {
            if self.list_total(j) == 0 {
                out.push(format!("list {} has no records", self.lists[j]));
            }
        }
        out
    }

    /// Whether anyone is on two or more lists: the overlap every estimate rests on.
    pub fn has_overlap(&self) -> bool {
        self.counts.iter().enumerate().any(|(mask, &c)| c > 0 && mask.count_ones() >= 2)
    }

    /// Merges lists into one (a person is on the merged list if on any of them).
    pub fn merge(&self, groups: &[Vec<usize>], names: Vec<String>) -> Table {
        let mut counts = vec![0u64; 1 << groups.len()];
        for (mask, &c) in self.counts.iter().enumerate().skip(1) {
            let mut m = 0;
            for (g, members) in groups.iter().enumerate() {
                if members.iter().any(|&j| mask & (1 << j) != 0) {
                    m |= 1 << g;
                }
            }
            counts[m] += c;
        }
        Table::new(names, counts)
    }
}

/// `"101"`: list columns in order.
pub fn pattern_string(mask: usize, n_lists: usize) -> String {
    (0..n_lists).map(|j| if mask & (1 << j) != 0 { '1' } else { '0' }).collect()
}

impl fmt::Display for Table {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(f, "{},count", self.lists.join(","))?;
        for mask in 1..self.counts.len() {
            let cells: Vec<String> = (0..self.n_lists()).map(|j| ((mask >> j) & 1).to_string()).collect();
            writeln!(f, "{},{}", cells.join(","), self.counts[mask])?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_and_indexes_by_bitmask() {
        let t = Table::parse_csv("t.csv", "A,B,C,count\n0,0,1,20\n1,1,0,6\n1,0,0,40\n").unwrap();
        assert_eq!(t.count(0b100), 20, "C is bit 2");
        assert_eq!(t.count(0b011), 6);
        assert_eq!(t.count(0b001), 40);
        assert_eq!(t.observed(), 66);
        assert_eq!(t.list_total(0), 46);
    }

    #[track_caller]
    fn refused(text: &str, expected: &str) {
        let err = Table::parse_csv("t.csv", text).unwrap_err().to_string();
        assert!(err.contains(expected), "{err:?} should contain {expected:?}");
    }

    #[test]
    fn bad_tables_are_refused_with_the_row() {
        refused("A,B,count\n0,0,5\n", "row 2: the all-zero pattern");
        refused("A,B,count\n1,0,-3\n", "row 2: count -3 is negative");
        refused("A,B,count\n1,0,2.5\n", "count 2.5 is not a whole number");
        refused("A,B,count\n1,0,4\n0,1,2\n1,0,1\n", "row 4: pattern 10 appears twice");
        refused("A,B,count\n1,2,4\n", "column B: \"2\" is not 0 or 1");
        refused("A,B,count\n1,0\n", "has 2 fields");
        refused("A,B,total\n", "final `count` column");
        refused("A,count\n1,4\n", "1 lists");
        refused("", "empty");
        refused("A,B,count\n", "empty");
    }

    #[test]
    fn warns_about_few_lists_and_sparsity() {
        let t = Table::parse_csv("t.csv", "A,B,C,count\n1,0,0,5\n0,1,0,3\n1,1,0,1\n").unwrap();
        let w = t.warnings().join("\n");
        assert!(w.contains("only 2 list(s) have records"), "{w}");
        assert!(w.contains("list C has no records"), "{w}");
        assert!(w.contains("sparse"), "{w}");
        assert!(!w.contains("nobody is recorded on more than one list"), "A and B overlap: {w}");
    }

    #[test]
    fn a_table_without_overlap_is_refused_by_loglinear_and_warned_elsewhere() {
        let t = Table::parse_csv(
            "t.csv",
            "A,B,C,count
1,0,0,5
0,1,0,3
0,0,1,4
",
        )
        .unwrap();
        assert!(!t.has_overlap());
        assert!(t.warnings().iter().any(|w| w == NO_OVERLAP));
        assert_eq!(crate::summary::loglinear(&t, None).unwrap_err(), crate::summary::MethodError::NoOverlap);
    }

    #[test]
    fn the_csv_form_round_trips() {
        let t = Table::new(vec!["Org A, Seoul".into(), "Org B".into(), "Org C".into()], vec![0, 5, 7, 0, 3, 1, 0, 2]);
        let text = t.to_csv();
        assert!(text.starts_with("Org A  Seoul,Org B,Org C,count\n"), "{text}");
        assert!(!text.contains("0,1,1,"), "empty patterns are left out: {text}");
        let back = Table::parse_csv("t.csv", &text).unwrap();
        assert_eq!(back.counts, t.counts);
        assert_eq!(back.lists[1], "Org B");
    }
}
