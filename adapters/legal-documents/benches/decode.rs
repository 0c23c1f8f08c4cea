//! Decode throughput of the legal-documents adapter: the recorded search answer and a full
//! page of 100 documents from the simulator. Criterion reports bytes per second.

use std::hint::black_box;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use lienthong_adapter_kit::adapter::{Adapter, Outcome, WireResponse};
use lienthong_adapter_kit::sim::{SimSettings, Simulator};
use lienthong_adapter_kit::testkit::{self, TestRequest};
use lienthong_adapter_legal_documents::{LegalDocuments, LegalDocumentsSimulator};

const SEARCH_ANSWER: &str = include_str!("../fixtures/search_answer.json");

/// The simulator's answer to a search for 100 documents.
fn full_page() -> WireResponse {
    let simulator = LegalDocumentsSimulator::new(&SimSettings::default());
    let op = testkit::operation(&LegalDocuments, "searchLegalDocuments");
    let input = TestRequest::default()
        .with_query("page_size", "100")
        .validate(&LegalDocuments, op)
        .expect("valid input");
    let request = LegalDocuments
        .encode(op, &input, &testkit::context(None))
        .expect("encodes");
    simulator.handle(&request)
}

fn decode(c: &mut Criterion) {
    let op = testkit::operation(&LegalDocuments, "searchLegalDocuments");
    let mut group = c.benchmark_group("decode");
    let recorded = testkit::wire_response(200, "application/json; charset=utf-8", SEARCH_ANSWER);
    for (name, response, items) in [("search_3", recorded, 3), ("search_100", full_page(), 100)] {
        match LegalDocuments.decode(op, &response) {
            Outcome::Found(page) => {
                assert_eq!(page["items"].as_array().map(Vec::len), Some(items));
            }
            other => panic!("{name}: {other:?}"),
        }
        group.throughput(Throughput::Bytes(response.body.len() as u64));
        group.bench_function(name, |b| {
            b.iter(|| LegalDocuments.decode(op, black_box(&response)))
        });
    }
    group.finish();
}

criterion_group!(benches, decode);
criterion_main!(benches);
