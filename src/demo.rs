//! `lienthong demo`: every simulator and the bus in one process, on the embedded defaults,
//! with the API key `demo-key`.

use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::path::{Path, PathBuf};
use std::time::Duration;

use lienthong_adapter_kit::sim::{Latency, SimOptions, SimServer, SimSettings};
use lienthong_core::audit::keys as audit_keys;
use lienthong_core::config::{ClientConfig, Config, PartnerConfig};
use lienthong_core::{Bus, StartError};

use crate::{openapi, partners, simulators};

/// The demo's API key.
pub const DEMO_KEY: &str = "demo-key";
/// The secret that signs the demo client's webhooks.
pub const DEMO_WEBHOOK_SECRET: &str = "demo-webhook-secret";

/// Where and how the demo runs.
#[derive(Debug, Clone)]
pub struct DemoOptions {
    /// Unified API address.
    pub listen: SocketAddr,
    /// Admin address.
    pub admin_listen: SocketAddr,
    /// Directory for state (audit log, outbox).
    pub data_dir: PathBuf,
    /// Latency the simulators add.
    pub latency: Latency,
    /// Partner-specific simulator settings (processing speed of asynchronous partners).
    pub sim_settings: SimSettings,
}

/// A running demo: simulators plus bus.
pub struct Demo {
    /// The bus.
    pub bus: Bus,
    /// The simulators, one per partner.
    pub simulators: Vec<SimServer>,
    /// The configuration the bus runs on.
    pub config: Config,
}

/// Why the demo could not start.
#[derive(Debug, thiserror::Error)]
pub enum DemoError {
    /// A simulator could not bind.
    #[error("simulators: {0}")]
    Simulators(#[from] std::io::Error),
    /// The bus could not start.
    #[error(transparent)]
    Bus(#[from] StartError),
    /// The audit log's checkpoint keys could not be created.
    #[error("audit keys: {0}")]
    Keys(String),
    /// The bundled OpenAPI document is broken.
    #[error("{0}")]
    OpenApi(String),
}

/// The demo configuration for simulators at `simulators`.
pub fn config(options: &DemoOptions, simulators: &[SimServer]) -> Config {
    let mut config = Config::default();
    config.server.listen = options.listen;
    config.server.admin_listen = options.admin_listen;
    config.storage.data_dir = options.data_dir.clone();
    config.clients.push(ClientConfig {
        id: "demo".into(),
        api_key: Some(DEMO_KEY.into()),
        allow: vec!["*".into()],
        webhook_secret: Some(DEMO_WEBHOOK_SECRET.into()),
        may_bypass_cache: true,
        ..ClientConfig::default()
    });
    // Ask asynchronous partners about as often as the simulated clock moves.
    let poll_interval = options.sim_settings.step.min(Duration::from_secs(1));
    config.partners = simulators
        .iter()
        .map(|sim| {
            let mut partner = PartnerConfig::new(sim.base_url(), "H82");
            partner.poll_interval = poll_interval;
            if let Some(account) = sim.accepted_credentials() {
                partner.username = Some(account.username);
                partner.password = Some(account.password);
            }
            (sim.partner().to_owned(), partner)
        })
        .collect();
    config
}

/// Starts the simulators on free loopback ports, then the bus.
pub async fn start(options: &DemoOptions) -> Result<Demo, DemoError> {
    let sim_options = SimOptions {
        latency: options.latency,
        ..SimOptions::default()
    };
    let simulators = simulators::start(
        IpAddr::V4(Ipv4Addr::LOCALHOST),
        0,
        &sim_options,
        &options.sim_settings,
    )
    .await?;
    let mut config = config(options, &simulators);
    sign_checkpoints(&mut config, &options.data_dir)?;
    let openapi = openapi::json().map_err(DemoError::OpenApi)?;
    let bus = Bus::start(&config, None, &partners::adapters(), openapi).await?;
    Ok(Demo {
        bus,
        simulators,
        config,
    })
}

/// Signs checkpoints of the audit log with a key pair in `<data_dir>/keys` (created on
/// first start) into `<data_dir>/audit-checkpoints.jsonl`.
fn sign_checkpoints(config: &mut Config, data_dir: &Path) -> Result<(), DemoError> {
    let keys = data_dir.join("keys");
    let private = keys.join(audit_keys::CHECKPOINT_KEY_FILE);
    if !private.exists() {
        std::fs::create_dir_all(&keys)?;
        let public = keys.join(audit_keys::CHECKPOINT_PUBLIC_KEY_FILE);
        audit_keys::generate_checkpoint_keys(&private, &public).map_err(DemoError::Keys)?;
    }
    config.audit.checkpoint_key_file = Some(private);
    config.audit.checkpoint_file = Some(data_dir.join(CHECKPOINT_FILE));
    Ok(())
}

/// Where the demo's signed checkpoints go, in its data directory.
pub const CHECKPOINT_FILE: &str = "audit-checkpoints.jsonl";

/// How to check the demo's audit log, chain and signed checkpoints.
pub fn verify_command(data_dir: &Path) -> String {
    let keys = data_dir.join("keys");
    format!(
        "lienthong audit verify --data-dir {} --public-key {} --checkpoints {}",
        data_dir.display(),
        keys.join(audit_keys::CHECKPOINT_PUBLIC_KEY_FILE).display(),
        data_dir.join(CHECKPOINT_FILE).display()
    )
}

/// Example commands for the running demo.
pub fn examples(api: SocketAddr) -> String {
    let curl = format!("curl -s -H 'Authorization: ApiKey {DEMO_KEY}'");
    let application = r#"{"dossier_code":"000.00.82.H58-260101-0001","full_name":"Nguyễn Văn An","gender":"male","date_of_birth":"1990-04-12","birth_place":"Mỹ Tho, Tiền Giang","nationality":"VN","residence":"Số 12 Lê Lợi, Phường 1, Mỹ Tho","citizen_id":"082090001234","id_issued_on":"2021-05-10","id_issued_by":"Cục Cảnh sát QLHC về TTXH","father_name":"Nguyễn Văn Bình","mother_name":"Trần Thị Cúc","certificate_type":1,"purpose":"Xin việc","copies":1,"residence_history":[{"from":"2008-01-01","to":"2026-01-01","place":"Mỹ Tho, Tiền Giang","occupation":"Kỹ sư","workplace":"Công ty TNHH Mekong"}]}"#;
    [
        format!("{curl} http://{api}/v1/enterprises/1200123459"),
        format!("{curl} 'http://{api}/v1/insurance/participants/8212345678?full_name=Nguy%E1%BB%85n%20Th%E1%BB%8B%20B%C3%ACnh&date_of_birth=1985-05-12'"),
        format!("{curl} 'http://{api}/v1/legal-documents?q=chia%20s%E1%BA%BB%20d%E1%BB%AF%20li%E1%BB%87u'"),
        format!("{curl} -H 'Idempotency-Key: demo-1' -H 'Content-Type: application/json' \\\n  -d '{application}' http://{api}/v1/criminal-record-applications"),
        format!("{curl} http://{api}/v1/enterprises/0100109107   # 400: check digit"),
    ]
    .join("\n")
}
