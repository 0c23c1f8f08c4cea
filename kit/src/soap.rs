//! SOAP 1.1 and 1.2 envelopes: writing requests (and, for simulators, answers and faults)
//! and reading them back through the bounded [`crate::xml`] tree.

use bytes::Bytes;
use quick_xml::escape::escape;

use crate::xml::{self, Element, Limits, XmlError};

/// SOAP 1.1 envelope namespace.
pub const SOAP11_NS: &str = "http://schemas.xmlsoap.org/soap/envelope/";
/// SOAP 1.2 envelope namespace.
pub const SOAP12_NS: &str = "http://www.w3.org/2003/05/soap-envelope";

/// The SOAP version of an envelope.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SoapVersion {
    /// SOAP 1.1 (`text/xml`, `SOAPAction` header).
    V11,
    /// SOAP 1.2 (`application/soap+xml` with an `action` parameter).
    V12,
}

impl SoapVersion {
    /// The envelope namespace of this version.
    pub fn namespace(self) -> &'static str {
        match self {
            Self::V11 => SOAP11_NS,
            Self::V12 => SOAP12_NS,
        }
    }
}

/// Builds XML text. Element names come from code; text and attribute values are escaped.
#[derive(Debug)]
pub struct XmlWriter {
    buf: String,
}

impl Default for XmlWriter {
    fn default() -> Self {
        Self::new()
    }
}

impl XmlWriter {
    /// Starts a document with the UTF-8 XML declaration.
    pub fn new() -> Self {
        let mut buf = String::with_capacity(1024);
        buf.push_str(r#"<?xml version="1.0" encoding="utf-8"?>"#);
        Self { buf }
    }

    /// Opens `<name attr="value" ...>`.
    pub fn open(&mut self, name: &str, attributes: &[(&str, &str)]) -> &mut Self {
        self.buf.push('<');
        self.buf.push_str(name);
        for (key, value) in attributes {
            self.buf.push(' ');
            self.buf.push_str(key);
            self.buf.push_str("=\"");
            self.buf.push_str(&escape(*value));
            self.buf.push('"');
        }
        self.buf.push('>');
        self
    }

    /// Closes `</name>`.
    pub fn close(&mut self, name: &str) -> &mut Self {
        self.buf.push_str("</");
        self.buf.push_str(name);
        self.buf.push('>');
        self
    }

    /// Writes `<name attr="value">text</name>`.
    pub fn leaf_with(&mut self, name: &str, attributes: &[(&str, &str)], text: &str) -> &mut Self {
        self.open(name, attributes);
        self.buf.push_str(&escape(text));
        self.close(name)
    }

    /// Writes `<name>text</name>`.
    pub fn leaf(&mut self, name: &str, text: &str) -> &mut Self {
        self.leaf_with(name, &[], text)
    }

    /// Writes `<name>text</name>` when there is a value; nothing otherwise.
    pub fn leaf_opt(&mut self, name: &str, text: Option<&str>) -> &mut Self {
        if let Some(text) = text {
            self.leaf(name, text);
        }
        self
    }

    /// The document so far.
    pub fn finish(self) -> Bytes {
        Bytes::from(self.buf)
    }
}

/// Writes a complete envelope: `env` is bound to the version's namespace, `namespaces`
/// adds the payload's prefixes; when `header` writes nothing no `Header` is emitted.
pub fn write_envelope(
    version: SoapVersion,
    namespaces: &[(&str, &str)],
    header: impl FnOnce(&mut XmlWriter),
    body: impl FnOnce(&mut XmlWriter),
) -> Bytes {
    let mut attributes: Vec<(String, &str)> = vec![("xmlns:env".into(), version.namespace())];
    attributes.extend(namespaces.iter().map(|(p, ns)| (format!("xmlns:{p}"), *ns)));
    let attributes: Vec<(&str, &str)> = attributes.iter().map(|(k, v)| (k.as_str(), *v)).collect();
    let mut w = XmlWriter::new();
    w.open("env:Envelope", &attributes);
    let mut header_writer = XmlWriter { buf: String::new() };
    header(&mut header_writer);
    if !header_writer.buf.is_empty() {
        w.open("env:Header", &[]);
        w.buf.push_str(&header_writer.buf);
        w.close("env:Header");
    }
    w.open("env:Body", &[]);
    body(&mut w);
    w.close("env:Body");
    w.close("env:Envelope");
    w.finish()
}

/// A parsed envelope.
#[derive(Debug, Clone)]
pub struct Envelope {
    /// Which SOAP version the envelope namespace says.
    pub version: SoapVersion,
    /// The `Header` element, if present.
    pub header: Option<Element>,
    /// The `Body` element.
    pub body: Element,
}

/// Why an envelope could not be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SoapError {
    /// The XML itself was refused.
    #[error(transparent)]
    Xml(#[from] XmlError),
    /// The root is not a SOAP 1.1 or 1.2 `Envelope`.
    #[error("root element is not a SOAP Envelope")]
    NotAnEnvelope,
    /// The envelope has no `Body`.
    #[error("SOAP Envelope has no Body")]
    NoBody,
}

impl Envelope {
    /// Parses and checks the envelope structure.
    pub fn parse(bytes: &[u8], limits: Limits) -> Result<Self, SoapError> {
        let root = xml::parse(bytes, limits)?;
        let version = match root.ns() {
            Some(SOAP11_NS) if root.name() == "Envelope" => SoapVersion::V11,
            Some(SOAP12_NS) if root.name() == "Envelope" => SoapVersion::V12,
            _ => return Err(SoapError::NotAnEnvelope),
        };
        let ns = version.namespace();
        let (mut header, mut body) = (None, None);
        for child in root.into_children() {
            if header.is_none() && child.is(ns, "Header") {
                header = Some(child);
            } else if body.is_none() && child.is(ns, "Body") {
                body = Some(child);
            }
        }
        Ok(Self {
            version,
            header,
            body: body.ok_or(SoapError::NoBody)?,
        })
    }

    /// The first element inside `Body`: the payload or a fault.
    pub fn payload(&self) -> Option<&Element> {
        self.body.children().first()
    }

    /// The fault in the body, if the body carries one.
    pub fn fault(&self) -> Option<Fault> {
        let ns = self.version.namespace();
        let fault = self.body.child(ns, "Fault")?;
        Some(match self.version {
            SoapVersion::V11 => {
                let code = fault.child_unqualified("faultcode");
                Fault {
                    code: code
                        .map(|c| QNameValue::resolve(c, c.text()))
                        .unwrap_or_default(),
                    subcode: None,
                    reason: text_of(fault.child_unqualified("faultstring")),
                }
            }
            SoapVersion::V12 => {
                let code = fault.child(ns, "Code");
                let value = code.and_then(|c| c.child(ns, "Value"));
                let subvalue = code
                    .and_then(|c| c.child(ns, "Subcode"))
                    .and_then(|s| s.child(ns, "Value"));
                Fault {
                    code: value
                        .map(|v| QNameValue::resolve(v, v.text()))
                        .unwrap_or_default(),
                    subcode: subvalue.map(|v| QNameValue::resolve(v, v.text())),
                    reason: text_of(fault.child(ns, "Reason").and_then(|r| r.child(ns, "Text"))),
                }
            }
        })
    }
}

fn text_of(element: Option<&Element>) -> String {
    element.map(|e| e.text().to_owned()).unwrap_or_default()
}

/// A QName value resolved to namespace URI and local part.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct QNameValue {
    /// Namespace URI, when the prefix was bound.
    pub ns: Option<String>,
    /// Local part (for SOAP 1.1 codes, including dotted refinements such as `Server.Busy`).
    pub local: String,
}

impl QNameValue {
    fn resolve(element: &Element, value: &str) -> Self {
        match element.resolve_qname(value) {
            Some((ns, local)) => Self {
                ns: ns.map(str::to_owned),
                local: local.to_owned(),
            },
            None => Self {
                ns: None,
                local: value.trim().to_owned(),
            },
        }
    }

    /// Whether this is `{ns}local`.
    pub fn is(&self, ns: &str, local: &str) -> bool {
        self.ns.as_deref() == Some(ns) && self.local == local
    }
}

/// A SOAP fault, version-independent.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Fault {
    /// `faultcode` (1.1) or `Code/Value` (1.2).
    pub code: QNameValue,
    /// `Code/Subcode/Value` (1.2 only).
    pub subcode: Option<QNameValue>,
    /// `faultstring` (1.1) or the first `Reason/Text` (1.2).
    pub reason: String,
}

/// Writes a SOAP 1.1 fault envelope; `code` is a local name in the envelope namespace
/// (`Client`, `Server`, `Server.Busy`).
pub fn fault_11(code: &str, reason: &str) -> Bytes {
    write_envelope(
        SoapVersion::V11,
        &[],
        |_| {},
        |w| {
            w.open("env:Fault", &[])
                .leaf("faultcode", &format!("env:{code}"))
                .leaf("faultstring", reason)
                .close("env:Fault");
        },
    )
}

/// Writes a SOAP 1.2 fault envelope with `code` (`Sender` or `Receiver`) and an optional
/// subcode given as `(prefix, namespace, local)`.
pub fn fault_12(code: &str, subcode: Option<(&str, &str, &str)>, reason: &str) -> Bytes {
    let namespaces: Vec<(&str, &str)> = subcode.iter().map(|(p, ns, _)| (*p, *ns)).collect();
    write_envelope(
        SoapVersion::V12,
        &namespaces,
        |_| {},
        |w| {
            w.open("env:Fault", &[]).open("env:Code", &[]);
            w.leaf("env:Value", &format!("env:{code}"));
            if let Some((prefix, _, local)) = subcode {
                w.open("env:Subcode", &[])
                    .leaf("env:Value", &format!("{prefix}:{local}"))
                    .close("env:Subcode");
            }
            w.close("env:Code")
                .open("env:Reason", &[])
                .leaf_with("env:Text", &[("xml:lang", "vi")], reason)
                .close("env:Reason")
                .close("env:Fault");
        },
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn writes_and_reads_back_an_envelope() {
        let bytes = write_envelope(
            SoapVersion::V11,
            &[("t", "urn:t")],
            |w| {
                w.leaf("t:Id", "a<b");
            },
            |w| {
                w.open("t:Op", &[]).leaf("t:X", "Nguyễn & Co").close("t:Op");
            },
        );
        let env = Envelope::parse(&bytes, Limits::default()).unwrap();
        assert_eq!(env.version, SoapVersion::V11);
        assert_eq!(
            env.header.as_ref().unwrap().child_text("urn:t", "Id"),
            Some("a<b")
        );
        let payload = env.payload().unwrap();
        assert!(payload.is("urn:t", "Op"));
        assert_eq!(payload.child_text("urn:t", "X"), Some("Nguyễn & Co"));
        assert!(env.fault().is_none());
    }

    #[test]
    fn reads_faults_of_both_versions() {
        let f11 = Envelope::parse(&fault_11("Server.Busy", "bận"), Limits::default())
            .unwrap()
            .fault()
            .unwrap();
        assert!(f11.code.is(SOAP11_NS, "Server.Busy"));
        assert_eq!(f11.reason, "bận");

        let f12 = fault_12("Receiver", Some(("q", "urn:q", "QuaTai")), "quá tải");
        let f12 = Envelope::parse(&f12, Limits::default())
            .unwrap()
            .fault()
            .unwrap();
        assert!(f12.code.is(SOAP12_NS, "Receiver"));
        assert!(f12.subcode.unwrap().is("urn:q", "QuaTai"));
        assert_eq!(f12.reason, "quá tải");
    }

    #[test]
    fn refuses_what_is_not_an_envelope() {
        assert_eq!(
            Envelope::parse(b"<a/>", Limits::default()).unwrap_err(),
            SoapError::NotAnEnvelope
        );
        let no_body = format!(r#"<e:Envelope xmlns:e="{SOAP11_NS}"/>"#);
        assert_eq!(
            Envelope::parse(no_body.as_bytes(), Limits::default()).unwrap_err(),
            SoapError::NoBody
        );
    }
}
