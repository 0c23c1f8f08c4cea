//! Decode throughput of the business-registry adapter: the recorded found answer and a
//! large synthetic answer with 200 business lines. Criterion reports bytes per second.

use std::hint::black_box;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use lienthong_adapter_business_registry::BusinessRegistry;
use lienthong_adapter_kit::adapter::{Adapter, Outcome};
use lienthong_adapter_kit::testkit;

const FOUND: &str = include_str!("../fixtures/found.xml");

/// The found answer with `count` business lines in place of its three.
fn with_lines(count: usize) -> String {
    let start = FOUND
        .find("<dk:NganhNgheKinhDoanh>")
        .expect("fixture has business lines");
    let end = FOUND
        .find("</dk:NganhNgheKinhDoanh>")
        .expect("fixture has business lines");
    let lines: String = (0..count)
        .map(|i| {
            format!(
                "\n          <dk:Nganh>\n            <dk:MaNganh>{:04}</dk:MaNganh>\n            \
                 <dk:TenNganh>Bán buôn nông, lâm sản nguyên liệu (trừ gỗ, tre, nứa) và động vật sống, nhóm {i}</dk:TenNganh>\n            \
                 <dk:LaNganhChinh>{}</dk:LaNganhChinh>\n          </dk:Nganh>",
                1000 + i,
                i == 0
            )
        })
        .collect();
    format!(
        "{}<dk:NganhNgheKinhDoanh>{lines}\n        {}",
        &FOUND[..start],
        &FOUND[end..]
    )
}

fn decode(c: &mut Criterion) {
    let op = testkit::operation(&BusinessRegistry, "getEnterprise");
    let mut group = c.benchmark_group("decode");
    for (name, body, lines) in [
        ("found", FOUND.to_owned(), 3),
        ("200_business_lines", with_lines(200), 200),
    ] {
        let response = testkit::wire_response(200, "text/xml; charset=utf-8", body);
        match BusinessRegistry.decode(op, &response) {
            Outcome::Found(record) => {
                assert_eq!(
                    record["business_lines"].as_array().map(Vec::len),
                    Some(lines)
                );
            }
            other => panic!("{name}: {other:?}"),
        }
        group.throughput(Throughput::Bytes(response.body.len() as u64));
        group.bench_function(name, |b| {
            b.iter(|| BusinessRegistry.decode(op, black_box(&response)))
        });
    }
    group.finish();
}

criterion_group!(benches, decode);
criterion_main!(benches);
