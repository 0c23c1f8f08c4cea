//! The runtime state one configuration produces: routes, clients, and per partner its
//! adapter, credentials, upstream client and operation policies. Built whole and swapped
//! whole, so a request always sees one consistent configuration.

use std::sync::Arc;
use std::time::{Duration, SystemTime};

use rand::TryRng;
use rand::rngs::SysRng;

use bytes::Bytes;

use crate::applications::Outbox;
use crate::audit::Audit;
use crate::auth_guard::AuthGuard;
use crate::cache::Cache;
use crate::config::AuditFailure;
use crate::config::{Config, ConfigError, Issues, PartnerConfig};
use crate::identity::Clients;
use crate::limit::Limiter;
use crate::metrics::Metrics;
use crate::redis::Redis;
use crate::route::{Routes, Target};
use crate::store::Store;
use crate::traffic::{self, Traffic};
use crate::upstream::Upstream;
use crate::webhook;
use lienthong_adapter_kit::adapter::CachePolicy;
use lienthong_adapter_kit::adapter::{Adapter, CallContext, Credentials, Operation, OperationKind};

/// One configured partner.
pub(crate) struct Partner {
    pub(crate) name: &'static str,
    pub(crate) adapter: Arc<dyn Adapter>,
    pub(crate) consumer_code: String,
    pub(crate) province_code: String,
    pub(crate) credentials: Option<Credentials>,
    pub(crate) upstream: Upstream,
    pub(crate) operations: Vec<OperationPolicy>,
    pub(crate) poll_interval: Duration,
    pub(crate) traffic: Traffic,
    /// The configuration this partner was built from (reloads keep it when unchanged).
    pub(crate) config: PartnerConfig,
}

impl Partner {
    /// The facts of one attempt: this partner's codes and credentials, a request id, the
    /// clock and a nonce from the OS CSPRNG.
    pub(crate) fn context<'a>(
        &'a self,
        request_id: &'a str,
        dossier_code: Option<&'a str>,
    ) -> Result<CallContext<'a>, String> {
        let mut nonce = [0u8; 16];
        SysRng
            .try_fill_bytes(&mut nonce)
            .map_err(|e| format!("no randomness for a nonce: {e}"))?;
        Ok(CallContext {
            consumer_code: &self.consumer_code,
            province_code: &self.province_code,
            request_id,
            dossier_code,
            credentials: self.credentials.as_ref(),
            now: SystemTime::now(),
            nonce,
        })
    }

    /// The policy of the adapter's first operation of `kind` (its `Submit` or `Status`
    /// operation), if it has one.
    pub(crate) fn policy_of(&self, kind: OperationKind) -> Option<&OperationPolicy> {
        self.operations.iter().find(|p| p.operation.kind == kind)
    }
}

/// An operation with the policy config made of its declaration.
pub(crate) struct OperationPolicy {
    pub(crate) operation: &'static Operation,
    pub(crate) timeout: Duration,
    /// The operation's own quota, besides the partner's.
    pub(crate) limiter: Option<Limiter>,
    /// How long answers may be served from cache; `None` never caches.
    pub(crate) cache: Option<CachePolicy>,
}

/// State that outlives any one configuration: the outbox, the cache, the Redis connection.
pub(crate) struct Shared {
    pub(crate) store: Store,
    pub(crate) outbox: Arc<Outbox>,
    pub(crate) audit: Audit,
    pub(crate) cache: Cache,
    pub(crate) redis: Option<Redis>,
    pub(crate) metrics: Metrics,
    /// Budgets of failed authentications per source address.
    pub(crate) auth_guard: Arc<AuthGuard>,
}

/// Everything a request needs, for one configuration.
pub struct Gateway {
    pub(crate) routes: Routes,
    pub(crate) clients: Clients,
    pub(crate) partners: Vec<Arc<Partner>>,
    pub(crate) max_body_bytes: usize,
    /// How long a request body may take to arrive.
    pub(crate) body_read_timeout: Duration,
    pub(crate) openapi: Bytes,
    pub(crate) shared: Arc<Shared>,
    pub(crate) audit_failure: AuditFailure,
    /// How webhooks are delivered.
    pub(crate) webhooks: Arc<webhook::Settings>,
}

impl Gateway {
    /// Validates `config` against `adapters` and builds the runtime state. Only partners
    /// present in `config.partners` are served. `openapi` is the JSON served at
    /// `/openapi.json`; `shared` is the state every configuration the bus runs on uses.
    /// Partners whose configuration is unchanged since `previous` are carried over whole,
    /// with their connection pools, quotas, breakers and in-flight counts.
    pub(crate) fn build(
        config: &Config,
        file: &str,
        adapters: &[Arc<dyn Adapter>],
        openapi: Bytes,
        shared: Arc<Shared>,
        previous: Option<&Gateway>,
    ) -> Result<Self, ConfigError> {
        let refs: Vec<&dyn Adapter> = adapters.iter().map(|a| a.as_ref()).collect();
        config.validate(file, &refs)?;
        let mut issues = Issues::default();
        let env = |name: &str| std::env::var(name).ok();
        let clients = Clients::from_config(&config.clients, &env, &mut issues);
        let mut partners = Vec::new();
        for adapter in adapters {
            let Some(partner_config) = config.partners.get(adapter.partner()) else {
                continue;
            };
            let credentials = credentials(adapter.partner(), partner_config, &env, &mut issues);
            let kept = previous
                .and_then(|g| g.partner_arc(adapter.partner()))
                .filter(|p| {
                    p.config == *partner_config
                        && p.credentials == credentials
                        && p.province_code == config.province_code
                });
            if let Some(kept) = kept {
                partners.push(kept);
                continue;
            }
            let redis = shared.redis.as_ref();
            if let Some(partner) = build_partner(
                adapter,
                config,
                partner_config,
                credentials,
                redis,
                &mut issues,
            ) {
                partners.push(Arc::new(partner));
            }
        }
        issues.finish(file)?;
        let entries = partners.iter().enumerate().flat_map(|(p, partner)| {
            partner
                .operations
                .iter()
                .enumerate()
                .map(move |(o, policy)| {
                    let op = policy.operation;
                    (
                        op.method.clone(),
                        op.path,
                        Target::Operation {
                            partner: p,
                            operation: o,
                        },
                    )
                })
        });
        let services = std::iter::once((http::Method::GET, "/v1/services", Target::Services));
        let webhooks = webhook::Settings::new(&config.webhooks).map_err(|problem| ConfigError {
            file: file.to_owned(),
            issues: vec![crate::config::ConfigIssue {
                key: "webhooks.ca_file".into(),
                problem,
                fix: "point it at a readable PEM bundle of CA certificates".into(),
            }],
        })?;
        let routes = Routes::build(entries.chain(services)).map_err(|problem| ConfigError {
            file: file.to_owned(),
            issues: vec![crate::config::ConfigIssue {
                key: "partners".into(),
                problem: format!("two operations claim one route: {problem}"),
                fix: "each unified path and method must belong to one adapter operation".into(),
            }],
        })?;
        Ok(Self {
            routes,
            clients,
            partners,
            max_body_bytes: config.server.max_body_bytes,
            body_read_timeout: config.server.body_read_timeout,
            openapi,
            shared,
            audit_failure: config.audit.on_failure,
            webhooks: Arc::new(webhooks),
        })
    }

    /// The configured partner called `name`.
    pub(crate) fn partner(&self, name: &str) -> Option<&Partner> {
        self.partners
            .iter()
            .find(|p| p.name == name)
            .map(|p| p.as_ref())
    }

    fn partner_arc(&self, name: &str) -> Option<Arc<Partner>> {
        self.partners.iter().find(|p| p.name == name).cloned()
    }

    /// The partner and operation policy a route target names.
    pub(crate) fn operation(
        &self,
        partner: usize,
        operation: usize,
    ) -> Option<(&Partner, &OperationPolicy)> {
        let p = self.partners.get(partner)?;
        Some((p, p.operations.get(operation)?))
    }
}

/// The partner's credentials from config (and the environment).
fn credentials(
    name: &str,
    config: &PartnerConfig,
    env: &dyn Fn(&str) -> Option<String>,
    issues: &mut Issues,
) -> Option<Credentials> {
    let key = format!("partners.{name}");
    let password = match (&config.password, &config.password_env) {
        (Some(p), _) => Some(p.clone()),
        (None, Some(var)) => {
            let value = env(var);
            if value.is_none() {
                issues.add(
                    format!("{key}.password_env"),
                    format!("environment variable {var} is not set"),
                    format!("export {var} before starting"),
                );
            }
            value
        }
        (None, None) => None,
    };
    match (&config.username, password) {
        (Some(username), Some(password)) => Some(Credentials {
            username: username.clone(),
            password,
        }),
        (None, None) => None,
        _ => {
            issues.add(
                format!("{key}.username"),
                "username and password go together",
                "set both username and password_env, or neither",
            );
            None
        }
    }
}

fn build_partner(
    adapter: &Arc<dyn Adapter>,
    bus: &Config,
    config: &PartnerConfig,
    credentials: Option<Credentials>,
    redis: Option<&Redis>,
    issues: &mut Issues,
) -> Option<Partner> {
    let name = adapter.partner();
    let key = format!("partners.{name}");
    let upstream = match Upstream::new(config) {
        Ok(upstream) => upstream,
        Err(problem) => {
            issues.add(
                format!("{key}.tls"),
                problem,
                "point the TLS keys at readable PEM files",
            );
            return None;
        }
    };
    let operations = adapter
        .operations()
        .iter()
        .map(|operation| {
            let over = config.operations.get(operation.id);
            OperationPolicy {
                operation,
                timeout: over
                    .and_then(|o| o.timeout)
                    .or(config.timeout)
                    .unwrap_or(operation.timeout),
                limiter: traffic::operation_limiter(
                    adapter.partner(),
                    operation,
                    over,
                    config,
                    redis,
                ),
                cache: traffic::cache_policy(operation, over),
            }
        })
        .collect();
    Some(Partner {
        name,
        adapter: adapter.clone(),
        consumer_code: config.consumer_code.clone(),
        province_code: bus.province_code.clone(),
        credentials,
        upstream,
        operations,
        poll_interval: config.poll_interval,
        traffic: Traffic::new(adapter.partner(), config, redis),
        config: config.clone(),
    })
}
