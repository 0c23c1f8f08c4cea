//! A running bus: the unified API and the admin listener over one swappable gateway.

mod preflight;

use std::net::SocketAddr;
use std::path::Path;
use std::sync::Arc;
use std::sync::Mutex;
use std::time::Duration;

use arc_swap::ArcSwap;
use bytes::Bytes;
use http::{Request, Response};
use hyper::body::Incoming;
use tokio::net::TcpListener;
use tokio::sync::watch;
use tokio::task::JoinHandle;
use tokio_rustls::TlsAcceptor;
use tokio_util::task::TaskTracker;

use crate::admin::Admin;
use crate::admin::health::Health;
use crate::admin::reload::{ReloadError, Reloader};
use crate::applications::dispatch::{self, Dispatcher};
use crate::applications::webhook;
use crate::applications::{Outbox, retention};
use crate::audit::Audit;
use crate::cache::{Cache, CacheSecret};
use crate::config::{Config, ConfigError};
use crate::infra::redis::Redis;
use crate::infra::store::{Store, StoreError};
use crate::metrics::Metrics;
use crate::pipeline;
use crate::pipeline::auth_guard::AuthGuard;
use crate::pipeline::gateway::Gateway;
use crate::pipeline::gateway::Shared;
use crate::server::Body;
use crate::server::{self, Handler, ServeOptions};
use lienthong_adapter_kit::adapter::Adapter;
pub use preflight::{load_checked, preflight};

/// Why the bus could not start.
#[derive(Debug, thiserror::Error)]
pub enum StartError {
    /// The configuration is invalid.
    #[error("{0}")]
    Config(#[from] ConfigError),
    /// A listener could not be bound.
    #[error(
        "{key}: cannot listen on {addr}: {source}. Fix: choose a free port or stop what holds it"
    )]
    Bind {
        /// Config key of the address.
        key: &'static str,
        /// The address.
        addr: SocketAddr,
        /// The OS error.
        source: std::io::Error,
    },
    /// The server certificate could not be loaded.
    #[error("server.tls: {0}. Fix: point cert_file and key_file at readable PEM files")]
    Tls(String),
    /// The store could not be opened.
    #[error("{0}")]
    Store(#[from] StoreError),
    /// A secret named in config is missing from the environment.
    #[error("{0}. Fix: export the variable named in the configuration")]
    Audit(String),
    /// The cache secret named in `[cache]` is missing or too short.
    #[error("{0}. Fix: {fix}", fix = preflight::CACHE_SECRET_FIX)]
    CacheSecret(String),
    /// The audit log's keys or checkpoint file are unusable (the message names the fix).
    #[error("{0}")]
    AuditLog(String),
    /// The Redis URL is unusable.
    #[error("{0}. Fix: give [redis] url as redis://host:port/db")]
    Redis(String),
}

struct Api {
    gateway: Arc<ArcSwap<Gateway>>,
    /// Requests being handled, including those whose client left.
    in_flight: TaskTracker,
}

impl Handler for Api {
    async fn handle(&self, request: Request<Incoming>) -> Response<Body> {
        pipeline::handle(self.gateway.load_full(), request, &self.in_flight).await
    }
}

/// The running servers.
pub struct Bus {
    store: Store,
    reloader: Arc<Reloader>,
    api_addr: SocketAddr,
    admin_addr: SocketAddr,
    stop: watch::Sender<bool>,
    tasks: Vec<JoinHandle<()>>,
    in_flight: TaskTracker,
    shutdown_grace: Duration,
}

impl Bus {
    /// Validates `config`, binds both listeners and starts serving. `file` is where the
    /// configuration came from: it names the file in errors and is what reloads read
    /// (`None`: a configuration built in code, which cannot be reloaded).
    pub async fn start(
        config: &Config,
        file: Option<&Path>,
        adapters: &[Arc<dyn Adapter>],
        openapi: Bytes,
    ) -> Result<Self, StartError> {
        let name = file.map_or_else(|| "<built-in>".to_owned(), |f| f.display().to_string());
        preflight(config, &name, adapters)?;
        let env = |name: &str| std::env::var(name).ok();
        let admin_token = preflight::admin_token(&config.server, &env)
            .map_err(|e| StartError::Audit(format!("server.admin_token_env: {e}")))?;
        let store = Store::open(&config.storage).await?;
        let outbox = Arc::new(Outbox::new(store.clone()));
        let redis = match &config.redis.url {
            Some(url) => Some(Redis::new(&config.redis, url).map_err(StartError::Redis)?),
            None => None,
        };
        let cache_secret =
            CacheSecret::load(&config.cache, &env).map_err(StartError::CacheSecret)?;
        let tier = redis.clone().filter(|_| config.cache.shared);
        let metrics = Metrics::new();
        let connection_metrics = metrics.connections.clone();
        let auth_guard = AuthGuard::new(
            config.server.auth_failure_rate,
            config.server.auth_failure_burst,
            metrics.auth.clone(),
        );
        let audit = Audit::start(config, store.clone(), metrics.audit_commit.clone())
            .await
            .map_err(StartError::AuditLog)?;
        let (audit, metrics) = (Arc::new(audit), Arc::new(metrics));
        let shared = Arc::new(Shared {
            store: store.clone(),
            outbox: outbox.clone(),
            audit: audit.clone(),
            cache: Cache::new(config.cache.max_bytes, cache_secret, tier),
            redis,
            metrics: metrics.clone(),
            auth_guard,
        });
        let gateway = Gateway::build(
            config,
            &name,
            adapters,
            openapi.clone(),
            shared.clone(),
            None,
        )?;
        let gateway = Arc::new(ArcSwap::from_pointee(gateway));
        let reloader = Arc::new(Reloader {
            path: file.map(Path::to_path_buf),
            adapters: adapters.to_vec(),
            openapi,
            shared,
            gateway: gateway.clone(),
            current: Mutex::new(config.clone()),
        });
        let tls = match &config.server.tls {
            Some(tls) => Some(TlsAcceptor::from(
                crate::infra::tls::server_config(tls).map_err(StartError::Tls)?,
            )),
            None => None,
        };
        let bind = |key, addr| async move {
            TcpListener::bind(addr)
                .await
                .map_err(|source| StartError::Bind { key, addr, source })
        };
        let api_listener = bind("server.listen", config.server.listen).await?;
        let admin_listener = bind("server.admin_listen", config.server.admin_listen).await?;
        let local = |l: &TcpListener, key, addr| {
            l.local_addr()
                .map_err(|source| StartError::Bind { key, addr, source })
        };
        let api_addr = local(&api_listener, "server.listen", config.server.listen)?;
        let admin_addr = local(
            &admin_listener,
            "server.admin_listen",
            config.server.admin_listen,
        )?;
        let (stop, stopped) = watch::channel(false);
        let options = ServeOptions {
            name: "api",
            tls,
            limits: config.server.connection_limits(),
            shutdown_grace: config.server.shutdown_grace,
            metrics: connection_metrics,
        };
        let admin_options = ServeOptions {
            name: "admin",
            tls: None,
            limits: config.server.admin_connection_limits(),
            ..options.clone()
        };
        let deliverer = webhook::spawn(
            store.clone(),
            gateway.clone(),
            vec![api_addr, admin_addr],
            stopped.clone(),
        );
        let in_flight = TaskTracker::new();
        let api = Arc::new(Api {
            gateway: gateway.clone(),
            in_flight: in_flight.clone(),
        });
        let admin = Arc::new(Admin {
            gateway: gateway.clone(),
            reloader: reloader.clone(),
            health: Health::default(),
            token: admin_token,
        });
        let tasks = vec![
            server::spawn(api_listener, api, options, stopped.clone()),
            server::spawn(admin_listener, admin, admin_options, stopped.clone()),
            retention::spawn(
                store.clone(),
                config.applications.retention,
                stopped.clone(),
            ),
            dispatch::spawn(
                Dispatcher {
                    outbox,
                    in_force: gateway,
                    audit,
                    metrics,
                    instance: config.storage.instance(),
                    grace: config.server.shutdown_grace,
                },
                stopped,
            ),
            deliverer,
        ];
        tracing::info!(api = %api_addr, admin = %admin_addr, "listening");
        Ok(Self {
            store,
            reloader,
            api_addr,
            admin_addr,
            stop,
            tasks,
            in_flight,
            shutdown_grace: config.server.shutdown_grace,
        })
    }

    /// Address of the unified API.
    pub fn api_addr(&self) -> SocketAddr {
        self.api_addr
    }

    /// Address of the admin listener.
    pub fn admin_addr(&self) -> SocketAddr {
        self.admin_addr
    }

    /// Stops accepting, lets in-flight requests finish (up to the grace period, those whose
    /// client left included), stops the background workers between steps and closes the
    /// store.
    pub async fn shutdown(self) {
        let _ = self.stop.send(true);
        for task in self.tasks {
            let _ = task.await;
        }
        self.in_flight.close();
        if tokio::time::timeout(self.shutdown_grace, self.in_flight.wait())
            .await
            .is_err()
        {
            tracing::warn!(
                requests = self.in_flight.len(),
                "shutdown grace period over; requests still in flight are abandoned"
            );
        }
        self.reloader.shared.audit.finish().await;
        self.store.close().await;
        tracing::info!("stopped");
    }

    /// Reads the configuration file again and swaps it in (see [`crate::admin::reload`]); the
    /// changes that need a restart are returned.
    pub fn reload(&self) -> Result<Vec<String>, ReloadError> {
        self.reloader.reload()
    }

    /// Serves until SIGTERM or Ctrl-C, then shuts down gracefully; reloads the
    /// configuration on SIGHUP.
    pub async fn run_until_signal(self) {
        tokio::select! {
            _ = shutdown_signal() => {}
            _ = reload_on_hangup(&self.reloader) => {}
        }
        tracing::info!("shutdown signal received; draining");
        self.shutdown().await;
    }
}

/// Reloads on every SIGHUP (Unix); never returns.
async fn reload_on_hangup(reloader: &Reloader) {
    #[cfg(unix)]
    if let Ok(mut hangups) = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::hangup())
    {
        while hangups.recv().await.is_some() {
            if let Err(error) = reloader.reload() {
                tracing::error!(%error, "reload refused; the running configuration keeps serving");
            }
        }
    }
    std::future::pending::<()>().await
}

/// Resolves on Ctrl-C or (on Unix) SIGTERM.
pub async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut signal) => {
                signal.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        _ = ctrl_c => {}
        _ = terminate => {}
    }
}
