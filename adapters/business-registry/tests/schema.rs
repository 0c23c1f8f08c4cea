//! The published schema (`schemas/partners/business-registry.xsd`) matches what the adapter
//! sends and what the simulator answers, checked with `xmllint` (package `libxml2-utils`,
//! which the project's test command installs when it is missing).

use std::path::{Path, PathBuf};
use std::process::Command;

use lienthong_adapter_business_registry::{BusinessRegistry, RegistrySimulator};
use lienthong_core::adapter::{Adapter, CallContext, Input, WireRequest};
use lienthong_core::sim::Simulator;
use lienthong_core::testkit;
use serde_json::json;

fn schemas() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../schemas/partners")
}

fn require_xmllint() {
    assert!(
        Command::new("xmllint").arg("--version").output().is_ok(),
        "xmllint is required: apt-get install libxml2-utils (scripts/test does this)"
    );
}

/// A SOAP 1.1 envelope schema whose header and body hold registry elements, checked
/// strictly against the published XSD.
fn envelope_schema(dir: &Path) -> PathBuf {
    let xsd = schemas().join("business-registry.xsd");
    let text = format!(
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
    );
    let path = dir.join("envelope.xsd");
    std::fs::write(&path, text).expect("temporary schema is written");
    path
}

fn validate(dir: &Path, documents: &[(String, Vec<u8>)]) {
    let schema = envelope_schema(dir);
    let mut command = Command::new("xmllint");
    command.arg("--noout").arg("--schema").arg(&schema);
    for (name, body) in documents {
        let path = dir.join(name);
        std::fs::write(&path, body).expect("temporary document is written");
        command.arg(path);
    }
    let output = command.output().expect("xmllint runs");
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
}

#[test]
fn requests_and_answers_validate_against_the_xsd() {
    require_xmllint();
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join("business-registry-schema");
    std::fs::create_dir_all(&dir).unwrap();
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
        let path = Path::new(env!("CARGO_MANIFEST_DIR")).join(format!("fixtures/{fixture}.xml"));
        documents.push((
            format!("fixture-{fixture}.xml"),
            std::fs::read(path).unwrap(),
        ));
    }
    validate(&dir, &documents);
}

#[test]
fn the_wsdl_is_well_formed_and_names_the_action() {
    require_xmllint();
    let wsdl = schemas().join("business-registry.wsdl");
    let output = Command::new("xmllint")
        .arg("--noout")
        .arg(&wsdl)
        .output()
        .unwrap();
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
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
