//! Fuzzing the readers of partner answers on stable Rust (proptest): random bytes and
//! mutations of well-formed documents never make the XML reader, the SOAP envelope
//! reader or the strict JSON reader panic, and their time grows linearly with the input.
//! Each property runs 256 cases; `PROPTEST_CASES=100000` runs longer.

use std::time::{Duration, Instant};

use proptest::collection::vec;
use proptest::prelude::*;

use crate::mutate::mutate;
use crate::soap::{self, Envelope, SoapVersion};
use crate::xml::{self, Limits};
use crate::{json, wire};

/// Well-formed documents of every shape the readers know.
fn xml_seeds() -> Vec<Vec<u8>> {
    let record = wire::soap_result(
        SoapVersion::V12,
        ("t", "urn:t"),
        "Answer",
        ("00", "Thành công"),
        |w| {
            w.open("t:Rec", &[("xml:lang", "vi"), ("a", "1&2")])
                .leaf("t:Ten", "Nguyễn <Văn>")
                .leaf_opt("t:Ngay", Some("01/02/2020"))
                .close("t:Rec");
        },
    );
    let handwritten = r#"<?xml version="1.0"?><!-- c --><a xmlns="urn:d" xmlns:p="urn:p"><?pi x?>
        <p:b p:x="1" y='2'>T&amp;C &#x1EA1;<![CDATA[<raw>]]></p:b><c xmlns=""><d/></c></a>"#;
    vec![
        soap::fault_11("Server.Busy", "bận"),
        soap::fault_12("Receiver", Some(("bh", "urn:bh", "QuaTai")), "quá tải"),
        record,
        handwritten.into(),
    ]
    .into_iter()
    .map(|b| b.to_vec())
    .collect()
}

const JSON_SEED: &str =
    r#"{"maKetQua":"00","duLieu":[{"id":1,"x":-2.5e3,"t":"ạ\n","n":null,"b":[true,{}]}]}"#;

fn read_xml(bytes: &[u8]) {
    if let Ok(root) = xml::parse(bytes, Limits::default()) {
        // Whatever was accepted can be walked and resolved.
        let mut pending = vec![&root];
        while let Some(element) = pending.pop() {
            let _ = (
                element.text(),
                element.resolve_qname("p:x"),
                element.attr("a"),
            );
            pending.extend(element.children());
        }
    }
    if let Ok(envelope) = Envelope::parse(bytes, Limits::default()) {
        let _ = (envelope.fault(), envelope.payload());
    }
}

proptest! {
    #[test]
    fn fuzz_xml_random_bytes(bytes in vec(any::<u8>(), 0..2048)) {
        read_xml(&bytes);
    }

    #[test]
    fn fuzz_xml_mutated_documents(
        seed in 0..4usize,
        edits in vec(any::<(u8, usize, usize)>(), 1..8),
    ) {
        read_xml(&mutate(&xml_seeds()[seed], &edits));
    }

    #[test]
    fn fuzz_json_mutated_and_random(
        edits in vec(any::<(u8, usize, usize)>(), 1..8),
        noise in vec(any::<u8>(), 0..512),
    ) {
        let _ = json::parse(&mutate(JSON_SEED.as_bytes(), &edits));
        let _ = json::parse(&noise);
    }
}

/// The least of several timings of `read` on `input` (the least is the least disturbed
/// by other work on the machine).
fn least_time(input: &[u8], read: fn(&[u8])) -> Duration {
    (0..3)
        .map(|_| {
            let started = Instant::now();
            read(input);
            started.elapsed()
        })
        .min()
        .unwrap_or_default()
}

/// Eight times the input may take eight times as long, but not the 64 times of
/// quadratic work: the factor allowed is 24, generous for a busy machine.
fn assert_linear(name: &str, family: fn(usize) -> Vec<u8>, read: fn(&[u8])) {
    let small = least_time(&family(2000), read);
    let large = least_time(&family(16_000), read);
    assert!(
        large <= small * 24 + Duration::from_millis(5),
        "{name}: {small:?} for 2000, {large:?} for 16000"
    );
}

#[test]
fn fuzz_reading_time_is_linear_in_input() {
    let xml: fn(&[u8]) = |bytes| {
        let _ = xml::parse(bytes, Limits::partner_answer());
    };
    assert_linear(
        "siblings declaring namespaces",
        |n| {
            let children: String = (0..n)
                .map(|i| format!(r#"<p:c xmlns:q{i}="urn:q" q{i}:a="1"/>"#))
                .collect();
            format!(r#"<r xmlns:p="urn:p">{children}</r>"#).into_bytes()
        },
        xml,
    );
    assert_linear(
        "a namespace bomb",
        |n| {
            let root: String = (0..n / 2)
                .map(|i| format!(r#" xmlns:p{i}="urn:{i}""#))
                .collect();
            let children: String = (0..n / 2)
                .map(|i| format!(r#"<c xmlns:q{i}="urn:q"/>"#))
                .collect();
            format!("<r{root}>{children}</r>").into_bytes()
        },
        xml,
    );
    assert_linear(
        "lookups through deep scopes",
        |n| {
            let open: String = (0..60)
                .map(|i| format!(r#"<e xmlns:a{i}="urn:a" xmlns:b{i}="urn:b">"#))
                .collect();
            let close = "</e>".repeat(60);
            let nest = format!("{open}<top:x/>{close}");
            format!(r#"<r xmlns:top="urn:top">{}</r>"#, nest.repeat(n / 50)).into_bytes()
        },
        xml,
    );
    assert_linear(
        "attributes and references",
        |n| {
            let attributes: String = (0..60).map(|i| format!(r#" a{i}="&amp;{i}""#)).collect();
            format!(
                "<r>{}</r>",
                format!("<c{attributes}>&#x1EA1;&lt;</c>").repeat(n / 10)
            )
            .into_bytes()
        },
        xml,
    );
    assert_linear(
        "wide and nested JSON",
        |n| {
            let keys: Vec<String> = (0..n)
                .map(|i| format!(r#""k{i}":[[[{{"v":{i}}}]]]"#))
                .collect();
            format!("{{{}}}", keys.join(",")).into_bytes()
        },
        |bytes| {
            let _ = json::parse(bytes);
        },
    );
}
