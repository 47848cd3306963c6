//! Term counts per document over a corpus-local term table.

use rayon::prelude::*;
use rustc_hash::FxHashMap;

use crate::analysis::Analyzer;

/// Documents as sorted `(term id, count)` lists over one table of distinct terms.
#[derive(Debug, Clone, Default)]
pub struct CountedDocs {
    /// Distinct terms; a term id indexes this table.
    pub terms: Vec<String>,
    /// Per document, `(term id, occurrences)` sorted by term id.
    pub docs: Vec<Vec<(u32, u32)>>,
}

/// Documents analysed per parallel task.
// Note: a fixed chunk size (not one per thread) keeps the term table's order,
// and so everything downstream, identical whatever the thread count.
const CHUNK: usize = 256;

impl CountedDocs {
    /// Analyses `texts` in parallel and counts their terms.
    pub fn from_texts<S: AsRef<str> + Sync>(texts: &[S], analyzer: &Analyzer) -> CountedDocs {
        let chunks: Vec<CountedDocs> = texts
            .par_chunks(CHUNK)
            .map_init(
                || analyzer.clone(),
                |an, chunk| {
                    let mut table = Table::default();
                    let docs = chunk
                        .iter()
                        .map(|t| {
                            let mut ids = Vec::new();
                            an.for_each_term(t.as_ref(), |term| ids.push(table.id(term)));
                            run_lengths(ids)
                        })
                        .collect();
                    CountedDocs {
                        terms: table.into_terms(),
                        docs,
                    }
                },
            )
            .collect();
        Self::merge(chunks)
    }

    /// Counts documents given as ready-made term lists (as another analyzer produced them).
    pub fn from_term_lists(lists: &[Vec<String>]) -> CountedDocs {
        let mut table = Table::default();
        let docs = lists
            .iter()
            .map(|l| run_lengths(l.iter().map(|t| table.id(t)).collect()))
            .collect();
        CountedDocs {
            terms: table.into_terms(),
            docs,
        }
    }

    /// Concatenates chunk results into one table, in order.
    fn merge(chunks: Vec<CountedDocs>) -> CountedDocs {
        let mut table = Table::default();
        let mut docs = Vec::new();
        for chunk in chunks {
            let remap: Vec<u32> = chunk.terms.into_iter().map(|t| table.id_owned(t)).collect();
            for doc in chunk.docs {
                let mut d: Vec<(u32, u32)> = doc
                    .into_iter()
                    .map(|(id, c)| (remap[id as usize], c))
                    .collect();
                d.sort_unstable();
                docs.push(d);
            }
        }
        CountedDocs {
            terms: table.into_terms(),
            docs,
        }
    }

    /// Number of documents containing each term, and each term's total count.
    pub fn frequencies(&self) -> (Vec<usize>, Vec<u64>) {
        let mut df = vec![0usize; self.terms.len()];
        let mut total = vec![0u64; self.terms.len()];
        for doc in &self.docs {
            for &(id, c) in doc {
                df[id as usize] += 1;
                total[id as usize] += u64::from(c);
            }
        }
        (df, total)
    }
}

/// Interns term strings to dense ids; each distinct term is allocated once.
#[derive(Default)]
struct Table {
    ids: FxHashMap<String, u32>,
}

impl Table {
    /// The id of `term`, allocating it only when new.
    fn id(&mut self, term: &str) -> u32 {
        if let Some(&id) = self.ids.get(term) {
            return id;
        }
        let id = self.ids.len() as u32;
        self.ids.insert(term.to_owned(), id);
        id
    }

    /// The id of an owned `term`, moving it into the table when new.
    fn id_owned(&mut self, term: String) -> u32 {
        let next = self.ids.len() as u32;
        *self.ids.entry(term).or_insert(next)
    }

    /// The terms indexed by id.
    fn into_terms(self) -> Vec<String> {
        let mut terms = vec![String::new(); self.ids.len()];
        for (t, id) in self.ids {
            terms[id as usize] = t;
        }
        terms
    }
}

/// Sorts ids and collapses repeats into `(id, count)`.
pub(crate) fn run_lengths(mut ids: Vec<u32>) -> Vec<(u32, u32)> {
    ids.sort_unstable();
    let mut out: Vec<(u32, u32)> = Vec::with_capacity(ids.len());
    for id in ids {
        match out.last_mut() {
            Some((last, c)) if *last == id => *c += 1,
            _ => out.push((id, 1)),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn term_lists_are_counted() {
        let docs = CountedDocs::from_term_lists(&[
            vec!["a".into(), "b".into(), "a".into()],
            vec!["b".into()],
        ]);
        assert_eq!(docs.terms, vec!["a", "b"]);
        assert_eq!(docs.docs, vec![vec![(0, 2), (1, 1)], vec![(1, 1)]]);
        assert_eq!(docs.frequencies(), (vec![1, 2], vec![2, 2]));
    }
}
