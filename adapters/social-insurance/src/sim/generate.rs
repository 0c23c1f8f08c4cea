//! The generated population of the simulated partner.
//!
//! The core's SplitMix64 generator with a fixed seed drives every choice, so the dataset is
//! the same on every build and never depends on another crate's random-number algorithm.

use std::collections::HashSet;

use lienthong_adapter_kit::sim::SplitMix64;

use crate::birth::BirthDate;
use crate::model::{Gender, Participation};

use super::dataset::{AS_OF, Card, Month, NOT_SHAREABLE, Period, Record, day};
use super::tables;

/// Seed of the population.
const SEED: u64 = 0x4248_5848_2026_0082;
/// Age at which contributions end with retirement.
const RETIREMENT_AGE: u16 = 60;
/// Most contribution periods one participant has.
const MAX_PERIODS: usize = 6;
/// Card group and benefit level of retirees.
const RETIREE_CARD: (&str, u8) = ("HT", 3);
/// Benefit level of employees, public servants and households.
const WORKER_LEVEL: u8 = 4;
/// Statuses of people of working age, drawn with these weights.
const STATUSES: &[Participation] = &[
    Participation::Active,
    Participation::Active,
    Participation::Active,
    Participation::Active,
    Participation::Active,
    Participation::Paused,
    Participation::Stopped,
];

/// A month of `year`.
fn month_of(rng: &mut SplitMix64, year: u16) -> Month {
    Month::new(rng.between(1, 12), year)
}

/// One text of a table (empty only if the table is).
fn text(rng: &mut SplitMix64, table: &[&'static str]) -> &'static str {
    rng.pick(table).copied().unwrap_or_default()
}

/// Appends `count` generated participants to `records`.
pub(crate) fn population(records: &mut Vec<Record>, count: usize) {
    let mut rng = SplitMix64::new(SEED);
    let mut codes: HashSet<String> = records.iter().map(|r| r.code.clone()).collect();
    codes.insert(NOT_SHAREABLE.to_owned());
    for _ in 0..count {
        let code = fresh_code(&mut rng, &mut codes);
        records.push(participant(&mut rng, code));
    }
}

fn participant(rng: &mut SplitMix64, code: String) -> Record {
    let gender = if rng.percent(52) {
        Gender::Female
    } else {
        Gender::Male
    };
    let full_name = name(rng, gender);
    let year = rng.between(1950u16, 2006);
    let birth = if year < 1965 && rng.percent(15) {
        BirthDate::Year(year.into())
    } else {
        BirthDate::Day(day(rng.between(1, 28), rng.between(1, 12), year.into()))
    };
    let retired = AS_OF.year - year > RETIREMENT_AGE;
    let status = if retired {
        Participation::Stopped
    } else {
        rng.pick(STATUSES).copied().unwrap_or(Participation::Active)
    };
    // Contributions end with retirement, some months ago for those who paused or
    // stopped, and run up to the dataset's month for the others.
    let end = match status {
        _ if retired => month_of(rng, year + RETIREMENT_AGE),
        Participation::Active => AS_OF,
        Participation::Paused | Participation::Stopped => {
            Month::from_index(AS_OF.index() - rng.between(1u32, 18))
        }
    };
    let start_year = year + rng.between(18u16, 26);
    let start = month_of(rng, start_year).min(end);
    let (mut periods, group) = career(rng, start, end);
    if let Some(last) = periods
        .last_mut()
        .filter(|_| status == Participation::Active)
    {
        last.to = AS_OF;
    }
    let card = card(rng, status, retired, group);
    Record {
        code,
        full_name,
        birth,
        gender,
        status,
        card,
        periods,
    }
}

/// A new code `82NNNNNNNN` whose third digit is never 0 (so never a fixture's).
fn fresh_code(rng: &mut SplitMix64, codes: &mut HashSet<String>) -> String {
    loop {
        let code = format!("82{}", rng.between(10_000_000u32, 99_999_999));
        if codes.insert(code.clone()) {
            return code;
        }
    }
}

/// Family name, middle name, given name; some names lead with a second, customary middle
/// name (Thị for women, Văn for men).
fn name(rng: &mut SplitMix64, gender: Gender) -> String {
    let (lead, middles, givens) = match gender {
        Gender::Female => ("Thị", tables::MIDDLE_FEMALE, tables::GIVEN_FEMALE),
        Gender::Male => ("Văn", tables::MIDDLE_MALE, tables::GIVEN_MALE),
    };
    let family = text(rng, tables::FAMILY_NAMES);
    let middle = text(rng, middles);
    let given = text(rng, givens);
    if middle != lead && rng.percent(15) {
        format!("{family} {lead} {middle} {given}")
    } else {
        format!("{family} {middle} {given}")
    }
}

/// Contribution periods from `start` to at most `end`, and the card group of the last
/// employer.
fn career(rng: &mut SplitMix64, start: Month, end: Month) -> (Vec<Period>, &'static str) {
    let mut periods = Vec::new();
    let mut group = "DN";
    let mut from = start.index();
    while from <= end.index() && periods.len() < MAX_PERIODS {
        let to = (from + rng.between(6u32, 120) - 1).min(end.index());
        let (employer, employer_group) = employer(rng);
        group = employer_group;
        periods.push(Period {
            from: Month::from_index(from),
            to: Month::from_index(to),
            employer,
        });
        from = to + 1 + rng.between(0u32, 18);
    }
    (periods, group)
}

/// An employer's name and the card group of its employees.
fn employer(rng: &mut SplitMix64) -> (String, &'static str) {
    if rng.percent(25) {
        let (kind, group) = rng.pick(tables::PUBLIC_BODIES).copied().unwrap_or_default();
        (format!("{kind} {}", text(rng, tables::COMMUNES)), group)
    } else {
        let name = format!(
            "{} {} {}",
            text(rng, tables::COMPANY_FORMS),
            text(rng, tables::TRADES),
            text(rng, tables::BRANDS)
        );
        (name, "DN")
    }
}

/// Employees and retirees hold a card for the year; some who stopped or paused buy one
/// as a household for twelve months from a month of the year.
fn card(
    rng: &mut SplitMix64,
    status: Participation,
    retired: bool,
    group: &'static str,
) -> Option<Card> {
    let facility = rng
        .pick(tables::FACILITIES)
        .unwrap_or(&tables::FACILITIES[0]);
    let (group, level, from, to) = match status {
        _ if retired => {
            let (group, level) = RETIREE_CARD;
            (group, level, day(1, 1, 2026), day(31, 12, 2026))
        }
        Participation::Active => (group, WORKER_LEVEL, day(1, 1, 2026), day(31, 12, 2026)),
        Participation::Paused | Participation::Stopped if rng.percent(40) => {
            let month = rng.between(1, 12);
            let to = day(1, month, 2027).pred_opt().unwrap_or_default();
            ("GD", WORKER_LEVEL, day(1, month, 2026), to)
        }
        Participation::Paused | Participation::Stopped => return None,
    };
    Some(Card {
        group,
        level,
        from,
        to,
        facility,
    })
}
