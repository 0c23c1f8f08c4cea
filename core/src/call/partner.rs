//! A configured partner at run time: its adapter, codes and credentials, upstream client,
//! the policy of each operation and the traffic state (quotas, breaker, bulkhead,
//! pauses) every call to it goes through.

use std::sync::Arc;
use std::time::{Duration, SystemTime};

use lienthong_adapter_kit::adapter::{
    Adapter, CachePolicy, CallContext, Credentials, Operation, OperationKind,
};
use rand::TryRng;
use rand::rngs::SysRng;

use crate::call::limit::Limiter;
use crate::call::traffic::{self, Traffic};
use crate::call::upstream::Upstream;
use crate::config::{Config, Issues, PartnerConfig};
use crate::infra::redis::Redis;

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

/// The partner's credentials from config (and the environment).
pub(crate) fn credentials(
    name: &str,
    config: &PartnerConfig,
    env: &dyn Fn(&str) -> Option<String>,
    issues: &mut Issues,
) -> Option<Credentials> {
    let key = format!("partners.{name}");
    let password = match (&config.password, &config.password_env) {
        (Some(p), _) => Some(p.clone()),
        (None, Some(var)) => match env(var) {
            Some(value) => Some(value),
            None => {
                issues.add(
                    format!("{key}.password_env"),
                    format!("environment variable {var} is not set"),
                    format!("export {var} before starting"),
                );
                return None;
            }
        },
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

/// The upstream client of partner `name`; TLS files that cannot be used are an issue.
pub(crate) fn upstream(
    name: &str,
    config: &PartnerConfig,
    issues: &mut Issues,
) -> Option<Upstream> {
    Upstream::new(config)
        .map_err(|problem| {
            issues.add(
                format!("partners.{name}.tls"),
                problem,
                "point the TLS keys at readable PEM files",
            );
        })
        .ok()
}

pub(crate) fn build_partner(
    adapter: &Arc<dyn Adapter>,
    bus: &Config,
    config: &PartnerConfig,
    credentials: Option<Credentials>,
    redis: Option<&Redis>,
    issues: &mut Issues,
) -> Option<Partner> {
    let name = adapter.partner();
    let upstream = upstream(name, config, issues)?;
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
