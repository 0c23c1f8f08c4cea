//! The simulated partner's participants: hand-written fixtures that tests name by code,
//! and a generated population (see [`super::generate`]).

#[cfg(test)]
use chrono::Datelike;
use chrono::NaiveDate;

use crate::birth::BirthDate;
use crate::model::{Gender, Participation};

use super::generate;
use super::tables::{FACILITIES, Facility, PROVINCE_CODE};

/// Active, female, with a card and three contribution periods.
pub(crate) const FOUND: &str = "8212345678";
/// A registered participant whose record is not shared (`02`).
pub(crate) const NOT_SHAREABLE: &str = "8200000003";
/// Retired; only the year of birth is known.
pub(crate) const YEAR_ONLY: &str = "8200000011";
/// Paused, without a card.
pub(crate) const PAUSED: &str = "8200000029";
/// The month the dataset describes: active participants contribute up to it.
pub(crate) const AS_OF: Month = Month::new(10, 2026);
/// How many participants the generator adds.
pub(crate) const GENERATED: usize = 1200;

/// A calendar month; field order makes the derived ordering chronological.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) struct Month {
    pub(crate) year: u16,
    pub(crate) month: u8,
}

impl Month {
    /// Month `month` (1–12) of `year`.
    pub(crate) const fn new(month: u8, year: u16) -> Self {
        Self { year, month }
    }

    /// `MM/yyyy`.
    pub(crate) fn wire(self) -> String {
        format!("{:02}/{:04}", self.month, self.year)
    }

    /// Months since the start of year 0.
    pub(crate) fn index(self) -> u32 {
        u32::from(self.year) * 12 + u32::from(self.month) - 1
    }

    /// The month of a [`Month::index`].
    pub(crate) fn from_index(index: u32) -> Self {
        Self {
            year: u16::try_from(index / 12).unwrap_or(u16::MAX),
            month: u8::try_from(index % 12 + 1).unwrap_or(1),
        }
    }
}

/// One participant, in the partner's own terms.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Record {
    pub(crate) code: String,
    pub(crate) full_name: String,
    pub(crate) birth: BirthDate,
    pub(crate) gender: Gender,
    pub(crate) status: Participation,
    pub(crate) card: Option<Card>,
    pub(crate) periods: Vec<Period>,
}

impl Record {
    /// Months contributed over every period.
    pub(crate) fn total_months(&self) -> u32 {
        self.periods
            .iter()
            .map(|p| p.to.index().saturating_sub(p.from.index()) + 1)
            .sum()
    }
}

/// A health-insurance card.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Card {
    /// Beneficiary group: `DN` employee, `HC` public servant, `GD` household, `HT` retiree.
    pub(crate) group: &'static str,
    /// Benefit level, 1–5.
    pub(crate) level: u8,
    pub(crate) from: NaiveDate,
    pub(crate) to: NaiveDate,
    pub(crate) facility: &'static Facility,
}

impl Card {
    /// `SoThe`: group, level, province code, then the ten-digit insurance code.
    pub(crate) fn number(&self, code: &str) -> String {
        format!("{}{}{PROVINCE_CODE}{code}", self.group, self.level)
    }
}

/// One period of contributions paid by one employer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Period {
    pub(crate) from: Month,
    pub(crate) to: Month,
    pub(crate) employer: String,
}

/// `day/month/year`; callers keep the day valid for the month (the generator uses ≤ 28).
pub(crate) fn day(day: u32, month: u32, year: i32) -> NaiveDate {
    NaiveDate::from_ymd_opt(year, month, day).unwrap_or_default()
}

fn period(from: Month, to: Month, employer: &str) -> Period {
    Period {
        from,
        to,
        employer: employer.to_owned(),
    }
}

/// Every record: fixtures first, then the generated population.
pub(crate) fn build() -> Vec<Record> {
    let mut records = fixtures();
    generate::population(&mut records, GENERATED);
    records
}

/// The records tests rely on, written out by hand.
fn fixtures() -> Vec<Record> {
    let found = Record {
        code: FOUND.to_owned(),
        full_name: "Nguyễn Thị Bình".to_owned(),
        birth: BirthDate::Day(day(12, 5, 1985)),
        gender: Gender::Female,
        status: Participation::Active,
        card: Some(Card {
            group: "DN",
            level: 4,
            from: day(1, 1, 2026),
            to: day(31, 12, 2026),
            facility: &FACILITIES[0],
        }),
        periods: vec![
            period(
                Month::new(7, 2005),
                Month::new(2, 2011),
                "Công ty TNHH May mặc Phú Mỹ Tiền Giang",
            ),
            period(
                Month::new(3, 2011),
                Month::new(12, 2018),
                "Công ty Cổ phần Chế biến Trái cây Mekong Tiền Giang",
            ),
            period(
                Month::new(1, 2019),
                AS_OF,
                "Công ty TNHH Điện tử Long Giang",
            ),
        ],
    };
    let retired = Record {
        code: YEAR_ONLY.to_owned(),
        full_name: "Trần Văn Sáu".to_owned(),
        birth: BirthDate::Year(1948),
        gender: Gender::Male,
        status: Participation::Stopped,
        card: Some(Card {
            group: "HT",
            level: 3,
            from: day(1, 1, 2026),
            to: day(31, 12, 2026),
            facility: &FACILITIES[7],
        }),
        periods: vec![
            period(
                Month::new(9, 1976),
                Month::new(12, 1990),
                "Hợp tác xã Nông nghiệp Bình Phục Nhứt",
            ),
            period(
                Month::new(1, 1991),
                Month::new(6, 2008),
                "Ủy ban nhân dân huyện Chợ Gạo",
            ),
        ],
    };
    let paused = Record {
        code: PAUSED.to_owned(),
        full_name: "Lê Hoàng Nam".to_owned(),
        birth: BirthDate::Day(day(23, 8, 1990)),
        gender: Gender::Male,
        status: Participation::Paused,
        card: None,
        periods: vec![period(
            Month::new(4, 2012),
            Month::new(6, 2025),
            "Công ty TNHH Thương mại Dịch vụ Vĩnh Kim",
        )],
    };
    vec![found, retired, paused]
}

#[cfg(test)]
mod tests {
    use lienthong_adapter_kit::text::nfc;

    use super::*;

    /// FNV-1a over the facts of every record: changes only when the dataset changes.
    fn fingerprint(records: &[Record]) -> u64 {
        let mut text = String::new();
        for r in records {
            let card = r.card.as_ref().map(|c| {
                format!(
                    "{}|{}|{}|{}",
                    c.number(&r.code),
                    c.from,
                    c.to,
                    c.facility.code
                )
            });
            let periods: Vec<String> = r
                .periods
                .iter()
                .map(|p| format!("{}-{}:{}", p.from.wire(), p.to.wire(), p.employer))
                .collect();
            text.push_str(&format!(
                "{}|{}|{}|{:?}|{:?}|{:?}|{}\n",
                r.code,
                r.full_name,
                r.birth.wire(),
                r.gender,
                r.status,
                card,
                periods.join(",")
            ));
        }
        text.bytes().fold(0xcbf2_9ce4_8422_2325, |hash, byte| {
            (hash ^ u64::from(byte)).wrapping_mul(0x0100_0000_01b3)
        })
    }

    #[test]
    fn records_are_consistent_and_nfc() {
        for r in build() {
            assert!(!r.periods.is_empty(), "{}", r.code);
            for p in &r.periods {
                assert!(p.from <= p.to && p.to <= AS_OF, "{}", r.code);
                assert_eq!(nfc(&p.employer), p.employer);
            }
            for pair in r.periods.windows(2) {
                assert!(pair[0].to < pair[1].from, "{} periods overlap", r.code);
            }
            assert_eq!(
                r.status == Participation::Active,
                r.periods.last().map(|p| p.to) == Some(AS_OF),
                "{}",
                r.code
            );
            if let Some(card) = &r.card {
                assert!(
                    card.from < card.to && card.from.year() == 2026,
                    "{}",
                    r.code
                );
                assert_eq!(card.number(&r.code).len(), 15);
            }
            assert_eq!(nfc(&r.full_name), r.full_name);
            assert!(r.birth.year() >= 1900);
        }
    }

    #[test]
    fn the_dataset_never_changes_by_accident() {
        let records = build();
        assert_eq!(records.len(), 3 + GENERATED);
        assert_eq!(records, build());
        assert_eq!(fingerprint(&records), 0x1f72_a1d4_eeb7_db5a);
    }
}
