//! End-to-end TLS: towards a partner with a private CA bundle, an mTLS client
//! certificate and an SNI name that differs from the URL's host; and the unified API
//! itself served over TLS with HTTP/2 by ALPN.

#![allow(clippy::unwrap_used)]

mod common;

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use bytes::Bytes;
use http_body_util::Full;
use hyper_util::client::legacy::Client;
use hyper_util::rt::TokioExecutor;
use lienthong_core::config::{PartnerTls, ServerTls};
use rcgen::{
    BasicConstraints, CertificateParams, ExtendedKeyUsagePurpose, IsCa, Issuer, KeyPair,
    KeyUsagePurpose,
};
use rustls::crypto::ring::default_provider;
use rustls::server::WebPkiClientVerifier;
use rustls::{ClientConfig, RootCertStore, ServerConfig};
use rustls_pki_types::pem::PemObject;
use rustls_pki_types::{CertificateDer, PrivateKeyDer};
use tokio::net::{TcpListener, TcpStream};
use tokio_rustls::TlsAcceptor;

const REGISTRY: &str = "business-registry";

/// A private CA with a server certificate for `dkkd.test` and `localhost`, and a client
/// certificate, written as PEM files.
struct Pki {
    _dir: tempfile::TempDir,
    ca: PathBuf,
    server: (PathBuf, PathBuf),
    client: (PathBuf, PathBuf),
}

fn leaf(
    dir: &Path,
    name: &str,
    sans: &[&str],
    usage: ExtendedKeyUsagePurpose,
    issuer: &Issuer<'_, KeyPair>,
) -> (PathBuf, PathBuf) {
    let mut params =
        CertificateParams::new(sans.iter().map(|s| s.to_string()).collect::<Vec<_>>()).unwrap();
    params.extended_key_usages.push(usage);
    params.use_authority_key_identifier_extension = true;
    let key = KeyPair::generate().unwrap();
    let cert = params.signed_by(&key, issuer).unwrap();
    let (cert_path, key_path) = (
        dir.join(format!("{name}.crt")),
        dir.join(format!("{name}.key")),
    );
    std::fs::write(&cert_path, cert.pem()).unwrap();
    std::fs::write(&key_path, key.serialize_pem()).unwrap();
    (cert_path, key_path)
}

fn pki() -> Pki {
    let dir = tempfile::tempdir().unwrap();
    let mut params = CertificateParams::new(Vec::<String>::new()).unwrap();
    params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    params.key_usages = vec![
        KeyUsagePurpose::KeyCertSign,
        KeyUsagePurpose::DigitalSignature,
    ];
    let key = KeyPair::generate().unwrap();
    let ca_cert = params.self_signed(&key).unwrap();
    let issuer = Issuer::new(params, key);
    let ca = dir.path().join("ca.pem");
    std::fs::write(&ca, ca_cert.pem()).unwrap();
    let server = leaf(
        dir.path(),
        "server",
        &["dkkd.test", "localhost"],
        ExtendedKeyUsagePurpose::ServerAuth,
        &issuer,
    );
    let client = leaf(
        dir.path(),
        "client",
        &["h82.lienthong.test"],
        ExtendedKeyUsagePurpose::ClientAuth,
        &issuer,
    );
    Pki {
        _dir: dir,
        ca,
        server,
        client,
    }
}

fn roots(ca: &Path) -> RootCertStore {
    let mut roots = RootCertStore::empty();
    for cert in CertificateDer::pem_file_iter(ca).unwrap() {
        roots.add(cert.unwrap()).unwrap();
    }
    roots
}

/// A TLS front for the simulator that requires a client certificate from the CA.
async fn mtls_front(pki: &Pki, backend: SocketAddr) -> SocketAddr {
    let provider = Arc::new(default_provider());
    let verifier =
        WebPkiClientVerifier::builder_with_provider(Arc::new(roots(&pki.ca)), provider.clone())
            .build()
            .unwrap();
    let certs = CertificateDer::pem_file_iter(&pki.server.0)
        .unwrap()
        .map(Result::unwrap)
        .collect();
    let key = PrivateKeyDer::from_pem_file(&pki.server.1).unwrap();
    let config = ServerConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .unwrap()
        .with_client_cert_verifier(verifier)
        .with_single_cert(certs, key)
        .unwrap();
    let acceptor = TlsAcceptor::from(Arc::new(config));
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move {
        loop {
            let (stream, _) = listener.accept().await.unwrap();
            let acceptor = acceptor.clone();
            tokio::spawn(async move {
                if let Ok(mut tls) = acceptor.accept(stream).await {
                    let mut plain = TcpStream::connect(backend).await.unwrap();
                    let _ = tokio::io::copy_bidirectional(&mut tls, &mut plain).await;
                }
            });
        }
    });
    addr
}

async fn bus_via_front(pki: &Pki, tls: impl Fn(&Pki) -> PartnerTls) -> common::TestBus {
    let sims = common::simulators().await;
    let backend = sims
        .iter()
        .find(|s| s.partner() == REGISTRY)
        .unwrap()
        .addr();
    let front = mtls_front(pki, backend).await;
    let partner_tls = tls(pki);
    common::start_with_sims(sims, |c| {
        let partner = c.partners.get_mut(REGISTRY).unwrap();
        partner.base_url = format!("https://127.0.0.1:{}", front.port());
        partner.tls = Some(partner_tls);
    })
    .await
}

fn full_tls(pki: &Pki) -> PartnerTls {
    PartnerTls {
        ca_file: Some(pki.ca.clone()),
        client_cert_file: Some(pki.client.0.clone()),
        client_key_file: Some(pki.client.1.clone()),
        server_name: Some("dkkd.test".into()),
    }
}

#[tokio::test]
async fn partner_over_mtls_with_private_ca_and_sni() {
    let pki = pki();
    let t = bus_via_front(&pki, full_tls).await;
    let a = t.get("/v1/enterprises/1200123459").await;
    a.expect(200);
    assert_eq!(a.json()["enterprise_code"], "1200123459");
    t.stop().await;
}

#[tokio::test]
async fn partner_tls_refusals_are_502() {
    let pki = pki();
    let without_client_cert = |p: &Pki| PartnerTls {
        client_cert_file: None,
        client_key_file: None,
        ..full_tls(p)
    };
    let without_sni = |p: &Pki| PartnerTls {
        server_name: None,
        ..full_tls(p)
    };
    let without_ca = |p: &Pki| PartnerTls {
        ca_file: None,
        ..full_tls(p)
    };
    for (cause, tls) in [
        (
            "CertificateRequired",
            &without_client_cert as &dyn Fn(&Pki) -> PartnerTls,
        ),
        ("not valid for name", &without_sni),
        ("UnknownIssuer", &without_ca),
    ] {
        let t = bus_via_front(&pki, tls).await;
        let a = t.get("/v1/enterprises/1200123459").await;
        let doc = a.expect(502);
        assert_eq!(doc["partner"], REGISTRY);
        assert!(
            doc["detail"].as_str().unwrap().contains(cause),
            "{cause}: {doc}"
        );
        t.stop().await;
    }
}

#[tokio::test]
async fn unified_api_over_tls_negotiates_http2() {
    let pki = pki();
    let server_tls = ServerTls {
        cert_file: pki.server.0.clone(),
        key_file: pki.server.1.clone(),
    };
    let t = common::start_with(|c| c.server.tls = Some(server_tls.clone())).await;
    let config = ClientConfig::builder_with_provider(Arc::new(default_provider()))
        .with_safe_default_protocol_versions()
        .unwrap()
        .with_root_certificates(roots(&pki.ca))
        .with_no_client_auth();
    let connector = hyper_rustls::HttpsConnectorBuilder::new()
        .with_tls_config(config)
        .https_only()
        .enable_all_versions()
        .build();
    let client: Client<_, Full<Bytes>> = Client::builder(TokioExecutor::new()).build(connector);
    let url = format!(
        "https://localhost:{}/v1/enterprises/1200123459",
        t.api().port()
    );
    common::assert_http2_enterprise(&client, common::authorized_get(url)).await;
    t.stop().await;
}
