//! Two-way tables in a briefing (acts by year and type, by year and province): the CSV and
//! the HTML of a table after two-way suppression (`suppress2`), so that neither its rows,
//! its columns nor its totals give a withheld cell away.

use crate::render::{cell_text, csv_field, esc};
use crate::suppress::Cell;
use crate::suppress2::{suppress2, Suppressed2};

/// A two-way count table, labels already in the reader's language.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct CrossTable {
    /// File name of its CSV.
    pub file: String,
    pub title: String,
    /// Heading of the row labels (e.g. "Year").
    pub row_header: String,
    pub rows: Vec<String>,
    pub cols: Vec<String>,
    /// `counts[row][col]`.
    pub counts: Vec<Vec<u64>>,
    pub note: Option<String>,
}

impl CrossTable {
    pub(crate) fn suppressed(&self, k: u64) -> Suppressed2 {
        suppress2(&self.counts, k)
    }
}

pub(crate) fn csv(t: &CrossTable, s: &Suppressed2, k: u64, total: &str) -> String {
    let mut out = csv_field(&t.row_header);
    for c in &t.cols {
        out.push(',');
        out.push_str(&csv_field(c));
    }
    out.push(',');
    out.push_str(&csv_field(total));
    out.push('\n');
    let line = |label: &str, cells: &[Cell], margin: Cell| {
        let mut l = csv_field(label);
        for c in cells.iter().chain([&margin]) {
            l.push(',');
            l.push_str(&csv_field(&cell_text(*c, k)));
        }
        l.push('\n');
        l
    };
    for (i, label) in t.rows.iter().enumerate() {
        out.push_str(&line(label, &s.cells[i], s.row_totals[i]));
    }
    out.push_str(&line(total, &s.col_totals, s.total));
    out
}

pub(crate) fn html(t: &CrossTable, s: &Suppressed2, k: u64, total: &str) -> String {
    let mut h = format!("<h2>{}</h2>\n<div class=\"wide\"><table class=\"cross\"><thead><tr><th>{}</th>", esc(&t.title), esc(&t.row_header));
    for c in t.cols.iter().chain([&total.to_string()]) {
        h.push_str(&format!("<th>{}</th>", esc(c)));
    }
    h.push_str("</tr></thead><tbody>\n");
    let row = |label: &str, cells: &[Cell], margin: Cell, strong: bool| {
        let mut r = format!("<tr><{0}>{1}</{0}>", if strong { "th" } else { "td" }, esc(label));
        for c in cells {
            r.push_str(&format!("<td class=\"n\">{}</td>", esc(&cell_text(*c, k))));
        }
        r.push_str(&format!("<td class=\"n\"><b>{}</b></td></tr>\n", esc(&cell_text(margin, k))));
        r
    };
    for (i, label) in t.rows.iter().enumerate() {
        h.push_str(&row(label, &s.cells[i], s.row_totals[i], false));
    }
    h.push_str(&row(total, &s.col_totals, s.total, true));
    h.push_str("</tbody></table></div>\n");
    if let Some(n) = &t.note {
        h.push_str(&format!("<p class=\"note\">{}</p>\n", esc(n)));
    }
    h
}
