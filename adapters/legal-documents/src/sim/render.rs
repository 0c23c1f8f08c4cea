//! A document as the partner writes it: the JSON item of search answers, and the detail
//! with its HTML content and related documents.

use std::fmt::Write;

use chrono::{Datelike, NaiveDate};
use lienthong_adapter_kit::text::wire_date;
use serde_json::{Value, json};

use super::corpus::Doc;
use super::tables::{LAW_KIND, PROVINCE};
use crate::model::Relation;

/// The search-answer item of `doc`.
pub(crate) fn item(doc: &Doc) -> Value {
    json!({
        "id": doc.id.to_string(),
        "soKyHieu": doc.number,
        "trichYeu": doc.title,
        "loaiVanBan": doc.kind,
        "coQuanBanHanh": doc.issuer,
        "nguoiKy": doc.signer,
        "ngayBanHanh": wire_date(doc.issued),
        "ngayHieuLuc": doc.effective.map(wire_date),
        "tinhTrangHieuLuc": doc.validity.label(),
        "linhVuc": doc.fields,
    })
}

/// The detail of `doc`: its item plus `noiDung` and `vanBanLienQuan`.
pub(crate) fn detail(doc: &Doc, corpus: &[Doc]) -> Value {
    let related: Vec<(&Doc, Relation)> = doc
        .related
        .iter()
        .filter_map(|(i, relation)| Some((corpus.get(*i)?, *relation)))
        .collect();
    let mut value = item(doc);
    if let Value::Object(fields) = &mut value {
        fields.insert("noiDung".into(), content(doc, &related).into());
        let links: Vec<Value> = related
            .iter()
            .map(|(other, relation)| {
                json!({
                    "id": other.id.to_string(),
                    "soKyHieu": other.number,
                    "quanHe": relation.label(),
                })
            })
            .collect();
        fields.insert("vanBanLienQuan".into(), links.into());
    }
    value
}

/// A short HTML rendering: heading, bases, the articles on related documents, signature.
fn content(doc: &Doc, related: &[(&Doc, Relation)]) -> String {
    let place = if doc.local { PROVINCE } else { "Hà Nội" };
    let mut html = String::with_capacity(1024);
    let _ = write!(
        html,
        "<div class=\"van-ban\"><p class=\"co-quan\">{}</p><p class=\"so-ky-hieu\">Số: {}</p>\
         <p class=\"dia-danh\">{place}, {}</p><h1>{}</h1><h2>{}</h2>",
        escape(&doc.issuer.to_uppercase()),
        escape(&doc.number),
        long_date(doc.issued),
        escape(&doc.kind.to_uppercase()),
        escape(&doc.title),
    );
    for (other, _) in related.iter().filter(|(_, r)| *r == Relation::BasedOn) {
        let cited = if other.kind == LAW_KIND {
            other.title.clone()
        } else {
            format!("{} số {}", other.kind, other.number)
        };
        let _ = write!(
            html,
            "<p class=\"can-cu\">Căn cứ {} {} của {};</p>",
            escape(&cited),
            long_date(other.issued),
            escape(other.issuer)
        );
    }
    let mut article = 0;
    let mut next = || {
        article += 1;
        article
    };
    let _ = write!(
        html,
        "<p><strong>Điều {}.</strong> Phạm vi điều chỉnh: {}.</p>",
        next(),
        escape(&doc.title)
    );
    for (other, relation) in related.iter().filter(|(_, r)| *r != Relation::BasedOn) {
        let _ = write!(
            html,
            "<p><strong>Điều {}.</strong> {} {} số {}.</p>",
            next(),
            relation.label(),
            escape(&other.kind.to_lowercase()),
            escape(&other.number)
        );
    }
    if let Some(effective) = doc.effective {
        let _ = write!(
            html,
            "<p><strong>Điều {}.</strong> Hiệu lực thi hành: kể từ {}.</p>",
            next(),
            long_date(effective)
        );
    }
    let _ = write!(
        html,
        "<p class=\"nguoi-ky\">{}</p></div>",
        escape(&doc.signer)
    );
    html
}

/// `ngày 09 tháng 4 năm 2020`, as documents write dates in running text.
fn long_date(date: NaiveDate) -> String {
    format!(
        "ngày {:02} tháng {} năm {}",
        date.day(),
        date.month(),
        date.year()
    )
}

/// Text escaped for HTML element content.
fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '&' => out.push_str("&amp;"),
            '"' => out.push_str("&quot;"),
            _ => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_is_escaped_and_dates_are_written_out() {
        assert_eq!(escape("a<b>&\"c\""), "a&lt;b&gt;&amp;&quot;c&quot;");
        let date = NaiveDate::from_ymd_opt(2020, 4, 9).unwrap_or_default();
        assert_eq!(long_date(date), "ngày 09 tháng 4 năm 2020");
    }
}
