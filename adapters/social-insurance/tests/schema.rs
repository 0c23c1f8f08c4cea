//! The published schema (`schemas/partners/social-insurance.xsd`) matches what the adapter
//! sends and what the simulator answers, checked with `xmllint` (package `libxml2-utils`,
//! which the project's test command installs when it is missing).

mod common;

use std::path::Path;

use http::HeaderValue;
use lienthong_adapter_kit::adapter::Credentials;
use lienthong_adapter_kit::sim::{PartnerFault, Simulator};
use lienthong_adapter_kit::testkit::{self, xmllint};

use common::{BINH, demo_credentials, encode, simulator};

/// A SOAP 1.2 envelope schema: header blocks of this partner are checked when declared
/// (the WS-Security block belongs to OASIS and is skipped); the body holds one payload
/// element, checked strictly, or a SOAP 1.2 fault.
fn envelope_schema() -> String {
    let xsd = testkit::partner_schemas().join("social-insurance.xsd");
    format!(
        r###"<xs:schema xmlns:xs="http://www.w3.org/2001/XMLSchema"
    xmlns:env="http://www.w3.org/2003/05/soap-envelope"
    targetNamespace="http://www.w3.org/2003/05/soap-envelope" elementFormDefault="qualified">
  <xs:import namespace="urn:vn:gov:bhxh:v1" schemaLocation="{}"/>
  <xs:element name="Envelope"><xs:complexType><xs:sequence>
    <xs:element name="Header" minOccurs="0"><xs:complexType><xs:sequence>
      <xs:any namespace="##other" processContents="lax" minOccurs="0" maxOccurs="unbounded"/>
    </xs:sequence></xs:complexType></xs:element>
    <xs:element name="Body"><xs:complexType><xs:choice>
      <xs:any namespace="urn:vn:gov:bhxh:v1" processContents="strict"/>
      <xs:element ref="env:Fault"/>
    </xs:choice></xs:complexType></xs:element>
  </xs:sequence></xs:complexType></xs:element>
  <xs:element name="Fault"><xs:complexType><xs:sequence>
    <xs:element name="Code"><xs:complexType><xs:sequence>
      <xs:element name="Value" type="xs:QName"/>
      <xs:element name="Subcode" minOccurs="0"><xs:complexType><xs:sequence>
        <xs:element name="Value" type="xs:QName"/>
      </xs:sequence></xs:complexType></xs:element>
    </xs:sequence></xs:complexType></xs:element>
    <xs:element name="Reason"><xs:complexType><xs:sequence>
      <xs:element name="Text" maxOccurs="unbounded"><xs:complexType><xs:simpleContent>
        <xs:extension base="xs:string">
          <xs:anyAttribute namespace="http://www.w3.org/XML/1998/namespace" processContents="skip"/>
        </xs:extension>
      </xs:simpleContent></xs:complexType></xs:element>
    </xs:sequence></xs:complexType></xs:element>
  </xs:sequence></xs:complexType></xs:element>
</xs:schema>"###,
        xsd.display()
    )
}

#[test]
fn requests_answers_and_faults_validate_against_the_xsd() {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join("social-insurance-schema");
    let credentials = demo_credentials();
    let ctx = testkit::context(Some(&credentials));
    let mut documents = Vec::new();
    let mut asks: Vec<(String, String, String)> = vec![
        ("8200000003".into(), "Lê Văn Tám".into(), "1970".into()),
        (
            "8299999999".into(),
            "O'Neil Nguyễn-Lê".into(),
            "2001-01-31".into(),
        ),
    ];
    asks.extend(
        simulator()
            .identities()
            .step_by(25)
            .map(|id| (id.insurance_code, id.full_name, id.date_of_birth)),
    );
    for (i, (code, name, birth)) in asks.iter().enumerate() {
        let ask = (code.as_str(), name.as_str(), birth.as_str());
        let request = encode(ask, &ctx);
        let answer = simulator().handle(&encode(ask, &ctx));
        documents.push((format!("request-{i}.xml"), request.body.to_vec()));
        documents.push((format!("answer-{i}.xml"), answer.body.to_vec()));
    }
    let wrong = Credentials {
        password: "wrong".into(),
        ..demo_credentials()
    };
    let mut wrong_type = encode(BINH, &ctx);
    wrong_type
        .headers
        .insert("content-type", HeaderValue::from_static("text/xml"));
    for (name, answer) in [
        ("fault", simulator().fault(PartnerFault::Fault)),
        (
            "busy",
            simulator().fault(PartnerFault::Busy {
                retry_after_secs: 2,
            }),
        ),
        ("unavailable", simulator().fault(PartnerFault::Unavailable)),
        (
            "unauthorized",
            simulator().handle(&encode(BINH, &testkit::context(Some(&wrong)))),
        ),
        ("sender", simulator().handle(&wrong_type)),
    ] {
        documents.push((format!("{name}.xml"), answer.body.to_vec()));
    }
    for fixture in [
        "found",
        "found_nfd",
        "found_prefix",
        "found_default_ns",
        "not_found",
        "not_shareable",
        "interrupted",
        "error",
        "fault_auth",
        "fault_busy",
        "fault_receiver",
        "fault_sender",
    ] {
        documents.push((
            format!("fixture-{fixture}.xml"),
            common::fixture(&format!("{fixture}.xml")).into_bytes(),
        ));
    }
    xmllint::validate(&dir, &envelope_schema(), &documents);
}

#[test]
fn the_wsdl_is_well_formed_and_names_the_action_and_security() {
    let wsdl = testkit::partner_schemas().join("social-insurance.wsdl");
    xmllint::well_formed(&wsdl);
    let text = std::fs::read_to_string(wsdl).unwrap();
    for expected in [
        r#"soapAction="urn:bhxh:TraCuuThamGia""#,
        r#"schemaLocation="social-insurance.xsd""#,
        r#"xmlns:soap12="http://schemas.xmlsoap.org/wsdl/soap12/""#,
        r#"<soap12:binding style="document""#,
        "<sp:HashPassword/>",
        "PasswordDigest",
        "bh:XacThucThatBai",
        "bh:QuaTai",
    ] {
        assert!(text.contains(expected), "{expected}");
    }
}
