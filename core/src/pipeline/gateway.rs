//! The runtime state one configuration produces: routes, clients, and per partner its
//! adapter, credentials, upstream client and operation policies. Built whole and swapped
//! whole, so a request always sees one consistent configuration.

use std::sync::Arc;
use std::time::Duration;

use arc_swap::ArcSwap;
use bytes::Bytes;
use lienthong_adapter_kit::adapter::Adapter;

use crate::applications::webhook;
use crate::applications::{InForce, Outbox};
use crate::audit::Audit;
use crate::cache::Cache;
use crate::call::partner::{self, OperationPolicy, Partner};
use crate::clients::{Client, Clients};
use crate::config::{AuditFailure, Config, ConfigError, ConfigIssue, Issues};
use crate::infra::redis::Redis;
use crate::infra::store::Store;
use crate::metrics::Metrics;
use crate::pipeline::auth_guard::AuthGuard;
use crate::pipeline::route::{Routes, Target};

/// State that outlives any one configuration: the outbox, the cache, the Redis connection.
pub(crate) struct Shared {
    pub(crate) store: Store,
    pub(crate) outbox: Arc<Outbox>,
    pub(crate) audit: Arc<Audit>,
    pub(crate) cache: Cache,
    pub(crate) redis: Option<Redis>,
    pub(crate) metrics: Arc<Metrics>,
    /// Budgets of failed authentications per source address.
    pub(crate) auth_guard: Arc<AuthGuard>,
}

/// Everything a request needs, for one configuration.
pub(crate) struct Gateway {
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
            let credentials =
                partner::credentials(adapter.partner(), partner_config, &env, &mut issues);
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
            if let Some(partner) = partner::build_partner(
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
        let webhooks =
            webhook::Settings::from_config(&config.webhooks).map_err(|issue| ConfigError {
                file: file.to_owned(),
                issues: vec![issue],
            })?;
        let routes = Routes::build(entries.chain(services)).map_err(|problem| ConfigError {
            file: file.to_owned(),
            issues: vec![ConfigIssue {
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

/// The configuration in force for the background work on applications: whatever the
/// gateway swapped in last.
impl InForce for ArcSwap<Gateway> {
    fn partner(&self, name: &str) -> Option<Arc<Partner>> {
        self.load().partner_arc(name)
    }

    fn client(&self, id: &str) -> Option<Arc<Client>> {
        self.load().clients.by_id(id).cloned()
    }

    fn webhooks(&self) -> Arc<webhook::Settings> {
        self.load().webhooks.clone()
    }
}
