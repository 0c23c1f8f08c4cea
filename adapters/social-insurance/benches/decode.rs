//! Decode throughput of the social-insurance adapter: the recorded found answer, and a
//! long career of 300 contribution periods. Criterion reports bytes per second.

use std::hint::black_box;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use lienthong_adapter_kit::adapter::{Adapter, Outcome};
use lienthong_adapter_kit::testkit;
use lienthong_adapter_social_insurance::SocialInsurance;

const FOUND: &str = include_str!("../fixtures/found.xml");

/// The found answer with `count` contribution periods in place of its three.
fn with_periods(count: usize) -> String {
    let start = FOUND
        .find("<bh:QuaTrinhDong>")
        .expect("fixture has a history");
    let end = FOUND
        .find("</bh:QuaTrinhDong>")
        .expect("fixture has a history");
    let periods: String = (0..count)
        .map(|i| {
            let (year, month) = (1990 + i / 12, i % 12 + 1);
            format!(
                "\n          <bh:Dong>\n            <bh:TuThang>{month:02}/{year}</bh:TuThang>\n            \
                 <bh:DenThang>{month:02}/{year}</bh:DenThang>\n            \
                 <bh:TenDonVi>Công ty Cổ phần Chế biến Thủy sản Sông Tiền, chi nhánh {i}</bh:TenDonVi>\n          </bh:Dong>"
            )
        })
        .collect();
    format!(
        "{}<bh:QuaTrinhDong>{periods}\n        {}",
        &FOUND[..start],
        &FOUND[end..]
    )
}

fn decode(c: &mut Criterion) {
    let op = testkit::operation(&SocialInsurance, "getInsuranceParticipant");
    let mut group = c.benchmark_group("decode");
    for (name, body, periods) in [
        ("found", FOUND.to_owned(), 3),
        ("300_contribution_periods", with_periods(300), 300),
    ] {
        let response = testkit::wire_response(200, "application/soap+xml; charset=utf-8", body);
        match SocialInsurance.decode(op, &response) {
            Outcome::Found(record) => {
                assert_eq!(
                    record["contributions"].as_array().map(Vec::len),
                    Some(periods)
                );
            }
            other => panic!("{name}: {other:?}"),
        }
        group.throughput(Throughput::Bytes(response.body.len() as u64));
        group.bench_function(name, |b| {
            b.iter(|| SocialInsurance.decode(op, black_box(&response)))
        });
    }
    group.finish();
}

criterion_group!(benches, decode);
criterion_main!(benches);
