//! Every bound of the XML reader, and why a document was refused.

/// Every bound of the reader, applied while parsing. A document beyond any of them is
/// refused with the [`XmlError`] that names the bound; none of them is ever silently
/// truncated.
///
/// | bound | default | refused with |
/// |---|---|---|
/// | [`max_bytes`](Self::max_bytes): document size | 4 MiB (unbounded for [`Limits::partner_answer`]) | [`XmlError::TooLarge`] |
/// | [`max_depth`](Self::max_depth): element nesting | 64 | [`XmlError::TooDeep`] |
/// | [`max_elements`](Self::max_elements): elements in the document | 100,000 | [`XmlError::TooManyElements`] |
/// | [`max_attributes_per_element`](Self::max_attributes_per_element): attributes (namespace declarations included) on one element | 64 | [`XmlError::TooManyAttributes`] |
/// | [`max_namespace_declarations_per_element`](Self::max_namespace_declarations_per_element) | 32 | [`XmlError::Namespaces`] |
/// | [`max_namespaces_in_scope`](Self::max_namespaces_in_scope): declarations visible at one element | 128 | [`XmlError::Namespaces`] |
/// | [`max_namespace_declarations`](Self::max_namespace_declarations): declarations in the document | 10,000 | [`XmlError::Namespaces`] |
///
/// Always refused, whatever the limits: document type declarations (and with them every
/// entity declaration, so no entity expansion and no external entity), entities other than
/// the five predefined ones, text that is not UTF-8, duplicate attributes.
///
/// Namespace scopes are a parent-linked list: a declaration adds one node shared by every
/// element below it, so memory is linear in the input and a name lookup visits at most
/// `max_namespaces_in_scope` nodes.
#[derive(Debug, Clone, Copy)]
pub struct Limits {
    /// Largest document accepted, in bytes.
    pub max_bytes: usize,
    /// Deepest element nesting accepted.
    pub max_depth: usize,
    /// Most elements accepted in one document.
    pub max_elements: usize,
    /// Most attributes on one element, namespace declarations included.
    pub max_attributes_per_element: usize,
    /// Most namespace declarations on one element.
    pub max_namespace_declarations_per_element: usize,
    /// Most namespace declarations in scope at one element (its own and its ancestors').
    pub max_namespaces_in_scope: usize,
    /// Most namespace declarations in the whole document.
    pub max_namespace_declarations: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Self {
            max_bytes: 4 * 1024 * 1024,
            max_depth: 64,
            max_elements: 100_000,
            max_attributes_per_element: 64,
            max_namespace_declarations_per_element: 32,
            max_namespaces_in_scope: 128,
            max_namespace_declarations: 10_000,
        }
    }
}

impl Limits {
    /// The limits for a partner's answer: no size bound of the reader's own, since the
    /// upstream client already bounded the body by the partner's `max_response_bytes`
    /// (one limit, from configuration); every structural bound at its default.
    pub fn partner_answer() -> Self {
        Self {
            max_bytes: usize::MAX,
            ..Self::default()
        }
    }
}

/// Why a document was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum XmlError {
    /// A `<!DOCTYPE ...>` was present.
    #[error("document type declarations are refused")]
    Doctype,
    /// The document exceeds [`Limits::max_bytes`].
    #[error("document of {size} bytes exceeds the {limit}-byte limit")]
    TooLarge {
        /// Actual size.
        size: usize,
        /// Configured limit.
        limit: usize,
    },
    /// Nesting exceeds [`Limits::max_depth`].
    #[error("elements nested deeper than {0} levels")]
    TooDeep(usize),
    /// Element count exceeds [`Limits::max_elements`].
    #[error("more than {0} elements")]
    TooManyElements(usize),
    /// An element has more attributes than [`Limits::max_attributes_per_element`].
    #[error("an element has more than {0} attributes")]
    TooManyAttributes(usize),
    /// Namespace declarations exceed one of the namespace bounds of [`Limits`].
    #[error("more than {limit} namespace declarations {bound}")]
    Namespaces {
        /// The bound exceeded.
        limit: usize,
        /// Where: `on one element`, `in scope` or `in the document`.
        bound: &'static str,
    },
    /// The bytes are not UTF-8.
    #[error("document is not UTF-8")]
    NotUtf8,
    /// A prefix was used without a namespace declaration in scope.
    #[error("prefix `{0}` is not bound to a namespace")]
    UnboundPrefix(String),
    /// An entity other than the predefined ones or a character reference.
    #[error("unknown entity `&{0};`")]
    UnknownEntity(String),
    /// The document has no root element.
    #[error("document has no root element")]
    Empty,
    /// Any other well-formedness error.
    #[error("malformed XML: {0}")]
    Syntax(String),
}
