//! The token comparisons of one query's scoring, kept from alignment to
//! alignment. A query's candidates share most of their words with the query
//! and with each other ("mohammed", "trading", a surname), so the same query
//! token meets the same listed token many times: for the monitor's customers,
//! about 3,100 comparisons per customer cover some 820 different pairs.
//!
//! The memo is a table with a row per listed token met so far and a column
//! per distinct token of the query (its variants share the columns of equal
//! tokens), two cells each: as compared for an organisation and not. A
//! listed token's row is found by its id ([`PreparedToken::id`]), which the
//! index gives only to tokens equal in every field [`compare_tokens`] could
//! read. A token without an id gets no row: it is compared directly.
//!
//! Valid for one query against one set of weights, as the rest of
//! [`super::score::ScoreCache`]; [`TokenMemo::clear`] before the next query.

use super::similarity::{TokenMatch, compare_tokens};
use super::weights::Weights;
use crate::analysis::{IdHasher, NO_TOKEN_ID, PreparedName, PreparedToken, PreparedVariant};
use std::collections::HashMap;
use std::hash::BuildHasherDefault;

/// One cell: not compared yet, or what [`compare_tokens`] said.
#[derive(Debug, Clone, Copy)]
enum Cell {
    Unasked,
    Said(Option<(f64, TokenMatch)>),
}

/// See the module documentation.
#[derive(Debug, Default)]
pub(crate) struct TokenMemo {
    /// The query's variants by address, each with where its columns start
    /// in `columns`; empty until [`TokenMemo::start`].
    variants: Vec<(usize, usize)>,
    /// Each query token's column, variant after variant.
    columns: Vec<u16>,
    /// Distinct query tokens: the width of a row is twice this.
    width: usize,
    /// Each listed token's row, by token id.
    rows: HashMap<u32, u32, BuildHasherDefault<IdHasher>>,
    cells: Vec<Cell>,
}

impl TokenMemo {
    /// Forgets the query and its comparisons, keeping the memory.
    pub fn clear(&mut self) {
        self.variants.clear();
        self.columns.clear();
        self.width = 0;
        self.rows.clear();
        self.cells.clear();
    }

    /// Sets the query's columns, unless set since the last [`clear`](Self::clear).
    pub fn start(&mut self, q: &PreparedName) {
        if !self.variants.is_empty() {
            return;
        }
        let mut distinct: Vec<&PreparedToken> = Vec::new();
        for v in &q.variants {
            self.variants.push((address(v), self.columns.len()));
            for t in &v.tokens {
                let column = match distinct.iter().position(|d| *d == t) {
                    Some(c) => c,
                    None => {
                        distinct.push(t);
                        distinct.len() - 1
                    }
                };
                match u16::try_from(column) {
                    Ok(c) => self.columns.push(c),
                    // More tokens than any analysed name has: compare directly.
                    Err(_) => return self.clear(),
                }
            }
        }
        self.width = distinct.len();
    }

    /// The columns of a variant of the started query, one per token; `None`
    /// for any other variant (then nothing is kept).
    pub fn columns_of(&self, v: &PreparedVariant) -> Option<std::ops::Range<usize>> {
        let at = address(v);
        let &(_, start) = self.variants.iter().find(|(a, _)| *a == at)?;
        let range = start..start + v.tokens.len();
        (range.end <= self.columns.len()).then_some(range)
    }

    /// How many listed tokens have a row.
    #[cfg(test)]
    pub fn rows(&self) -> usize {
        self.rows.len()
    }

    /// The row of a listed token, added when new; `None` for a token
    /// without an id.
    pub fn row(&mut self, t: &PreparedToken) -> Option<usize> {
        if t.id == NO_TOKEN_ID {
            return None;
        }
        let next = self.rows.len() as u32;
        let row = *self.rows.entry(t.id).or_insert(next);
        if row == next {
            self.cells
                .extend(std::iter::repeat_n(Cell::Unasked, 2 * self.width));
        }
        Some(row as usize)
    }

    /// `compare_tokens(q, n, w, org)` for the query token at position
    /// `at` of [`columns_of`](Self::columns_of)'s range and the listed token
    /// of `row`: from the memo when asked before.
    pub fn compare(
        &mut self,
        at: usize,
        row: usize,
        q: &PreparedToken,
        n: &PreparedToken,
        w: &Weights,
        org: bool,
    ) -> Option<(f64, TokenMatch)> {
        let column = usize::from(self.columns[at]);
        let cell = &mut self.cells[row * 2 * self.width + 2 * column + usize::from(org)];
        match *cell {
            Cell::Said(said) => said,
            Cell::Unasked => {
                let said = compare_tokens(q, n, w, org);
                *cell = Cell::Said(said);
                said
            }
        }
    }
}

/// A variant's address: the query's variants stay put while it is scored.
fn address(v: &PreparedVariant) -> usize {
    std::ptr::from_ref(v) as usize
}
