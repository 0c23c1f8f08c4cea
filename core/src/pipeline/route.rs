//! Stage: route. Unified paths map to adapter operations through a radix tree built once
//! per configuration (no pattern matching per request).

use http::Method;
use percent_encoding::percent_decode_str;

/// What a route leads to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Target {
    /// An operation: index of the partner in the gateway, index of the operation.
    Operation {
        /// Partner index.
        partner: usize,
        /// Operation index within the partner.
        operation: usize,
    },
    /// `GET /v1/services`: the catalogue of what the caller may use.
    Services,
}

/// Why a path did not lead anywhere.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub(crate) enum RouteError {
    /// No route has this path.
    #[error("no operation at this path")]
    NotFound,
    /// The path exists but not for this method.
    #[error("method not allowed; allowed: {allow}")]
    MethodNotAllowed {
        /// Value for the `Allow` header.
        allow: String,
    },
    /// A path segment is not valid percent-encoded UTF-8.
    #[error("path segment `{0}` is not valid percent-encoded UTF-8")]
    BadEncoding(String),
}

/// A resolved route with its decoded path parameters.
#[derive(Debug)]
pub(crate) struct Matched<'r> {
    pub(crate) target: Target,
    pub(crate) params: Vec<(&'r str, String)>,
}

/// The route table.
#[derive(Debug, Default)]
pub(crate) struct Routes {
    tree: matchit::Router<Vec<(Method, Target)>>,
}

impl Routes {
    /// Builds the table from `(method, path template, target)` entries. Fails when two
    /// entries claim the same method and path, or templates conflict.
    pub(crate) fn build(
        entries: impl IntoIterator<Item = (Method, &'static str, Target)>,
    ) -> Result<Self, String> {
        let mut by_path: std::collections::BTreeMap<&str, Vec<(Method, Target)>> =
            std::collections::BTreeMap::new();
        for (method, path, target) in entries {
            let methods = by_path.entry(path).or_default();
            if methods.iter().any(|(m, _)| *m == method) {
                return Err(format!("{method} {path} is declared twice"));
            }
            methods.push((method, target));
        }
        let mut tree = matchit::Router::new();
        for (path, methods) in by_path {
            tree.insert(path, methods)
                .map_err(|e| format!("{path}: {e}"))?;
        }
        Ok(Self { tree })
    }

    /// Resolves a request path.
    pub(crate) fn resolve<'r>(
        &'r self,
        method: &Method,
        path: &str,
    ) -> Result<Matched<'r>, RouteError> {
        let found = self.tree.at(path).map_err(|_| RouteError::NotFound)?;
        let target = found
            .value
            .iter()
            .find(|(m, _)| m == method || (*method == Method::HEAD && *m == Method::GET))
            .map(|(_, t)| *t)
            .ok_or_else(|| RouteError::MethodNotAllowed {
                allow: found
                    .value
                    .iter()
                    .map(|(m, _)| m.as_str())
                    .collect::<Vec<_>>()
                    .join(", "),
            })?;
        let mut params = Vec::with_capacity(found.params.len());
        for (name, raw) in found.params.iter() {
            let value = percent_decode_str(raw)
                .decode_utf8()
                .map_err(|_| RouteError::BadEncoding(raw.to_owned()))?;
            params.push((name, value.into_owned()));
        }
        Ok(Matched { target, params })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn op(operation: usize) -> Target {
        Target::Operation {
            partner: 0,
            operation,
        }
    }

    fn routes() -> Routes {
        Routes::build([
            (Method::GET, "/v1/things/{id}", op(0)),
            (Method::DELETE, "/v1/things/{id}", op(1)),
            (Method::GET, "/v1/things", op(2)),
            (Method::GET, "/v1/services", Target::Services),
        ])
        .unwrap()
    }

    #[test]
    fn resolves_methods_and_decodes_parameters() {
        let r = routes();
        let m = r.resolve(&Method::GET, "/v1/things/a%20b").unwrap();
        assert_eq!(
            m.target,
            Target::Operation {
                partner: 0,
                operation: 0
            }
        );
        assert_eq!(m.params, vec![("id", "a b".to_owned())]);
        let m = r.resolve(&Method::DELETE, "/v1/things/1").unwrap();
        assert_eq!(
            m.target,
            Target::Operation {
                partner: 0,
                operation: 1
            }
        );
        assert_eq!(
            r.resolve(&Method::GET, "/v1/services").unwrap().target,
            Target::Services
        );
    }

    #[test]
    fn reports_unknown_paths_methods_and_bad_encoding() {
        let r = routes();
        assert_eq!(
            r.resolve(&Method::GET, "/v2/x").unwrap_err(),
            RouteError::NotFound
        );
        assert_eq!(
            r.resolve(&Method::POST, "/v1/things/1").unwrap_err(),
            RouteError::MethodNotAllowed {
                allow: "GET, DELETE".into()
            }
        );
        assert!(matches!(
            r.resolve(&Method::GET, "/v1/things/%FF").unwrap_err(),
            RouteError::BadEncoding(_)
        ));
    }

    #[test]
    fn refuses_duplicate_and_conflicting_routes() {
        let twice = [
            (Method::GET, "/v1/a/{id}", op(0)),
            (Method::GET, "/v1/a/{id}", op(1)),
        ];
        assert!(Routes::build(twice).is_err());
        let conflict = [
            (Method::GET, "/v1/a/{id}", op(0)),
            (Method::GET, "/v1/a/{key}", op(1)),
        ];
        assert!(Routes::build(conflict).is_err());
    }
}
