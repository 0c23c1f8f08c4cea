//! The simulated registry's records: hand-written fixtures that tests name by code, and a
//! generated population (see [`super::generate`]).

use crate::model::LegalStatus;

use super::generate;
use super::tables::{self, Activity, COMMUNES, Commune, LegalForm};

/// Active joint-stock company with a foreign name, one representative, three lines.
pub(crate) const FOUND: &str = "1200123459";
/// Suspended company.
pub(crate) const SUSPENDED: &str = "1200555554";
/// A registered enterprise whose record is not shared (`02`).
pub(crate) const NOT_SHAREABLE: &str = "1200000016";
/// Identity cards are `Căn cước` from this day on, `Căn cước công dân` before.
const IDENTITY_CARD_FROM: Day = Day::new(1, 7, 2024);
/// How many enterprises the generator adds (branches come on top).
pub(crate) const GENERATED: usize = 1200;

/// A calendar date; field order makes the derived ordering chronological.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) struct Day {
    pub(crate) year: u16,
    pub(crate) month: u8,
    pub(crate) day: u8,
}

impl Day {
    /// The date `day/month/year` (callers keep `day` ≤ 28 or otherwise valid).
    pub(crate) const fn new(day: u8, month: u8, year: u16) -> Self {
        Self { year, month, day }
    }

    /// `dd/MM/yyyy`.
    pub(crate) fn wire(self) -> String {
        format!("{:02}/{:02}/{:04}", self.day, self.month, self.year)
    }
}

/// One registry record, in the registry's own terms.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Record {
    pub(crate) code: String,
    pub(crate) form: &'static LegalForm,
    pub(crate) name_vi: String,
    pub(crate) name_en: Option<String>,
    pub(crate) name_short: Option<String>,
    pub(crate) registered: Day,
    pub(crate) last_changed: Option<Day>,
    pub(crate) change_count: u32,
    pub(crate) status: LegalStatus,
    pub(crate) suspension: Option<Suspension>,
    pub(crate) representatives: Vec<Representative>,
    pub(crate) office: Office,
    pub(crate) lines: Vec<Line>,
}

/// Dates and reason of a suspension.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Suspension {
    pub(crate) from: Day,
    pub(crate) until: Day,
    pub(crate) reason: &'static str,
}

/// A legal representative.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Representative {
    pub(crate) full_name: String,
    pub(crate) title: &'static str,
    pub(crate) id_type: &'static str,
    pub(crate) id_number: String,
    pub(crate) issued_on: Day,
    pub(crate) issued_by: String,
    pub(crate) nationality: &'static str,
}

/// A head-office address in Tiền Giang.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Office {
    pub(crate) street: String,
    pub(crate) commune: &'static Commune,
}

/// A registered business line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Line {
    pub(crate) activity: &'static Activity,
    pub(crate) primary: bool,
}

/// Business lines for VSIC `codes`, the first one the main line; codes missing from the
/// table are skipped.
pub(crate) fn lines(codes: &[&str]) -> Vec<Line> {
    codes
        .iter()
        .filter_map(|code| tables::vsic(code))
        .enumerate()
        .map(|(i, activity)| Line {
            activity,
            primary: i == 0,
        })
        .collect()
}

/// Branch `number` of `parent`, registered on `registered` at `office`, headed by `head`.
pub(crate) fn branch_of(
    parent: &Record,
    number: u16,
    office: Office,
    registered: Day,
    head: Representative,
) -> Record {
    Record {
        code: format!("{}-{number:03}", parent.code),
        form: &tables::BRANCH,
        name_vi: format!("Chi nhánh {} tại {}", parent.name_vi, office.commune.name),
        name_en: parent
            .name_en
            .as_ref()
            .map(|en| format!("{en} - Branch {number:03}")),
        name_short: None,
        registered,
        last_changed: None,
        change_count: 0,
        status: LegalStatus::Active,
        suspension: None,
        representatives: vec![head],
        office,
        lines: parent.lines.clone(),
    }
}

/// Every record: fixtures first, then the generated population.
pub(crate) fn build() -> Vec<Record> {
    let mut records = fixtures();
    generate::population(&mut records, GENERATED);
    records
}

/// A Vietnamese citizen representing an enterprise; the kind of identity card follows
/// from its date of issue.
pub(crate) fn citizen(
    name: &str,
    title: &'static str,
    id_number: &str,
    issued_on: Day,
) -> Representative {
    let (id_type, issued_by) = if issued_on >= IDENTITY_CARD_FROM {
        tables::IDENTITY_CARD
    } else {
        tables::CITIZEN_ID
    };
    Representative {
        full_name: name.to_owned(),
        title,
        id_type,
        id_number: id_number.to_owned(),
        issued_on,
        issued_by: issued_by.to_owned(),
        nationality: "Việt Nam",
    }
}

/// The records tests rely on, written out by hand.
fn fixtures() -> Vec<Record> {
    let found = Record {
        code: FOUND.to_owned(),
        form: &tables::JOINT_STOCK,
        name_vi: "Công ty Cổ phần Chế biến Trái cây Mekong Tiền Giang".to_owned(),
        name_en: Some("Mekong Tien Giang Fruit Processing Joint Stock Company".to_owned()),
        name_short: Some("MEKONG TG FRUIT JSC".to_owned()),
        registered: Day::new(15, 3, 2012),
        last_changed: Some(Day::new(20, 8, 2024)),
        change_count: 7,
        status: LegalStatus::Active,
        suspension: None,
        representatives: vec![citizen(
            "Nguyễn Thị Ngọc Hân",
            "Tổng Giám đốc",
            "082185001234",
            Day::new(10, 5, 2021),
        )],
        office: Office {
            street: "Số 25 đường Ấp Bắc".to_owned(),
            commune: &COMMUNES[0],
        },
        lines: lines(&["1030", "4620", "5210"]),
    };
    let branch = branch_of(
        &found,
        1,
        Office {
            street: "Số 102 Quốc lộ 1A".to_owned(),
            commune: &COMMUNES[12],
        },
        Day::new(2, 11, 2016),
        citizen(
            "Trần Văn Phúc",
            "Giám đốc chi nhánh",
            "082079004567",
            Day::new(22, 7, 2021),
        ),
    );
    let suspended = Record {
        code: SUSPENDED.to_owned(),
        form: &tables::LLC,
        name_vi: "Công ty TNHH Thương mại Dịch vụ Vĩnh Kim".to_owned(),
        name_en: Some("Vinh Kim Trading and Services Company Limited".to_owned()),
        name_short: None,
        registered: Day::new(8, 6, 2018),
        last_changed: Some(Day::new(25, 2, 2025)),
        change_count: 3,
        status: LegalStatus::Suspended,
        suspension: Some(Suspension {
            from: Day::new(1, 3, 2025),
            until: Day::new(28, 2, 2026),
            reason: "Khó khăn về tài chính",
        }),
        representatives: vec![citizen(
            "Lê Hoàng Minh",
            "Giám đốc",
            "082088012345",
            Day::new(15, 9, 2024),
        )],
        office: Office {
            street: "Số 48 đường Lê Lợi".to_owned(),
            commune: &COMMUNES[4],
        },
        lines: lines(&["4632", "4641"]),
    };
    vec![found, branch, suspended]
}

#[cfg(test)]
mod tests {
    use std::collections::HashSet;

    use lienthong_adapter_kit::text::nfc;

    use super::*;
    use crate::code::validate_enterprise_code;

    #[test]
    fn every_code_is_valid_and_unique() {
        let records = build();
        assert!(records.len() >= 1000 + 3, "{} records", records.len());
        let mut seen = HashSet::new();
        for record in &records {
            assert_eq!(
                validate_enterprise_code(&record.code).as_deref(),
                Ok(record.code.as_str())
            );
            assert!(
                seen.insert(record.code.as_str()),
                "duplicate {}",
                record.code
            );
        }
        assert!(!seen.contains(NOT_SHAREABLE));
        assert!(!seen.contains("9876543202"));
    }

    #[test]
    fn two_builds_are_equal() {
        assert_eq!(build(), build());
    }

    #[test]
    fn records_are_complete_and_nfc() {
        for record in build() {
            assert!(!record.representatives.is_empty(), "{}", record.code);
            assert!(!record.lines.is_empty(), "{}", record.code);
            assert_eq!(
                record.lines.iter().filter(|l| l.primary).count(),
                1,
                "{}",
                record.code
            );
            assert_eq!(
                record.suspension.is_some(),
                record.status == LegalStatus::Suspended
            );
            if let Some(changed) = record.last_changed {
                assert!(changed > record.registered, "{}", record.code);
            }
            for text in [&record.name_vi, &record.office.street] {
                assert_eq!(&nfc(text), text);
            }
        }
    }

    #[test]
    fn fixtures_are_as_documented() {
        let records = build();
        let find = |code: &str| records.iter().find(|r| r.code == code).unwrap();
        let found = find(FOUND);
        assert_eq!(found.status, LegalStatus::Active);
        assert!(found.name_en.is_some());
        assert_eq!(found.representatives.len(), 1);
        assert_eq!(found.lines.len(), 3);
        assert_eq!(find("1200123459-001").form, &tables::BRANCH);
        assert_eq!(find(SUSPENDED).status, LegalStatus::Suspended);
    }

    /// FNV-1a over the facts of every record: changes only when the dataset changes.
    fn fingerprint(records: &[Record]) -> u64 {
        let mut text = String::new();
        for r in records {
            let people = r
                .representatives
                .iter()
                .map(|p| format!("{}/{}/{}", p.full_name, p.id_number, p.issued_on.wire()));
            let lines = r
                .lines
                .iter()
                .map(|l| format!("{}:{}", l.activity.code, l.primary));
            text.push_str(&format!(
                "{}|{}|{}|{:?}|{:?}|{}|{:?}|{}|{}|{}|{}\n",
                r.code,
                r.form.code,
                r.name_vi,
                r.name_en,
                r.name_short,
                r.registered.wire(),
                r.last_changed.map(Day::wire),
                r.status.wire_code(),
                r.office.street,
                people.collect::<Vec<_>>().join(","),
                lines.collect::<Vec<_>>().join(","),
            ));
        }
        text.bytes().fold(0xcbf2_9ce4_8422_2325, |hash, byte| {
            (hash ^ u64::from(byte)).wrapping_mul(0x0100_0000_01b3)
        })
    }

    #[test]
    fn the_dataset_never_changes_by_accident() {
        let records = build();
        assert_eq!(records.len(), 1251);
        assert_eq!(records[3].code, "1286259716");
        assert_eq!(
            records[3].name_vi,
            "Công ty TNHH Một thành viên Tư vấn Thiết kế Gia An"
        );
        assert_eq!(fingerprint(&records), 0x11f5_9ab7_4473_04d4);
    }

    #[test]
    fn trade_tables_name_known_business_lines() {
        for trade in tables::TRADES {
            assert_eq!(lines(trade.lines).len(), trade.lines.len(), "{}", trade.vi);
        }
    }
}
