//! Calendar dates in Indochina Time (UTC+7), the time zone of every date on the wire.

use std::time::SystemTime;

use chrono::{DateTime, NaiveDate, TimeDelta, Utc};

/// Offset of ICT from UTC.
const OFFSET: TimeDelta = TimeDelta::hours(7);

/// The ICT calendar date at `time`.
pub(crate) fn date(time: SystemTime) -> NaiveDate {
    let utc = DateTime::<Utc>::from(time).naive_utc();
    utc.checked_add_signed(OFFSET).unwrap_or(utc).date()
}
