//! The simulated database: the real documents of [`super::real`] followed by a generated
//! population (see [`super::generate`]).

use std::collections::HashMap;

use chrono::NaiveDate;
use lienthong_adapter_kit::text;

use super::generate;
use super::real::{KNOWN, Known};
use crate::model::{Relation, Validity};

/// One document, in the partner's own terms.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Doc {
    pub(crate) id: u64,
    pub(crate) number: String,
    pub(crate) title: String,
    pub(crate) kind: &'static str,
    pub(crate) issuer: &'static str,
    pub(crate) signer: String,
    pub(crate) issued: NaiveDate,
    pub(crate) effective: Option<NaiveDate>,
    pub(crate) validity: Validity,
    pub(crate) fields: Vec<&'static str>,
    /// Outgoing relations, by index into the corpus.
    pub(crate) related: Vec<(usize, Relation)>,
    /// Whether a body of the province issued it.
    pub(crate) local: bool,
}

/// Every document: the real ones, then the generated ones.
pub(crate) fn build() -> Vec<Doc> {
    let table: Vec<(&Known, Doc)> = KNOWN
        .iter()
        .filter_map(|k| known(k).map(|doc| (k, doc)))
        .collect();
    let by_number: HashMap<&str, usize> = table
        .iter()
        .enumerate()
        .map(|(i, (k, _))| (k.number, i))
        .collect();
    let mut docs = Vec::with_capacity(table.len() + generate::GENERATED);
    for (k, mut doc) in table {
        doc.related = k
            .related
            .iter()
            .filter_map(|(number, relation)| Some((*by_number.get(number)?, *relation)))
            .collect();
        docs.push(doc);
    }
    generate::extend(&mut docs);
    docs
}

/// A real document of the table; `None` when its issue date is not a date.
fn known(k: &Known) -> Option<Doc> {
    Some(Doc {
        id: k.id,
        number: k.number.to_owned(),
        title: k.title.to_owned(),
        kind: k.kind,
        issuer: k.issuer,
        signer: k.signer.to_owned(),
        issued: text::parse_wire_date(k.issued)?,
        effective: k.effective.and_then(text::parse_wire_date),
        validity: k.validity,
        fields: k.fields.to_vec(),
        related: Vec::new(),
        local: false,
    })
}
