//! Hostile partners: a fake partner serves billion laughs, external entities, quadratic
//! namespaces, huge, endless and dripping bodies, invalid UTF-8, deep nesting, huge
//! attribute counts, absurd `Retry-After` values and ambiguous JSON. Each time the client
//! gets a clean 502/503/504 problem within the deadline, memory stays bounded, the access
//! is audited and the next request is served.

#![allow(clippy::unwrap_used)]

mod common;
#[path = "hostile/partner.rs"]
mod partner;

use std::time::{Duration, Instant};

use http::Method;
use lienthong_adapter_business_registry::RegistrySimulator;
use lienthong_adapter_kit::sim::{PartnerFault, Simulator};
use lienthong_adapter_legal_documents::LegalDocumentsSimulator;
use partner::{HostilePartner, Hostility};

const REGISTRY: &str = "business-registry";
const LEGAL: &str = "legal-documents";
/// Asked while the partner is hostile: never answered well, so never served stale.
const ENTERPRISE: &str = "/v1/enterprises/1200555554";
/// Asked while the partner answers well.
const ALIVE: &str = "/v1/enterprises/1200123459";
const DOCUMENT: &str = "/v1/legal-documents/196213";
/// The deadline of every partner call in these tests.
const DEADLINE: Duration = Duration::from_secs(2);
/// Time allowed past the deadline for a busy machine.
const SLACK: Duration = Duration::from_secs(5);
const DOCUMENT_ANSWER: &str =
    include_str!("../adapters/legal-documents/fixtures/document_answer.json");

struct Hostile {
    t: common::TestBus,
    registry: HostilePartner,
    legal: HostilePartner,
}

async fn start() -> Hostile {
    start_with(|_| {}).await
}

async fn start_with(adjust: impl FnOnce(&mut lienthong_core::Config)) -> Hostile {
    let registry = HostilePartner::start(RegistrySimulator::new()).await;
    let legal = HostilePartner::start(LegalDocumentsSimulator::new(&common::sim_settings())).await;
    let t = common::start_with(|c| {
        for (name, url) in [(REGISTRY, &registry.url), (LEGAL, &legal.url)] {
            let partner = c.partners.get_mut(name).unwrap();
            partner.base_url = url.clone();
            partner.timeout = Some(DEADLINE);
            partner.breaker.min_calls = 10_000;
        }
        adjust(c);
    })
    .await;
    Hostile { t, registry, legal }
}

/// Resident memory of this process, in KiB.
fn rss_kib() -> u64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap();
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmRSS:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
        .unwrap()
}

impl Hostile {
    /// `DELETE` on the admin listener.
    async fn admin_delete(&self, path: &str) -> common::Answer {
        let url = format!("http://{}{path}", self.t.bus.admin_addr());
        self.t.raw(Method::DELETE, &url, &[], "").await
    }

    fn partner(&self, name: &str) -> &HostilePartner {
        if name == REGISTRY {
            &self.registry
        } else {
            &self.legal
        }
    }

    /// `GET path` of `partner` while it answers with `hostility`: a `status` problem
    /// `slug` within the deadline, memory bounded and the access audited.
    async fn refused(
        &self,
        partner: &str,
        hostility: Hostility,
        status: u16,
        slug: &str,
    ) -> common::Answer {
        self.partner(partner).always(hostility);
        let path = if partner == REGISTRY {
            ENTERPRISE
        } else {
            DOCUMENT
        };
        let dossier = format!("HS-{}", uuid::Uuid::new_v4().simple());
        let rss = rss_kib();
        let started = Instant::now();
        let answer = self
            .t
            .send(
                Method::GET,
                path,
                &[("x-dossier-code", &dossier), ("cache-control", "no-cache")],
                "",
            )
            .await;
        let elapsed = started.elapsed();
        answer.problem(status, slug);
        assert!(elapsed < DEADLINE + SLACK, "answered after {elapsed:?}");
        let grown = rss_kib().saturating_sub(rss);
        assert!(grown < 200 * 1024, "RSS grew by {grown} KiB");
        let audit = self
            .t
            .admin(&format!("/admin/audit?dossier={dossier}"))
            .await
            .expect(200);
        let records = audit["records"].as_array().unwrap();
        assert_eq!(records.len(), 1, "{audit}");
        assert_eq!(records[0]["status"], status);
        answer
    }

    /// The partner throttles with `Retry-After: value`: a clean 503; the `Retry-After`
    /// told to the client, in seconds.
    async fn throttled_for(&self, partner: &str, value: &str) -> u64 {
        let fault = PartnerFault::Busy {
            retry_after_secs: 1,
        };
        let busy = if partner == REGISTRY {
            RegistrySimulator::new().fault(fault)
        } else {
            LegalDocumentsSimulator::new(&common::sim_settings()).fault(fault)
        };
        let hostility = Hostility::retry_after(busy, value);
        let answer = self
            .refused(partner, hostility, 503, "partner-throttled")
            .await;
        answer.header("retry-after").parse().unwrap()
    }

    /// The partner answers well again, and the bus serves the next request.
    async fn serves(&self, partner: &str) {
        self.partner(partner).always(Hostility::Valid);
        let path = if partner == REGISTRY {
            ALIVE
        } else {
            "/v1/legal-documents?q=m%E1%BB%99t%20c%E1%BB%ADa"
        };
        self.t.fresh(path).await.expect(200);
    }
}

fn envelope(inner: &str) -> String {
    format!(
        r#"<?xml version="1.0" encoding="utf-8"?><env:Envelope xmlns:env="http://schemas.xmlsoap.org/soap/envelope/"><env:Body>{inner}</env:Body></env:Envelope>"#
    )
}

fn billion_laughs() -> String {
    let mut doc = String::from(r#"<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol0 "lol">"#);
    for i in 1..10 {
        let previous = format!("&lol{};", i - 1).repeat(10);
        doc.push_str(&format!(r#"<!ENTITY lol{i} "{previous}">"#));
    }
    doc + "]><lolz>&lol9;</lolz>"
}

/// 3,000 declarations on the root, 2,000 children declaring one each (85 KB).
fn namespace_bomb() -> String {
    let mut doc =
        String::from(r#"<env:Envelope xmlns:env="http://schemas.xmlsoap.org/soap/envelope/""#);
    for i in 0..3000 {
        doc.push_str(&format!(r#" xmlns:p{i}="urn:{i}""#));
    }
    doc.push_str("><env:Body>");
    for i in 0..2000 {
        doc.push_str(&format!(r#"<c xmlns:q{i}="urn:q"/>"#));
    }
    doc + "</env:Body></env:Envelope>"
}

#[tokio::test]
async fn hostile_xml_is_refused_cleanly() {
    let h = start().await;
    let xxe = r#"<?xml version="1.0"?><!DOCTYPE e [<!ENTITY xxe SYSTEM "file:///etc/passwd">]><e>&xxe;</e>"#;
    let mut not_utf8 = envelope("<x>").into_bytes();
    not_utf8.extend_from_slice(&[0xff, 0xfe, 0xc3]);
    not_utf8.extend_from_slice(envelope("</x>").as_bytes());
    let nested = "<a>".repeat(100_000) + &"</a>".repeat(100_000);
    let attributes: String = (0..100_000).map(|i| format!(r#" a{i}="1""#)).collect();
    let many_attributes = envelope(&format!("<x{attributes}/>"));
    for body in [
        billion_laughs().into_bytes(),
        xxe.as_bytes().to_vec(),
        not_utf8,
        nested.into_bytes(),
        many_attributes.into_bytes(),
    ] {
        h.refused(
            REGISTRY,
            Hostility::xml(body),
            502,
            "partner-malformed-answer",
        )
        .await;
        h.serves(REGISTRY).await;
    }
    h.t.stop().await;
}

#[tokio::test]
async fn a_namespace_bomb_keeps_memory_bounded() {
    let h = start().await;
    let before = rss_kib();
    let answer = h
        .refused(
            REGISTRY,
            Hostility::xml(namespace_bomb()),
            502,
            "partner-malformed-answer",
        )
        .await;
    eprintln!(
        "namespace bomb: RSS {before} KiB before, {} KiB after: {}",
        rss_kib(),
        answer.json()["detail"]
    );
    h.serves(REGISTRY).await;
    h.t.stop().await;
}

#[tokio::test]
async fn huge_endless_and_dripping_bodies_end_cleanly() {
    let h = start().await;
    for content_length in [true, false] {
        let huge = Hostility::Huge {
            total: 50 * 1024 * 1024,
            content_length,
        };
        let answer = h
            .refused(REGISTRY, huge, 502, "partner-exchange-failed")
            .await;
        assert!(
            answer.json()["detail"]
                .as_str()
                .unwrap()
                .contains("4194304")
        );
        h.serves(REGISTRY).await;
    }
    h.refused(REGISTRY, Hostility::Endless, 502, "partner-exchange-failed")
        .await;
    h.serves(REGISTRY).await;
    let started = Instant::now();
    h.refused(REGISTRY, Hostility::Drip, 504, "partner-timeout")
        .await;
    eprintln!("drip: clean 504 after {:?}", started.elapsed());
    h.serves(REGISTRY).await;
    h.t.stop().await;
}

#[tokio::test]
async fn answers_up_to_max_response_bytes_are_read_whole() {
    let h = start().await;
    let valid = RegistrySimulator::new()
        .handle(&registry_request(&h).await)
        .body;
    let padded = |size: usize| {
        let text = std::str::from_utf8(&valid).unwrap();
        let at = text.rfind("</").unwrap();
        let padding = "x".repeat(size - valid.len());
        format!("{}<!--{padding}-->{}", &text[..at], &text[at..])
    };
    h.registry.always(Hostility::xml(padded(2 * 1024 * 1024)));
    let found = h.t.fresh(ALIVE).await.expect(200);
    assert!(found["enterprise_code"].is_string(), "{found}");
    let answer = h
        .refused(
            REGISTRY,
            Hostility::xml(padded(5 * 1024 * 1024)),
            502,
            "partner-exchange-failed",
        )
        .await;
    let detail = answer.json()["detail"].as_str().unwrap().to_owned();
    assert!(
        detail.contains("4194304") && detail.contains("max_response_bytes"),
        "{detail}"
    );
    h.t.stop().await;
}

/// The request the bus sends the registry for [`ALIVE`], as the fake partner saw it.
async fn registry_request(h: &Hostile) -> lienthong_adapter_kit::adapter::WireRequest {
    h.registry.always(Hostility::Valid);
    h.t.fresh(ALIVE).await.expect(200);
    h.registry.last_request()
}

/// An enterprise the registry knows, other than [`ENTERPRISE`] and [`ALIVE`].
fn other_enterprise() -> String {
    RegistrySimulator::new()
        .enterprise_codes()
        .find(|c| !ENTERPRISE.ends_with(c) && !ALIVE.ends_with(c))
        .unwrap()
        .to_owned()
}

/// `ahead` of now, as an HTTP-date.
fn http_date(ahead: Duration) -> String {
    let at = chrono::Utc::now() + chrono::Duration::from_std(ahead).unwrap();
    at.format("%a, %d %b %Y %H:%M:%S GMT").to_string()
}

#[tokio::test]
async fn absurd_retry_after_values_are_capped() {
    let h = start().await;
    let cases = [
        ("18446744073709551615", 300..=300),
        ("31536000", 300..=300),
        ("99999999999999999999999999", 300..=300),
        ("-5", 1..=1),
        ("1.5", 1..=1),
        ("soon", 1..=1),
        (&http_date(Duration::from_secs(120)) as &str, 118..=121),
        (&http_date(Duration::from_secs(365 * 86_400)), 300..=300),
    ]
    .map(|(value, range)| (value.to_owned(), range));
    for (value, expected) in cases {
        let seconds = h.throttled_for(REGISTRY, &value).await;
        assert!(
            expected.contains(&seconds),
            "Retry-After {value}: {seconds}"
        );
        let paused = h.t.fresh(ENTERPRISE).await;
        paused.problem(503, "partner-throttled");
        assert!(paused.header("retry-after").parse::<u64>().unwrap() <= 300);
        let partners = h.t.admin("/admin/partners").await.expect(200);
        let pause = &partners["partners"][0]["pause"];
        assert!(
            pause["remaining_ms"].as_u64().unwrap() <= 300_000,
            "{pause}"
        );
        assert!(
            pause["reason"].as_str().is_some_and(|r| !r.is_empty()),
            "{pause}"
        );
        h.admin_delete(&format!("/admin/partners/{REGISTRY}/pause"))
            .await
            .expect(200);
        h.serves(REGISTRY).await;
    }

    // `03` with a huge Retry-After: no retry waits past the deadline, no panic.
    let interrupted = RegistrySimulator::new().fault(PartnerFault::Unavailable);
    let answer = h
        .refused(
            REGISTRY,
            Hostility::retry_after(interrupted, "18446744073709551615"),
            503,
            "partner-unavailable",
        )
        .await;
    assert_eq!(answer.header("retry-after"), "300");
    h.serves(REGISTRY).await;

    // A JSON partner's HTTP 429.
    assert_eq!(h.throttled_for(LEGAL, "18446744073709551615").await, 300);
    h.admin_delete(&format!("/admin/partners/{LEGAL}/pause"))
        .await
        .expect(200);
    h.serves(LEGAL).await;
    h.t.stop().await;
}

#[tokio::test]
async fn the_pause_is_capped_by_max_partner_pause() {
    let h = start_with(|c| {
        c.partners.get_mut(REGISTRY).unwrap().max_partner_pause = Duration::from_secs(2);
    })
    .await;
    assert_eq!(h.throttled_for(REGISTRY, "31536000").await, 2);
    tokio::time::sleep(Duration::from_millis(2100)).await;
    h.serves(REGISTRY).await;
    let unknown = h.admin_delete("/admin/partners/nowhere/pause").await;
    unknown.problem(404, "no-such-partner");
    h.t.stop().await;
}

#[tokio::test]
async fn hostile_json_is_refused_cleanly() {
    let h = start().await;
    let nested = format!(
        r#"{{"maKetQua":"00","duLieu":{}{}}}"#,
        "[".repeat(100_000),
        "]".repeat(100_000)
    );
    let with = |extra: &str| DOCUMENT_ANSWER.replacen('{', &format!("{{{extra},"), 1);
    let mut not_utf8 = with(r#""ghiChu":"x""#).into_bytes();
    let quote = not_utf8.iter().position(|b| *b == b'x').unwrap();
    not_utf8[quote] = 0xff;
    for body in [
        nested.into_bytes(),
        with(r#""ghiChu":1e999"#).into_bytes(),
        with(r#""maKetQua":"01""#).into_bytes(),
        with(r#""ghiChu":"a","ghiChu":"b""#).into_bytes(),
        not_utf8,
    ] {
        let answer = h
            .refused(
                LEGAL,
                Hostility::json(body),
                502,
                "partner-malformed-answer",
            )
            .await;
        eprintln!("{}", answer.json()["detail"]);
        h.serves(LEGAL).await;
    }
    h.t.stop().await;
}

#[tokio::test]
async fn transient_failures_of_lookups_are_retried() {
    let h = start_with(|c| c.partners.get_mut(REGISTRY).unwrap().retry_budget = 1.0).await;
    let sim = RegistrySimulator::new();
    let truncated = {
        let mut valid = sim.handle(&registry_request(&h).await);
        valid.body = valid.body.slice(..valid.body.len() / 2);
        valid
    };
    let transient = [
        ("closed without an answer", Hostility::Close),
        (
            "HTTP 500",
            Hostility::body(500, "text/html", "<html>500</html>"),
        ),
        ("truncated answer", Hostility::Canned(truncated)),
        (
            "SOAP fault",
            Hostility::Canned(sim.fault(PartnerFault::Fault)),
        ),
        (
            "03",
            Hostility::Canned(sim.fault(PartnerFault::Unavailable)),
        ),
    ];
    let path = format!("/v1/enterprises/{}", other_enterprise());
    for (kind, hostility) in transient {
        h.registry.always(Hostility::Valid);
        h.registry.next([hostility]);
        let before = h.registry.requests();
        let answer = h.t.fresh(&path).await;
        assert_eq!(
            answer.status,
            200,
            "{kind}: {}",
            String::from_utf8_lossy(&answer.body)
        );
        assert_eq!(h.registry.requests() - before, 2, "{kind}: one retry");
    }
    let client_fault = lienthong_adapter_kit::soap::fault_11("Client", "sai yêu cầu");
    let rejected = Hostility::body(500, "text/xml; charset=utf-8", client_fault);
    let before = h.registry.requests();
    h.refused(REGISTRY, rejected, 502, "partner-rejected-request")
        .await;
    assert_eq!(
        h.registry.requests() - before,
        1,
        "a rejected request is not retried"
    );
    h.t.stop().await;
}

/// `GET path` on another instance `bus`, bypassing the cache.
async fn get_from(h: &Hostile, bus: &lienthong_core::Bus, path: &str) -> common::Answer {
    let url = format!("http://{}{path}", bus.api_addr());
    let headers = [
        ("authorization", format!("ApiKey {}", common::KEY)),
        ("cache-control", "no-cache".into()),
    ];
    h.t.raw(Method::GET, &url, &headers, "").await
}

/// Two instances sharing the registry's quota (and so its pause) through Redis.
#[tokio::test]
async fn a_shared_pause_is_cut_by_each_instance_and_cleared_for_all() {
    let h = start_with(|c| {
        c.redis.url = Some(
            std::env::var("LIENTHONG_TEST_REDIS_URL")
                .unwrap_or_else(|_| "redis://127.0.0.1:6379".into()),
        );
        c.redis.key_prefix = format!("lienthong-test-{}", uuid::Uuid::new_v4().simple());
        let registry = c.partners.get_mut(REGISTRY).unwrap();
        registry.limiter = lienthong_core::config::LimiterKind::Redis;
        registry.rate = Some("100/s".parse().unwrap());
        registry.max_partner_pause = Duration::from_secs(3600);
    })
    .await;
    let dir = tempfile::tempdir().unwrap();
    let mut config = h.t.config.clone();
    config.server.listen = "127.0.0.1:0".parse().unwrap();
    config.server.admin_listen = "127.0.0.1:0".parse().unwrap();
    config.storage.data_dir = dir.path().to_owned();
    config.partners.get_mut(REGISTRY).unwrap().max_partner_pause = Duration::from_secs(300);
    let other = lienthong_core::Bus::start(
        &config,
        None,
        &lienthong::partners::adapters(),
        lienthong::openapi::json().unwrap(),
    )
    .await
    .unwrap();
    assert_eq!(h.throttled_for(REGISTRY, "31536000").await, 3600);
    let paused = get_from(&h, &other, ENTERPRISE).await;
    paused.problem(503, "partner-throttled");
    let left: u64 = paused.header("retry-after").parse().unwrap();
    assert!(
        (299..=300).contains(&left),
        "the other instance's bound: {left}"
    );
    let url = format!("http://{}/admin/partners", other.admin_addr());
    let partners = h.t.raw(Method::GET, &url, &[], "").await.expect(200);
    let remaining = partners["partners"][0]["pause"]["remaining_ms"]
        .as_u64()
        .unwrap();
    assert!(remaining <= 300_000, "cut in Redis too: {remaining}");

    // Cleared through the other instance: the first one, which got the throttling answer,
    // serves again too.
    let clear = format!(
        "http://{}/admin/partners/{REGISTRY}/pause",
        other.admin_addr()
    );
    h.t.raw(Method::DELETE, &clear, &[], "").await.expect(200);
    h.registry.always(Hostility::Valid);
    get_from(&h, &other, ALIVE).await.expect(200);
    h.serves(REGISTRY).await;
    other.shutdown().await;
    h.t.stop().await;
}
