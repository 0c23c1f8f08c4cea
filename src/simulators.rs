//! Runs the simulators of every registered partner, each on its own listener.

use std::net::{IpAddr, SocketAddr};

use lienthong_adapter_kit::sim::{SimOptions, SimServer, SimSettings};
use tokio::net::TcpListener;

use crate::partners;

/// Starts one simulator per partner on `ip`, ports `first_port`, `first_port + 1`, …
/// (port 0: any free ports).
pub async fn start(
    ip: IpAddr,
    first_port: u16,
    options: &SimOptions,
    settings: &SimSettings,
) -> std::io::Result<Vec<SimServer>> {
    let mut servers = Vec::new();
    for (i, partner) in partners::all().into_iter().enumerate() {
        let port = if first_port == 0 {
            0
        } else {
            first_port.saturating_add(i as u16)
        };
        let listener = TcpListener::bind(SocketAddr::new(ip, port)).await?;
        servers.push(SimServer::start(
            (partner.simulator)(settings),
            listener,
            options.clone(),
        )?);
    }
    Ok(servers)
}
