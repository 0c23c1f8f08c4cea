//! The generated population of the simulated database.
//!
//! The core's SplitMix64 generator with a fixed seed drives every choice, so the dataset is
//! the same on every build and never depends on another crate's random-number algorithm.
//! Documents are generated in issue order: a new one may amend, replace, guide or cite
//! only documents issued before it, and amending or replacing changes their validity.

use std::collections::{HashMap, HashSet};

use chrono::{Datelike, Days, NaiveDate};
use lienthong_adapter_kit::sim::SplitMix64;

use super::corpus::Doc;
use super::tables::{
    CIRCULAR_KIND, DECREE_KIND, FAMILY_NAMES, GIVEN_NAMES, ISSUERS, Issuer, LAW_KIND, MIDDLE_NAMES,
    SUBJECTS, Subject,
};
use crate::model::{Relation, Validity};

/// How many documents the generator adds.
pub(crate) const GENERATED: usize = 320;
/// Seed of the population.
const SEED: u64 = 0x5642_504c_2026_0082;
/// Id of the first generated document; the others follow in issue order.
const FIRST_ID: u64 = 300_001;
/// First and last year of generated issue dates.
const YEARS: (u64, u64) = (2012, 2025);
/// Signers each issuer has.
const SIGNERS_PER_ISSUER: usize = 3;
/// Most documents one generated document cites as its basis.
const MAX_BASES: usize = 2;

/// A day of a year within [`YEARS`] (days up to 28, so every month is valid).
fn day(rng: &mut SplitMix64) -> NaiveDate {
    let year = i32::try_from(rng.between(YEARS.0, YEARS.1)).unwrap_or(2020);
    let month = rng.between(1u32, 12);
    let day = rng.between(1u32, 28);
    NaiveDate::from_ymd_opt(year, month, day).unwrap_or_default()
}

/// A person's name: family, middle and given name.
fn name(rng: &mut SplitMix64) -> String {
    let mut part = |table: &[&'static str]| rng.pick(table).copied().unwrap_or_default();
    let family = part(&FAMILY_NAMES);
    let middle = part(&MIDDLE_NAMES);
    let given = part(&GIVEN_NAMES);
    format!("{family} {middle} {given}")
}

/// The state of a generation run.
struct Generator {
    rng: SplitMix64,
    /// Numbers already taken (real documents included).
    numbers: HashSet<String>,
    /// Last number used per issuer and year.
    counters: HashMap<(usize, i32), u64>,
    /// Signers of each issuer of [`ISSUERS`].
    signers: Vec<Vec<String>>,
    /// Index of the first generated document.
    first: usize,
    /// The day validity states are computed for: the newest issue date. Documents that
    /// take effect later are not yet in force.
    as_of: NaiveDate,
}

/// Appends [`GENERATED`] documents to `docs` (which holds the real ones).
pub(crate) fn extend(docs: &mut Vec<Doc>) {
    let mut rng = SplitMix64::new(SEED);
    let signers = ISSUERS
        .iter()
        .map(|_| (0..SIGNERS_PER_ISSUER).map(|_| name(&mut rng)).collect())
        .collect();
    let mut dates: Vec<NaiveDate> = (0..GENERATED).map(|_| day(&mut rng)).collect();
    dates.sort_unstable();
    let as_of = dates.last().copied().unwrap_or_default();
    let mut generator = Generator {
        rng,
        numbers: docs.iter().map(|d| d.number.clone()).collect(),
        counters: HashMap::new(),
        signers,
        first: docs.len(),
        as_of,
    };
    for (id, issued) in (FIRST_ID..).zip(dates) {
        let doc = generator.document(docs, id, issued);
        docs.push(doc);
    }
}

impl Generator {
    fn document(&mut self, docs: &mut [Doc], id: u64, issued: NaiveDate) -> Doc {
        let which = self.rng.weighted_index(&ISSUERS, |issuer| issuer.weight);
        let issuer = ISSUERS.get(which).unwrap_or(&ISSUERS[0]);
        let effective = issued
            .checked_add_days(Days::new(self.rng.between(0, 60)))
            .unwrap_or(issued);
        let validity = if effective > self.as_of {
            Validity::NotYetInForce
        } else if self.rng.percent(4) {
            Validity::Expired
        } else {
            Validity::InForce
        };
        let (title, fields, mut related) = self.content(docs, issuer);
        related.extend(self.bases(docs, issuer, issued));
        Doc {
            id,
            number: self.number(which, issuer, issued.year()),
            title,
            kind: issuer.kind,
            issuer: issuer.name,
            signer: self
                .signers
                .get(which)
                .and_then(|names| self.rng.pick(names))
                .cloned()
                .unwrap_or_default(),
            issued,
            effective: Some(effective),
            validity,
            fields,
            related,
            local: issuer.local,
        }
    }

    /// Title, fields and the amended, replaced or guided document, if any.
    fn content(
        &mut self,
        docs: &mut [Doc],
        issuer: &Issuer,
    ) -> (String, Vec<&'static str>, Vec<(usize, Relation)>) {
        let roll = self.rng.below(100);
        let original = |d: &Doc| !d.related.iter().any(|(_, r)| *r != Relation::BasedOn);
        let same_issuer = |d: &Doc| {
            d.issuer == issuer.name
                && d.kind == issuer.kind
                && original(d)
                && matches!(d.validity, Validity::InForce | Validity::PartiallyExpired)
        };
        let guided = |d: &Doc| {
            d.kind == DECREE_KIND
                && original(d)
                && (issuer.fields.is_empty() || d.fields.iter().any(|f| issuer.fields.contains(f)))
        };
        let (relation, filter): (Relation, &dyn Fn(&Doc) -> bool) = match roll {
            0..10 => (Relation::Amends, &same_issuer),
            10..18 => (Relation::Replaces, &same_issuer),
            18..40 if issuer.kind == CIRCULAR_KIND => (Relation::Guides, &guided),
            _ => return self.fresh(issuer),
        };
        let candidates: Vec<usize> = (self.first..docs.len())
            .filter(|i| docs.get(*i).is_some_and(filter))
            .collect();
        let Some(&index) = self.rng.pick(&candidates) else {
            return self.fresh(issuer);
        };
        let Some(target) = docs.get_mut(index) else {
            return self.fresh(issuer);
        };
        let title = match relation {
            Relation::Amends => {
                target.validity = Validity::PartiallyExpired;
                format!(
                    "Sửa đổi, bổ sung một số điều của {} số {} {}",
                    target.kind,
                    target.number,
                    lower_first(&target.title)
                )
            }
            Relation::Replaces => {
                target.validity = Validity::Expired;
                target.title.clone()
            }
            Relation::Guides | Relation::BasedOn => format!(
                "Hướng dẫn thi hành một số điều của {} số {} {}",
                target.kind,
                target.number,
                lower_first(&target.title)
            ),
        };
        (title, target.fields.clone(), vec![(index, relation)])
    }

    /// A document on a new subject among those `issuer` regulates.
    fn fresh(&mut self, issuer: &Issuer) -> (String, Vec<&'static str>, Vec<(usize, Relation)>) {
        let subjects: Vec<&Subject> = SUBJECTS
            .iter()
            .filter(|s| issuer.fields.is_empty() || issuer.fields.contains(&s.field))
            .collect();
        let subject = self.rng.pick(&subjects).copied().unwrap_or(&SUBJECTS[0]);
        let pattern = self.rng.pick(issuer.patterns).copied().unwrap_or("{}");
        let mut fields = vec![subject.field];
        if self.rng.percent(15)
            && let Some(other) = self.rng.pick(&subjects)
            && other.field != subject.field
        {
            fields.push(other.field);
        }
        (pattern.replace("{}", subject.words), fields, Vec::new())
    }

    /// Earlier laws and decrees (and, for the province, circulars) cited as the basis.
    fn bases(
        &mut self,
        docs: &[Doc],
        issuer: &Issuer,
        issued: NaiveDate,
    ) -> Vec<(usize, Relation)> {
        let citable = |d: &Doc| {
            d.issued < issued
                && !d.local
                && (matches!(d.kind, LAW_KIND | DECREE_KIND)
                    || (issuer.local && d.kind == CIRCULAR_KIND))
                && d.validity != Validity::Expired
        };
        let candidates: Vec<usize> = (0..docs.len())
            .filter(|i| docs.get(*i).is_some_and(citable))
            .collect();
        let count = self.rng.between(1, MAX_BASES as u64);
        let mut bases: Vec<(usize, Relation)> = Vec::new();
        for _ in 0..count {
            if let Some(&i) = self.rng.pick(&candidates)
                && !bases.iter().any(|(b, _)| *b == i)
            {
                bases.push((i, Relation::BasedOn));
            }
        }
        bases
    }

    /// The next free number of `issuer` in `year`: `NN/YYYY/SYMBOL`.
    fn number(&mut self, which: usize, issuer: &Issuer, year: i32) -> String {
        let step = self.rng.between(1, 4);
        let counter = self.counters.entry((which, year)).or_default();
        loop {
            *counter += step;
            let number = format!("{:02}/{year}/{}", *counter, issuer.symbol);
            if self.numbers.insert(number.clone()) {
                return number;
            }
        }
    }
}

/// `text` with its first letter in lower case (titles cited inside another title).
fn lower_first(text: &str) -> String {
    let mut chars = text.chars();
    chars
        .next()
        .map(|first| first.to_lowercase().chain(chars).collect())
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_generator_is_fixed() {
        let mut rng = SplitMix64::new(0);
        // Reference values of SplitMix64 seeded with 0.
        assert_eq!(rng.next_u64(), 0xe220_a839_7b1d_cdaf);
        assert_eq!(rng.next_u64(), 0x6e78_9e6a_a1b9_65f4);
        assert_eq!(lower_first("Về quản lý"), "về quản lý");
        assert_eq!(lower_first("Đất đai"), "đất đai");
        assert_eq!(lower_first(""), "");
    }
}
