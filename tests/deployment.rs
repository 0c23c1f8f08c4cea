//! What an operator deploys: the compose stack refuses to start without its secrets, the
//! bundled nginx keeps query strings (names, birth dates) out of its logs.

#![allow(clippy::unwrap_used)]

use std::path::Path;

fn shipped(file: &str) -> String {
    std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join(file)).unwrap()
}

/// Every `${...}` interpolation in `text`.
fn interpolations(text: &str) -> Vec<&str> {
    text.split("${")
        .skip(1)
        .filter_map(|rest| rest.split_once('}').map(|(inner, _)| inner))
        .collect()
}

#[test]
fn compose_fails_instead_of_falling_back_to_demo_secrets() {
    let text = shipped("docker/compose.yaml");
    let parsed: serde_json::Value = serde_norway::from_str(&text).unwrap();
    assert!(parsed["services"]["bus1"].is_object(), "{parsed}");
    let found = interpolations(&text);
    assert!(!found.is_empty());
    for inner in found {
        let (name, rule) = inner
            .split_once(":?")
            .unwrap_or_else(|| panic!("${{{inner}}} has a fallback or no error when unset"));
        assert!(
            !name.is_empty() && name.bytes().all(|b| b.is_ascii_uppercase() || b == b'_'),
            "${{{inner}}}"
        );
        assert!(
            rule.trim().len() > 10,
            "${{{inner}}} must say how to set {name}"
        );
    }
    for secret in [
        "LIENTHONG_ONE_STOP_SHOP_KEY",
        "LIENTHONG_WEBHOOK_SECRET",
        "LIENTHONG_BHXH_PASSWORD",
        "POSTGRES_PASSWORD",
        "LIENTHONG_ADMIN_TOKEN",
        "LIENTHONG_CACHE_KEY",
    ] {
        assert!(text.contains(&format!("${{{secret}:?")), "{secret}");
    }
}

#[test]
fn nginx_logs_no_query_strings() {
    let text = shipped("docker/nginx.conf");
    let directives: Vec<&str> = text
        .lines()
        .map(|l| l.split('#').next().unwrap_or_default().trim())
        .filter(|l| !l.is_empty())
        .collect();
    let joined = directives.join(" ");
    let format = joined
        .split("log_format ")
        .nth(1)
        .and_then(|rest| rest.split(';').next())
        .expect("nginx.conf declares its own log_format");
    let name = format.split_whitespace().next().unwrap();
    for leaky in [
        "$request ",
        "$request'",
        "$request\"",
        "$request_uri",
        "$args",
        "$query_string",
        "$arg_",
        "$http_referer",
    ] {
        assert!(!format.contains(leaky), "log_format uses {leaky}: {format}");
    }
    assert!(!format.trim_end().ends_with("$request"), "{format}");
    // The path is logged through a map that hides the insurance code (a personal
    // identifier) of participant lookups.
    assert!(
        !format.contains("$uri") && format.contains("$logged_path"),
        "log the mapped path, never the raw one: {format}"
    );
    assert!(
        joined.contains("map $uri $logged_path")
            && joined.contains("~^/v1/insurance/participants/"),
        "{joined}"
    );
    for line in directives.iter().filter(|l| l.starts_with("error_log")) {
        assert!(
            line.contains(" crit") || line.contains(" alert") || line.contains(" emerg"),
            "error entries quote the request line with its query: {line}"
        );
    }
    let access_logs: Vec<&&str> = directives
        .iter()
        .filter(|l| l.starts_with("access_log"))
        .collect();
    assert!(!access_logs.is_empty());
    for line in access_logs {
        assert!(
            line.trim_end_matches(';').ends_with(&format!(" {name}")) || line.contains(" off"),
            "access_log without the query-free format: {line}"
        );
    }
}
