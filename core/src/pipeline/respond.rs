//! Stage: respond. Successful answers as canonical JSON; common headers on every answer.

use bytes::Bytes;
use http::{HeaderValue, Response, StatusCode, header};
use serde::Serialize;
use serde_json::Value;

use crate::applications::Submitted;
use crate::server::Body;

/// `status` with a JSON body.
pub(crate) fn json<T: Serialize + ?Sized>(status: StatusCode, value: &T) -> Response<Body> {
    let body = serde_json::to_vec(value).unwrap_or_default();
    bytes(status, "application/json", Bytes::from(body))
}

/// `status` with `body` of `content_type`.
pub(crate) fn bytes(status: StatusCode, content_type: &'static str, body: Bytes) -> Response<Body> {
    let mut response = Response::new(Body::new(body));
    *response.status_mut() = status;
    response
        .headers_mut()
        .insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type));
    response
}

/// The answer to a submission: 202 with `Location` when it was stored now, 200 with the
/// application's document when the same request stored it before.
pub(crate) fn submitted(submitted: &Submitted) -> Response<Body> {
    match submitted {
        Submitted::Created {
            summary,
            status_url,
        } => {
            let mut response = json(StatusCode::ACCEPTED, summary);
            if let Ok(location) = HeaderValue::from_str(status_url) {
                response.headers_mut().insert(header::LOCATION, location);
            }
            response
        }
        Submitted::Existing(document) => json(StatusCode::OK, document),
    }
}

/// RFC 8288 `Link` header (first, prev, next, last) for a paged answer carrying `page`,
/// `page_size` and `total`, built from the request's path and query.
pub(crate) fn page_links(
    path: &str,
    query: &[(String, String)],
    record: &Value,
) -> Option<HeaderValue> {
    let number = |key: &str| record.get(key).and_then(Value::as_u64);
    let (page, size, total) = (number("page")?, number("page_size")?, number("total")?);
    if size == 0 {
        return None;
    }
    let last = total.div_ceil(size).max(1);
    let link = |target: u64, rel: &str| {
        let mut url = form_urlencoded::Serializer::new(String::new());
        for (key, value) in query.iter().filter(|(k, _)| k != "page") {
            url.append_pair(key, value);
        }
        url.append_pair("page", &target.to_string());
        format!("<{path}?{}>; rel=\"{rel}\"", url.finish())
    };
    let mut links = vec![link(1, "first")];
    if page > 1 {
        links.push(link((page - 1).min(last), "prev"));
    }
    if page < last {
        links.push(link(page + 1, "next"));
    }
    links.push(link(last, "last"));
    HeaderValue::from_str(&links.join(", ")).ok()
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn links_cover_first_prev_next_last() {
        let query = vec![
            ("q".to_owned(), "chia sẻ".to_owned()),
            ("page".to_owned(), "2".to_owned()),
        ];
        let record = json!({"page": 2, "page_size": 20, "total": 45});
        let links = page_links("/v1/docs", &query, &record).unwrap();
        assert_eq!(
            links.to_str().unwrap(),
            "</v1/docs?q=chia+s%E1%BA%BB&page=1>; rel=\"first\", </v1/docs?q=chia+s%E1%BA%BB&page=1>; rel=\"prev\", \
             </v1/docs?q=chia+s%E1%BA%BB&page=3>; rel=\"next\", </v1/docs?q=chia+s%E1%BA%BB&page=3>; rel=\"last\""
        );
        let single = page_links(
            "/v1/docs",
            &[],
            &json!({"page": 1, "page_size": 20, "total": 0}),
        )
        .unwrap();
        assert_eq!(
            single.to_str().unwrap(),
            "</v1/docs?page=1>; rel=\"first\", </v1/docs?page=1>; rel=\"last\""
        );
    }
}
