//! `lienthong`: the provincial data-integration bus.
//!
//! `serve` runs the bus from a config file, `check` validates one, `sim` runs the partner
//! simulators, `demo` runs simulators and bus together with zero setup.

#![forbid(unsafe_code)]

use std::net::{IpAddr, SocketAddr};
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Duration;

use clap::{Args, Parser, Subcommand};
use lienthong::{audit, demo, openapi, partners, simulators};
use lienthong_adapter_kit::sim::{Latency, SimOptions, SimSettings};
use lienthong_core::config::TelemetryConfig;
use lienthong_core::{Bus, Config, telemetry};

/// Liên Thông: one unified API in front of the national services.
#[derive(Parser)]
#[command(name = "lienthong", version, about)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Run the bus from a configuration file.
    Serve {
        /// Configuration file (TOML); see config/lienthong.example.toml.
        #[arg(long, short)]
        config: PathBuf,
    },
    /// Validate a configuration file and explain every problem.
    Check {
        /// Configuration file (TOML).
        #[arg(long, short)]
        config: PathBuf,
    },
    /// Check, search or archive the audit log; create its keys.
    Audit {
        #[command(subcommand)]
        command: audit::AuditCommand,
    },
    /// Run the simulators of every partner, each on its own port.
    Sim {
        /// Address to bind.
        #[arg(long, default_value = "127.0.0.1")]
        bind: IpAddr,
        /// Port of the first simulator; the others follow (0: any free ports).
        #[arg(long, default_value_t = 8181)]
        port: u16,
        #[command(flatten)]
        simulator: SimArgs,
        /// Share of requests answered with the partner's fault (0.0–1.0).
        #[arg(long, default_value_t = 0.0)]
        fault_rate: f64,
    },
    /// Print the OpenAPI document of the unified API as YAML (what schemas/openapi.yaml
    /// holds).
    Openapi,
    /// Run simulators and bus in one process on the embedded defaults (API key `demo-key`).
    Demo {
        /// Address of the unified API.
        #[arg(long, default_value = "127.0.0.1:8080")]
        listen: SocketAddr,
        /// Address of the admin listener.
        #[arg(long, default_value = "127.0.0.1:9090")]
        admin_listen: SocketAddr,
        /// Directory for the bus's state (default: a new temporary directory).
        #[arg(long)]
        data_dir: Option<PathBuf>,
        #[command(flatten)]
        simulator: SimArgs,
    },
}

/// How the simulators behave: latency of the slow dedicated network, processing speed,
/// throttling.
#[derive(Args)]
struct SimArgs {
    /// Median added latency in milliseconds.
    #[arg(long, default_value_t = 40)]
    latency_median_ms: u64,
    /// 99th-percentile added latency in milliseconds.
    #[arg(long, default_value_t = 250)]
    latency_p99_ms: u64,
    /// Milliseconds an asynchronous partner takes per processing step.
    #[arg(long, default_value_t = 3000)]
    step_ms: u64,
    /// Most requests one consumer may make to each simulator per one-second window; the
    /// ones over it get the partner's throttling answer (default: no quota).
    #[arg(long)]
    quota: Option<u32>,
}

impl SimArgs {
    fn latency(&self) -> Latency {
        Latency {
            median_ms: self.latency_median_ms,
            p99_ms: self.latency_p99_ms,
        }
    }

    fn settings(&self) -> SimSettings {
        SimSettings {
            step: Duration::from_millis(self.step_ms.max(1)),
        }
    }
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(runtime) => runtime,
        Err(e) => {
            eprintln!("lienthong: cannot start the runtime: {e}");
            return ExitCode::FAILURE;
        }
    };
    match runtime.block_on(run(cli.command)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("{message}");
            ExitCode::FAILURE
        }
    }
}

async fn run(command: Command) -> Result<(), String> {
    match command {
        Command::Serve { config } => serve(&config).await,
        Command::Check { config } => check(&config),
        Command::Openapi => {
            print!("{}", openapi::yaml()?);
            Ok(())
        }
        Command::Audit { command } => match audit::run(command).await? {
            true => Ok(()),
            false => Err("lienthong audit: the chain does not verify".into()),
        },
        Command::Sim {
            bind,
            port,
            simulator,
            fault_rate,
        } => {
            let options = SimOptions {
                latency: simulator.latency(),
                fault_rate,
                quota: simulator.quota,
            };
            sim(bind, port, options, simulator.settings()).await
        }
        Command::Demo {
            listen,
            admin_listen,
            data_dir,
            simulator,
        } => run_demo(listen, admin_listen, data_dir, &simulator).await,
    }
}

/// The configuration at `path`, refused with every problem `serve` would refuse before
/// it binds (see `lienthong_core::load_checked`).
fn load(path: &std::path::Path) -> Result<Config, String> {
    lienthong_core::load_checked(path, &partners::adapters()).map_err(|e| e.to_string())
}

async fn serve(path: &std::path::Path) -> Result<(), String> {
    let config = load(path)?;
    let _telemetry = telemetry::init(&config.telemetry).map_err(|e| e.to_string())?;
    let openapi = openapi::json()?;
    let bus = Bus::start(&config, Some(path), &partners::adapters(), openapi)
        .await
        .map_err(|e| e.to_string())?;
    bus.run_until_signal().await;
    Ok(())
}

fn check(path: &std::path::Path) -> Result<(), String> {
    let config = load(path)?;
    for advice in config.audit.advice(&config.storage) {
        println!(
            "{}: warning: {}: {}. Fix: {}",
            path.display(),
            advice.key,
            advice.problem,
            advice.fix
        );
    }
    let partners: Vec<&str> = config.partners.keys().map(String::as_str).collect();
    println!(
        "{}: valid — {} client(s); partners: {}",
        path.display(),
        config.clients.len(),
        if partners.is_empty() {
            "none".to_owned()
        } else {
            partners.join(", ")
        }
    );
    Ok(())
}

async fn sim(
    bind: IpAddr,
    port: u16,
    options: SimOptions,
    settings: SimSettings,
) -> Result<(), String> {
    let _telemetry = telemetry::init(&TelemetryConfig::default()).map_err(|e| e.to_string())?;
    let servers = simulators::start(bind, port, &options, &settings)
        .await
        .map_err(|e| format!("sim: {e}"))?;
    for server in &servers {
        println!("{:<20} {}", server.partner(), server.base_url());
    }
    println!(
        "control: GET /__sim/stats, POST /__sim/faults, PUT /__sim/latency, PUT /__sim/quota \
         on each; Ctrl-C stops"
    );
    lienthong_core::shutdown_signal().await;
    for server in servers {
        server.shutdown().await;
    }
    Ok(())
}

async fn run_demo(
    listen: SocketAddr,
    admin_listen: SocketAddr,
    data_dir: Option<PathBuf>,
    simulator: &SimArgs,
) -> Result<(), String> {
    let _telemetry = telemetry::init(&TelemetryConfig::default()).map_err(|e| e.to_string())?;
    let (data_dir, _temp) = match data_dir {
        Some(dir) => (dir, None),
        None => {
            let temp = tempfile::Builder::new()
                .prefix("lienthong-demo-")
                .tempdir()
                .map_err(|e| format!("demo: cannot create a data directory: {e}"))?;
            (temp.path().to_owned(), Some(temp))
        }
    };
    std::fs::create_dir_all(&data_dir)
        .map_err(|e| format!("--data-dir {}: {e}", data_dir.display()))?;
    let options = demo::DemoOptions {
        listen,
        admin_listen,
        data_dir: data_dir.clone(),
        latency: simulator.latency(),
        sim_settings: simulator.settings(),
    };
    let running = demo::start(&options).await.map_err(|e| e.to_string())?;
    for sim in &running.simulators {
        sim.set_quota(simulator.quota);
    }
    let api = running.bus.api_addr();
    println!("Liên Thông demo");
    println!("  API    http://{api}   (API key: {})", demo::DEMO_KEY);
    println!("  admin  http://{}/healthz", running.bus.admin_addr());
    println!("  data   {}", data_dir.display());
    for sim in &running.simulators {
        println!("  sim    {:<20} {}", sim.partner(), sim.base_url());
    }
    println!("\nTry:\n{}", demo::examples(api));
    println!(
        "\nAudit log (after Ctrl-C, which signs a last checkpoint):\n{}\n\nCtrl-C stops.",
        demo::verify_command(&data_dir)
    );
    running.bus.run_until_signal().await;
    for sim in running.simulators {
        sim.shutdown().await;
    }
    Ok(())
}
