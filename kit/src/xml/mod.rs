//! A small, bounded, namespace-aware XML tree for partner messages.
//!
//! Elements are matched by namespace URI and local name, never by prefix. Document type
//! declarations (and with them every entity declaration) are refused; only the five
//! predefined entities and character references are expanded. Every bound that keeps a
//! hostile document from exhausting memory or time is listed on [`Limits`].

use std::borrow::Cow;
use std::sync::Arc;

use quick_xml::events::{BytesRef, BytesStart, Event};
use quick_xml::name::{PrefixDeclaration, QName};
use quick_xml::reader::Reader;

mod limits;

pub use limits::{Limits, XmlError};

/// The namespace bound to the `xml` prefix by definition.
const XML_NS: &str = "http://www.w3.org/XML/1998/namespace";

/// The namespace declarations in scope at an element: its innermost declaration, whose
/// parents are the outer ones; `None` when nothing is declared.
type Scope = Option<Arc<Binding>>;

/// One namespace declaration, linked to the declarations in scope where it was made.
#[derive(Debug)]
struct Binding {
    prefix: Box<str>,
    ns: Arc<str>,
    parent: Scope,
    /// Declarations in this chain, this one included.
    in_scope: usize,
}

/// One parsed element: resolved name, attributes, direct text and child elements.
#[derive(Debug, Clone)]
pub struct Element {
    ns: Option<Arc<str>>,
    name: Box<str>,
    attributes: Vec<Attribute>,
    text: String,
    children: Vec<Element>,
    scope: Scope,
}

/// One attribute with its resolved namespace (unprefixed attributes have none).
#[derive(Debug, Clone)]
struct Attribute {
    ns: Option<Arc<str>>,
    name: Box<str>,
    value: String,
}

impl Element {
    /// Namespace URI of the element, if any.
    pub fn ns(&self) -> Option<&str> {
        self.ns.as_deref()
    }

    /// Local name of the element.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// Whether the element is `{ns}local`.
    pub fn is(&self, ns: &str, local: &str) -> bool {
        self.ns() == Some(ns) && self.name() == local
    }

    /// All child elements, in document order.
    pub fn children(&self) -> &[Element] {
        &self.children
    }

    /// Takes the child elements out of the element.
    pub fn into_children(self) -> Vec<Element> {
        self.children
    }

    /// Child elements named `{ns}local`, in document order.
    pub fn children_named<'a>(
        &'a self,
        ns: &'a str,
        local: &'a str,
    ) -> impl Iterator<Item = &'a Element> + 'a {
        self.children.iter().filter(move |c| c.is(ns, local))
    }

    /// The first child element named `{ns}local`.
    pub fn child(&self, ns: &str, local: &str) -> Option<&Element> {
        self.children.iter().find(|c| c.is(ns, local))
    }

    /// The first child element with no namespace and local name `local` (SOAP 1.1 fault
    /// parts are unqualified).
    pub fn child_unqualified(&self, local: &str) -> Option<&Element> {
        self.children
            .iter()
            .find(|c| c.ns.is_none() && &*c.name == local)
    }

    /// Direct text content with surrounding whitespace removed.
    pub fn text(&self) -> &str {
        self.text.trim()
    }

    /// Trimmed text of the child `{ns}local`; `None` when it is absent or empty (the wire
    /// rules treat both as "no value").
    pub fn child_text(&self, ns: &str, local: &str) -> Option<&str> {
        self.child(ns, local)
            .map(Element::text)
            .filter(|t| !t.is_empty())
    }

    /// Value of the unprefixed attribute `local`.
    pub fn attr(&self, local: &str) -> Option<&str> {
        self.attributes
            .iter()
            .find(|a| a.ns.is_none() && &*a.name == local)
            .map(|a| a.value.as_str())
    }

    /// Value of the attribute `{ns}local`.
    pub fn attr_ns(&self, ns: &str, local: &str) -> Option<&str> {
        self.attributes
            .iter()
            .find(|a| a.ns.as_deref() == Some(ns) && &*a.name == local)
            .map(|a| a.value.as_str())
    }

    /// Resolves a QName-valued text (such as a SOAP `faultcode`) against the namespace
    /// declarations in scope at this element: `(namespace, local)`. `None` when the prefix
    /// is unbound.
    pub fn resolve_qname<'v>(&self, value: &'v str) -> Option<(Option<&str>, &'v str)> {
        let value = value.trim();
        let (prefix, local) = match value.split_once(':') {
            Some((p, l)) => (p, l),
            None => ("", value),
        };
        match lookup(&self.scope, prefix) {
            Some(ns) => Some((Some(ns), local)),
            None if prefix.is_empty() => Some((None, local)),
            None => None,
        }
    }
}

fn lookup<'s>(scope: &'s Scope, prefix: &str) -> Option<&'s str> {
    if prefix == "xml" {
        return Some(XML_NS);
    }
    bound(scope, prefix).map(|ns| &**ns)
}

/// The namespace `prefix` (`""`: the default namespace) is bound to in `scope`, innermost
/// declaration first; `None` when undeclared or undeclared again with `xmlns=""`.
fn bound<'s>(scope: &'s Scope, prefix: &str) -> Option<&'s Arc<str>> {
    let mut node = scope.as_deref();
    while let Some(binding) = node {
        if &*binding.prefix == prefix {
            return Some(&binding.ns).filter(|ns| !ns.is_empty());
        }
        node = binding.parent.as_deref();
    }
    None
}

/// Parses `bytes` into its root element within `limits`.
pub fn parse(bytes: &[u8], limits: Limits) -> Result<Element, XmlError> {
    if bytes.len() > limits.max_bytes {
        return Err(XmlError::TooLarge {
            size: bytes.len(),
            limit: limits.max_bytes,
        });
    }
    let text = std::str::from_utf8(bytes).map_err(|_| XmlError::NotUtf8)?;
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    TreeBuilder::new(limits).run(text)
}

struct TreeBuilder {
    limits: Limits,
    stack: Vec<Element>,
    root: Option<Element>,
    elements: usize,
    namespace_declarations: usize,
}

impl TreeBuilder {
    fn new(limits: Limits) -> Self {
        Self {
            limits,
            stack: Vec::new(),
            root: None,
            elements: 0,
            namespace_declarations: 0,
        }
    }

    fn run(mut self, text: &str) -> Result<Element, XmlError> {
        let mut reader = Reader::from_str(text);
        let config = reader.config_mut();
        config.check_end_names = true;
        config.check_comments = true;
        loop {
            let event = reader
                .read_event()
                .map_err(|e| XmlError::Syntax(e.to_string()))?;
            match event {
                Event::DocType(_) => return Err(XmlError::Doctype),
                Event::Start(start) => {
                    let element = self.open(&start)?;
                    self.stack.push(element);
                }
                Event::Empty(start) => {
                    let element = self.open(&start)?;
                    self.attach(element)?;
                }
                Event::End(_) => {
                    let element = self
                        .stack
                        .pop()
                        .ok_or_else(|| XmlError::Syntax("unexpected end tag".into()))?;
                    self.attach(element)?;
                }
                Event::Text(t) => self.push_text(&t.xml10_content())?,
                Event::CData(c) => self.push_text(&c.into_inner())?,
                Event::GeneralRef(r) => self.push_text(&expand(&r)?)?,
                Event::Eof => break,
                Event::Comment(_) | Event::Decl(_) | Event::PI(_) => {}
            }
        }
        if !self.stack.is_empty() {
            return Err(XmlError::Syntax("document ends inside an element".into()));
        }
        self.root.ok_or(XmlError::Empty)
    }

    fn open(&mut self, start: &BytesStart<'_>) -> Result<Element, XmlError> {
        self.elements += 1;
        if self.elements > self.limits.max_elements {
            return Err(XmlError::TooManyElements(self.limits.max_elements));
        }
        if self.stack.len() >= self.limits.max_depth {
            return Err(XmlError::TooDeep(self.limits.max_depth));
        }
        if self.root.is_some() {
            return Err(XmlError::Syntax("more than one root element".into()));
        }
        let mut scope = self
            .stack
            .last()
            .map(|p| p.scope.clone())
            .unwrap_or_default();
        let mut declared = 0;
        let mut raw_attributes = Vec::new();
        for (index, attribute) in start.attributes().enumerate() {
            if index >= self.limits.max_attributes_per_element {
                return Err(XmlError::TooManyAttributes(
                    self.limits.max_attributes_per_element,
                ));
            }
            let attribute = attribute.map_err(|e| XmlError::Syntax(e.to_string()))?;
            let value = attribute
                .normalized_value(quick_xml::XmlVersion::Implicit1_0)
                .map_err(|e| match e {
                    quick_xml::Error::Escape(
                        quick_xml::escape::EscapeError::UnrecognizedEntity(_, name),
                    ) => XmlError::UnknownEntity(name),
                    other => XmlError::Syntax(other.to_string()),
                })?
                .into_owned();
            let prefix: Box<str> = match attribute.key.as_namespace_binding() {
                Some(PrefixDeclaration::Default) => "".into(),
                Some(PrefixDeclaration::Named(p)) => p.into(),
                None => {
                    raw_attributes.push((attribute.key.into_inner().to_owned(), value));
                    continue;
                }
            };
            declared += 1;
            scope = Some(self.declare(scope, prefix, value.into(), declared)?);
        }
        let (ns, name) = resolve_name(&scope, start.name(), true)?;
        let mut attributes = Vec::with_capacity(raw_attributes.len());
        for (key, value) in raw_attributes {
            let (ns, name) = resolve_name(&scope, QName(&key), false)?;
            attributes.push(Attribute { ns, name, value });
        }
        Ok(Element {
            ns,
            name,
            attributes,
            text: String::new(),
            children: Vec::new(),
            scope,
        })
    }

    /// Adds the declaration of `prefix` (the element's `declared`-th) to `scope`, within
    /// the namespace bounds.
    fn declare(
        &mut self,
        scope: Scope,
        prefix: Box<str>,
        ns: Arc<str>,
        declared: usize,
    ) -> Result<Arc<Binding>, XmlError> {
        let limits = &self.limits;
        self.namespace_declarations += 1;
        let in_scope = scope.as_ref().map_or(0, |s| s.in_scope) + 1;
        let exceeded = [
            (
                declared,
                limits.max_namespace_declarations_per_element,
                "on one element",
            ),
            (in_scope, limits.max_namespaces_in_scope, "in scope"),
            (
                self.namespace_declarations,
                limits.max_namespace_declarations,
                "in the document",
            ),
        ]
        .into_iter()
        .find(|(count, limit, _)| count > limit);
        if let Some((_, limit, bound)) = exceeded {
            return Err(XmlError::Namespaces { limit, bound });
        }
        Ok(Arc::new(Binding {
            prefix,
            ns,
            parent: scope,
            in_scope,
        }))
    }

    fn attach(&mut self, element: Element) -> Result<(), XmlError> {
        match self.stack.last_mut() {
            Some(parent) => parent.children.push(element),
            None => self.root = Some(element),
        }
        Ok(())
    }

    fn push_text(&mut self, text: &str) -> Result<(), XmlError> {
        match self.stack.last_mut() {
            Some(element) => {
                element.text.push_str(text);
                Ok(())
            }
            None if text.trim().is_empty() => Ok(()),
            None => Err(XmlError::Syntax("text outside the root element".into())),
        }
    }
}

fn resolve_name(
    scope: &Scope,
    qname: QName<'_>,
    is_element: bool,
) -> Result<(Option<Arc<str>>, Box<str>), XmlError> {
    let (local, prefix) = qname.decompose();
    let ns = match prefix {
        Some(p) => {
            let p = p.into_inner();
            if p == "xml" {
                Some(Arc::from(XML_NS))
            } else {
                let found = bound(scope, p).cloned();
                Some(found.ok_or_else(|| XmlError::UnboundPrefix(p.to_owned()))?)
            }
        }
        // Unprefixed attributes are in no namespace; unprefixed elements take the default.
        None if is_element => bound(scope, "").cloned(),
        None => None,
    };
    Ok((ns, local.into_inner().into()))
}

fn expand(reference: &BytesRef<'_>) -> Result<Cow<'static, str>, XmlError> {
    if reference.is_char_ref() {
        return match reference.resolve_char_ref() {
            Ok(Some(c)) => Ok(Cow::Owned(c.to_string())),
            _ => Err(XmlError::Syntax("invalid character reference".into())),
        };
    }
    let name = reference.xml10_content();
    quick_xml::escape::resolve_predefined_entity(&name)
        .map(Cow::Borrowed)
        .ok_or_else(|| XmlError::UnknownEntity(name.into_owned()))
}

#[cfg(test)]
mod tests;
