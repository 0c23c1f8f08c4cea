//! The published schema (`schemas/partners/business-registry.xsd`) matches what the adapter
//! sends and what the simulator answers, checked with `xmllint` (package `libxml2-utils`,
//! which the project's test command installs when it is missing).

use std::path::Path;

use lienthong_adapter_business_registry::{BusinessRegistry, RegistrySimulator};
use lienthong_adapter_kit::adapter::{Adapter, CallContext, Input, WireRequest};
use lienthong_adapter_kit::sim::Simulator;
use lienthong_adapter_kit::testkit::{self, xmllint};
use serde_json::json;

/// A SOAP 1.1 envelope schema whose header and body hold registry elements, checked
/// strictly against the published XSD.
fn envelope_schema() -> String {
    let xsd = testkit::partner_schemas().join("business-registry.xsd");
    format!(
        r#"<xs:schema xmlns:xs="http://www.w3.org/2001/XMLSchema"
    targetNamespace="http://schemas.xmlsoap.org/soap/envelope/" elementFormDefault="qualified">
  <xs:import namespace="urn:vn:gov:dkkd:v1" schemaLocation="{}"/>
  <xs:element name="Envelope"><xs:complexType><xs:sequence>
    <xs:element name="Header" minOccurs="0"><xs:complexType><xs:sequence>
      <xs:any namespace="urn:vn:gov:dkkd:v1" processContents="strict" maxOccurs="unbounded"/>
    </xs:sequence></xs:complexType></xs:element>
    <xs:element name="Body"><xs:complexType><xs:sequence>
      <xs:any namespace="urn:vn:gov:dkkd:v1" processContents="strict"/>
    </xs:sequence></xs:complexType></xs:element>
  </xs:sequence></xs:complexType></xs:element>
</xs:schema>"#,
        xsd.display()
    )
}

#[test]
fn requests_and_answers_validate_against_the_xsd() {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join("business-registry-schema");
    let simulator = RegistrySimulator::new();
    let with_dossier = testkit::context(None);
    let without_dossier = CallContext {
        dossier_code: None,
        ..testkit::context(None)
    };
    let mut documents = vec![
        (
            "request.xml".to_owned(),
            request_for("1200123459", &with_dossier).body.to_vec(),
        ),
        (
            "request-branch.xml".to_owned(),
            request_for("1200123459-001", &without_dossier)
                .body
                .to_vec(),
        ),
    ];
    let mut codes: Vec<String> = ["1200000016", "9876543202"].map(str::to_owned).to_vec();
    codes.extend(simulator.enterprise_codes().step_by(25).map(str::to_owned));
    codes.extend(["1200123459-001", "1200555554"].map(str::to_owned));
    for code in &codes {
        let answer = simulator.handle(&request_for(code, &with_dossier));
        documents.push((format!("answer-{code}.xml"), answer.body.to_vec()));
    }
    for fixture in [
        "found",
        "found_nfd",
        "found_prefix",
        "found_default_ns",
        "not_found",
        "error",
    ] {
        let name = format!("{fixture}.xml");
        let body = testkit::fixture(env!("CARGO_MANIFEST_DIR"), &name);
        documents.push((format!("fixture-{name}"), body));
    }
    xmllint::validate(&dir, &envelope_schema(), &documents);
}

#[test]
fn the_wsdl_is_well_formed_and_names_the_action() {
    let wsdl = testkit::partner_schemas().join("business-registry.wsdl");
    xmllint::well_formed(&wsdl);
    let text = std::fs::read_to_string(wsdl).unwrap();
    assert!(text.contains(r#"soapAction="urn:dkkd:GetEnterpriseInfo""#));
    assert!(text.contains(r#"schemaLocation="business-registry.xsd""#));
}

fn request_for(code: &str, ctx: &CallContext<'_>) -> WireRequest {
    let op = testkit::operation(&BusinessRegistry, "getEnterprise");
    let input = Input::new(&json!({ "enterprise_code": code })).expect("input is JSON");
    BusinessRegistry
        .encode(op, &input, ctx)
        .expect("the adapter encodes any input")
}
