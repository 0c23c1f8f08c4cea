//! The generated population of the simulated registry.
//!
//! The core's SplitMix64 generator with a fixed seed drives every choice, so the dataset is
//! the same on every build and never depends on another crate's random-number algorithm.

use std::collections::HashSet;

use lienthong_adapter_kit::sim::SplitMix64;

use crate::code::check_digit;
use crate::model::LegalStatus;

use super::dataset::{
    Day, Line, NOT_SHAREABLE, Office, Record, Representative, Suspension, branch_of, citizen, lines,
};
use super::tables::{self, LegalForm, Trade};

/// Seed of the population.
const SEED: u64 = 0x4c54_2026_0082_1200;
/// Percentage of active enterprises that have a branch.
const BRANCH_PERCENT: u64 = 6;

/// A day of a year in `from..=to` (days up to 28, so every month is valid).
fn day(rng: &mut SplitMix64, from: u16, to: u16) -> Day {
    let year = rng.between(from, to);
    Day::new(rng.between(1, 28), rng.between(1, 12), year)
}

/// Appends `count` generated enterprises (and some of their branches) to `records`.
pub(crate) fn population(records: &mut Vec<Record>, count: usize) {
    let mut rng = SplitMix64::new(SEED);
    let mut codes: HashSet<String> = records.iter().map(|r| r.code.clone()).collect();
    codes.insert(NOT_SHAREABLE.to_owned());
    let mut names: HashSet<String> = records.iter().map(|r| r.name_vi.clone()).collect();
    for _ in 0..count {
        let enterprise = enterprise(&mut rng, &mut codes, &mut names);
        let branch = (enterprise.status == LegalStatus::Active && rng.percent(BRANCH_PERCENT))
            .then(|| {
                let registered = day(&mut rng, enterprise.registered.year + 1, 2025);
                let head = person(&mut rng, "Giám đốc chi nhánh");
                branch_of(&enterprise, 1, office(&mut rng), registered, head)
            });
        records.push(enterprise);
        records.extend(branch);
    }
}

fn enterprise(
    rng: &mut SplitMix64,
    codes: &mut HashSet<String>,
    names: &mut HashSet<String>,
) -> Record {
    let code = fresh_code(rng, codes);
    let form = rng
        .weighted(tables::FORMS)
        .copied()
        .unwrap_or(&tables::PRIVATE);
    let (trade, brand) = fresh_name(rng, form, names);
    let name_en = (form != &tables::PRIVATE && rng.percent(70))
        .then(|| format!("{} {} {}", brand.1, trade.en, form.suffix_en));
    let name_short = form
        .suffix_short
        .filter(|_| name_en.is_some() && rng.percent(80))
        .map(|suffix| format!("{} {suffix}", brand.1.to_uppercase()));
    let registered = day(rng, 2000, 2024);
    let change_count = if rng.percent(30) {
        0
    } else {
        rng.between(1u64, 12)
    };
    let last_changed = (change_count > 0).then(|| day(rng, registered.year + 1, 2025));
    let status = rng
        .weighted(tables::STATUSES)
        .copied()
        .unwrap_or(LegalStatus::Active);
    let suspension = (status == LegalStatus::Suspended).then(|| {
        let from = day(rng, 2025, 2025);
        let reason = text(rng, tables::SUSPENSION_REASONS);
        Suspension {
            from,
            until: Day::new(from.day, from.month, from.year + 1),
            reason,
        }
    });
    let count = if form.titles.len() > 1 && rng.percent(15) {
        2
    } else {
        1
    };
    let first_title = rng.index(form.titles.len());
    let representatives = (0..count)
        .map(|i| person(rng, form.titles[(first_title + i) % form.titles.len()]))
        .collect();
    Record {
        code,
        form,
        name_vi: format!("{} {} {}", form.prefix, trade.vi, brand.0),
        name_en,
        name_short,
        registered,
        last_changed,
        change_count: u32::try_from(change_count).unwrap_or_default(),
        status,
        suspension,
        representatives,
        office: office(rng),
        lines: business_lines(rng, trade),
    }
}

/// A new valid code `12xxxxxxxC` (third digit never 0, so never a fixture's).
fn fresh_code(rng: &mut SplitMix64, codes: &mut HashSet<String>) -> String {
    loop {
        let first_nine = format!("12{}", rng.between(1_000_000u64, 9_999_999));
        let Ok(digits) = <[u8; 9]>::try_from(first_nine.as_bytes()) else {
            continue;
        };
        if let Some(check) = check_digit(&digits) {
            let code = format!("{first_nine}{check}");
            if codes.insert(code.clone()) {
                return code;
            }
        }
    }
}

/// A trade and a brand giving a Vietnamese name not registered yet.
fn fresh_name(
    rng: &mut SplitMix64,
    form: &LegalForm,
    names: &mut HashSet<String>,
) -> (&'static Trade, (String, String)) {
    let cooperative = form == &tables::COOPERATIVE;
    let trades: Vec<&'static Trade> = tables::TRADES
        .iter()
        .filter(|t| !cooperative || t.cooperative)
        .collect();
    loop {
        let trade = rng.pick(&trades).copied().unwrap_or(&tables::TRADES[0]);
        let brand = if rng.percent(15) {
            let (vi, en) = rng.pick(tables::PLACE_BRANDS).copied().unwrap_or_default();
            (vi.to_owned(), en.to_owned())
        } else {
            let (vi1, en1) = rng.pick(tables::BRAND_FIRST).copied().unwrap_or_default();
            let (vi2, en2) = rng.pick(tables::BRAND_SECOND).copied().unwrap_or_default();
            (format!("{vi1} {vi2}"), format!("{en1} {en2}"))
        };
        if names.insert(format!("{} {} {}", form.prefix, trade.vi, brand.0)) {
            return (trade, brand);
        }
    }
}

fn person(rng: &mut SplitMix64, title: &'static str) -> Representative {
    let issued_on = day(rng, 2016, 2025);
    if rng.percent(4) {
        let (name, nationality) = rng.pick(tables::FOREIGNERS).copied().unwrap_or_default();
        return Representative {
            full_name: name.to_owned(),
            title,
            id_type: tables::PASSPORT,
            id_number: format!("M{:08}", rng.below(100_000_000)),
            issued_on,
            issued_by: format!("Cơ quan cấp hộ chiếu {nationality}"),
            nationality,
        };
    }
    let female = rng.percent(45);
    let (middles, givens) = if female {
        (tables::MIDDLE_FEMALE, tables::GIVEN_FEMALE)
    } else {
        (tables::MIDDLE_MALE, tables::GIVEN_MALE)
    };
    let full_name = format!(
        "{} {} {}",
        text(rng, tables::FAMILY_NAMES),
        text(rng, middles),
        text(rng, givens)
    );
    let birth_year = rng.between(1960u64, 2001);
    // Digit 4 of a citizen id: sex and century of birth.
    let sex_century = u64::from(female) + if birth_year >= 2000 { 2 } else { 0 };
    let id_number = format!(
        "082{sex_century}{:02}{:06}",
        birth_year % 100,
        rng.below(1_000_000)
    );
    citizen(&full_name, title, &id_number, issued_on)
}

fn office(rng: &mut SplitMix64) -> Office {
    Office {
        street: format!(
            "Số {} {}",
            rng.between(1u64, 350),
            text(rng, tables::STREETS)
        ),
        commune: rng.pick(tables::COMMUNES).unwrap_or(&tables::COMMUNES[0]),
    }
}

/// Some of the trade's usual lines (the first is the main one) plus up to two others.
fn business_lines(rng: &mut SplitMix64, trade: &Trade) -> Vec<Line> {
    let usual = usize::try_from(rng.between(1, trade.lines.len() as u64)).unwrap_or(1);
    let mut codes: Vec<&str> = trade.lines[..usual].to_vec();
    for _ in 0..rng.below(3) {
        let Some(extra) = rng.pick(tables::VSIC).map(|activity| activity.code) else {
            continue;
        };
        if !codes.contains(&extra) {
            codes.push(extra);
        }
    }
    lines(&codes)
}

/// One text of a table (empty only if the table is).
fn text(rng: &mut SplitMix64, table: &[&'static str]) -> &'static str {
    rng.pick(table).copied().unwrap_or_default()
}
