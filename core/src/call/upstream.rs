//! The upstream client: one pooled hyper client per partner over rustls, a deadline on the
//! whole exchange and a bound on the answer's size.

use std::time::Duration;

use bytes::Bytes;
use http::{HeaderValue, Request, Uri, header};
use http_body_util::{BodyExt, Full, Limited};
use hyper_rustls::{FixedServerNameResolver, HttpsConnector, HttpsConnectorBuilder};
use hyper_util::client::legacy::Client;
use hyper_util::client::legacy::connect::HttpConnector;
use hyper_util::rt::TokioExecutor;
use rustls_pki_types::ServerName;
use tokio::time::Instant;

use crate::config::{PartnerConfig, PartnerTls};
use lienthong_adapter_kit::adapter::{WireRequest, WireResponse};

/// Why an exchange with a partner produced no answer.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub(crate) enum UpstreamError {
    /// The deadline passed first.
    #[error("no answer within {0:?}")]
    Timeout(Duration),
    /// No connection could be made.
    #[error("cannot connect: {0}")]
    Connect(String),
    /// The answer was larger than allowed.
    #[error("the answer exceeds {limit} bytes, the partner's max_response_bytes")]
    TooLarge {
        /// The configured `max_response_bytes`.
        limit: usize,
    },
    /// The exchange failed after connecting (reset, protocol error).
    #[error("exchange failed: {0}")]
    Exchange(String),
    /// The adapter produced a request that is not valid HTTP.
    #[error("request could not be built: {0}")]
    Request(String),
}

/// A partner's HTTP client.
pub(crate) struct Upstream {
    client: HttpClient,
    base: String,
    max_response_bytes: usize,
}

const USER_AGENT: &str = concat!("lienthong/", env!("CARGO_PKG_VERSION"));

impl Upstream {
    /// Builds the client for `partner` (TLS material is read here).
    pub(crate) fn new(partner: &PartnerConfig) -> Result<Self, String> {
        Ok(Self {
            client: http_client(partner.tls.as_ref())?,
            base: partner.base_url.trim_end_matches('/').to_owned(),
            max_response_bytes: partner.max_response_bytes,
        })
    }

    /// Sends `request` and reads the whole answer before `deadline`.
    pub(crate) async fn send(
        &self,
        request: WireRequest,
        deadline: Instant,
    ) -> Result<WireResponse, UpstreamError> {
        let budget = deadline.saturating_duration_since(Instant::now());
        let uri: Uri = format!("{}{}", self.base, request.path)
            .parse()
            .map_err(|e| UpstreamError::Request(format!("{e}")))?;
        let mut http_request = Request::new(Full::new(request.body));
        *http_request.method_mut() = request.method;
        *http_request.uri_mut() = uri;
        *http_request.headers_mut() = request.headers;
        http_request
            .headers_mut()
            .insert(header::USER_AGENT, HeaderValue::from_static(USER_AGENT));
        let exchange = async {
            let response = self.client.request(http_request).await.map_err(|e| {
                if e.is_connect() {
                    UpstreamError::Connect(error_chain(&e))
                } else {
                    UpstreamError::Exchange(error_chain(&e))
                }
            })?;
            let (parts, body) = response.into_parts();
            let body = Limited::new(body, self.max_response_bytes)
                .collect()
                .await
                .map_err(|e| {
                    if e.is::<http_body_util::LengthLimitError>() {
                        UpstreamError::TooLarge {
                            limit: self.max_response_bytes,
                        }
                    } else {
                        UpstreamError::Exchange(e.to_string())
                    }
                })?
                .to_bytes();
            Ok(WireResponse {
                status: parts.status,
                headers: parts.headers,
                body,
            })
        };
        tokio::time::timeout_at(deadline, exchange)
            .await
            .map_err(|_| UpstreamError::Timeout(budget))?
    }
}

/// A pooled HTTP/1.1 and HTTP/2 client over rustls, for `http://` and `https://` URLs.
pub(crate) type HttpClient = Client<HttpsConnector<HttpConnector>, Full<Bytes>>;

/// Builds a pooled client with the given TLS material (system roots when none).
pub(crate) fn http_client(tls: Option<&PartnerTls>) -> Result<HttpClient, String> {
    let config = crate::infra::tls::client_config(tls)?;
    let mut http = HttpConnector::new();
    http.enforce_http(false);
    http.set_nodelay(true);
    http.set_connect_timeout(Some(Duration::from_secs(5)));
    let builder = HttpsConnectorBuilder::new()
        .with_tls_config(config)
        .https_or_http();
    let builder = match tls.and_then(|t| t.server_name.as_deref()) {
        Some(name) => {
            let name = ServerName::try_from(name.to_owned())
                .map_err(|e| format!("tls.server_name `{name}`: {e}"))?;
            builder.with_server_name_resolver(FixedServerNameResolver::new(name))
        }
        None => builder,
    };
    let connector = builder.enable_all_versions().wrap_connector(http);
    Ok(Client::builder(TokioExecutor::new())
        .pool_idle_timeout(Duration::from_secs(60))
        .pool_max_idle_per_host(64)
        .build(connector))
}

/// An error with its sources, on one line.
pub(crate) fn error_chain(error: &dyn std::error::Error) -> String {
    let mut text = error.to_string();
    let mut source = error.source();
    while let Some(cause) = source {
        text.push_str(": ");
        text.push_str(&cause.to_string());
        source = cause.source();
    }
    text
}
