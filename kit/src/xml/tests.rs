//! The reader on small documents: names, text, refusals and every bound.

use super::*;

fn parse_str(s: &str) -> Result<Element, XmlError> {
    parse(s.as_bytes(), Limits::default())
}

#[test]
fn namespaces_resolve_by_uri_whatever_the_prefix() {
    let a = parse_str(r#"<x:a xmlns:x="urn:t"><x:b>1</x:b></x:a>"#).unwrap();
    let b = parse_str(r#"<a xmlns="urn:t"><b> 1 </b></a>"#).unwrap();
    for root in [a, b] {
        assert!(root.is("urn:t", "a"));
        assert_eq!(root.child_text("urn:t", "b"), Some("1"));
    }
}

#[test]
fn text_unescapes_predefined_and_character_references() {
    let root = parse_str("<a>T&amp;C &#x1EA1;&#7841; <![CDATA[<x>]]></a>").unwrap();
    assert_eq!(root.text(), "T&C ạạ <x>");
}

#[test]
fn doctype_and_entities_are_refused() {
    let bomb = r#"<?xml version="1.0"?><!DOCTYPE a [<!ENTITY x "y">]><a>&x;</a>"#;
    assert_eq!(parse_str(bomb).unwrap_err(), XmlError::Doctype);
    assert_eq!(
        parse_str("<a>&x;</a>").unwrap_err(),
        XmlError::UnknownEntity("x".into())
    );
}

#[test]
fn limits_are_enforced() {
    let limits = Limits {
        max_bytes: 10,
        ..Limits::default()
    };
    assert!(matches!(
        parse(b"<a>0123456789</a>", limits),
        Err(XmlError::TooLarge { .. })
    ));
    let deep = "<a>".repeat(100) + &"</a>".repeat(100);
    assert_eq!(parse_str(&deep).unwrap_err(), XmlError::TooDeep(64));
}

#[test]
fn malformed_documents_are_errors() {
    for bad in ["", "<a>", "<a></b>", "<a/><b/>", "text", "<p:a/>", "\u{0}"] {
        assert!(parse_str(bad).is_err(), "{bad:?} should fail");
    }
    assert_eq!(
        parse(&[0xff, 0xfe], Limits::default()).unwrap_err(),
        XmlError::NotUtf8
    );
}

#[test]
fn qname_values_resolve_in_scope() {
    let root = parse_str(r#"<a xmlns:s="urn:s"><b xmlns:t="urn:t">t:Busy</b></a>"#).unwrap();
    let b = &root.children()[0];
    assert_eq!(b.resolve_qname("t:Busy"), Some((Some("urn:t"), "Busy")));
    assert_eq!(b.resolve_qname("s:X"), Some((Some("urn:s"), "X")));
    assert_eq!(b.resolve_qname("zz:X"), None);
}

/// 3,000 declarations on the root and 2,000 children declaring one each: the 85 KB
/// answer that copied whole scopes per element.
fn namespace_bomb(root: usize, children: usize) -> String {
    let mut doc = String::from("<r");
    for i in 0..root {
        doc.push_str(&format!(" xmlns:p{i}=\"urn:{i}\""));
    }
    doc.push('>');
    for i in 0..children {
        doc.push_str(&format!("<c xmlns:q{i}=\"urn:q\"/>"));
    }
    doc.push_str("</r>");
    doc
}

#[test]
fn namespace_declarations_are_bounded() {
    assert_eq!(
        parse_str(&namespace_bomb(3000, 2000)).unwrap_err(),
        XmlError::Namespaces {
            limit: 32,
            bound: "on one element"
        }
    );
    let nested: String = (0..60)
        .map(|i| format!(r#"<e xmlns:a{i}="urn:a" xmlns:b{i}="urn:b" xmlns:c{i}="urn:c">"#))
        .collect();
    assert_eq!(
        parse_str(&nested).unwrap_err(),
        XmlError::Namespaces {
            limit: 128,
            bound: "in scope"
        }
    );
    let limits = Limits {
        max_namespace_declarations: 100,
        ..Limits::default()
    };
    assert_eq!(
        parse(namespace_bomb(30, 100).as_bytes(), limits).unwrap_err(),
        XmlError::Namespaces {
            limit: 100,
            bound: "in the document"
        }
    );
}

#[test]
fn scopes_are_shared_not_copied() {
    let root = parse_str(&namespace_bomb(30, 2000)).unwrap();
    let last = root.children().last().unwrap();
    assert_eq!(last.resolve_qname("q1999:x"), Some((Some("urn:q"), "x")));
    assert_eq!(last.resolve_qname("p29:x"), Some((Some("urn:29"), "x")));
    assert_eq!(last.resolve_qname("q0:x"), None, "a sibling's declaration");
    // Every child without declarations of its own shares its parent's scope.
    let plain = parse_str(&format!(
        r#"<r xmlns:a="urn:a">{}</r>"#,
        "<a:c/>".repeat(100)
    ))
    .unwrap();
    let scope = plain.scope.as_ref().unwrap();
    assert_eq!(Arc::strong_count(scope), 101);
}

#[test]
fn undeclaring_the_default_namespace_applies_below() {
    let root = parse_str(r#"<a xmlns="urn:t"><b xmlns=""><c/></b></a>"#).unwrap();
    let b = &root.children()[0];
    assert_eq!(
        (root.ns(), b.ns(), b.children()[0].ns()),
        (Some("urn:t"), None, None)
    );
}

#[test]
fn attribute_counts_are_bounded() {
    let attributes: String = (0..65).map(|i| format!(" a{i}=\"1\"")).collect();
    assert_eq!(
        parse_str(&format!("<a{attributes}/>")).unwrap_err(),
        XmlError::TooManyAttributes(64)
    );
    assert!(
        parse_str(r#"<a x="1" x="2"/>"#).is_err(),
        "duplicate attribute"
    );
}

#[test]
fn attributes_resolve_namespaces() {
    let root = parse_str(r#"<a xmlns:w="urn:w" Type="t" w:Id="1"/>"#).unwrap();
    assert_eq!(root.attr("Type"), Some("t"));
    assert_eq!(root.attr_ns("urn:w", "Id"), Some("1"));
    assert_eq!(root.attr("Id"), None);
}
