//! The W&B API, as far as this tool talks to it: audit logs ([`audit`]), who a key belongs to
//! ([`viewer`]) and the members of a team ([`team`]). One blocking HTTP client with a timeout
//! on every request, retries with exponential backoff on 429 and 5xx (honouring
//! `Retry-After`), and an API key that never appears in a message: it lives in [`ApiKey`],
//! whose `Debug` and `Display` print nothing of it. docs/wandb-api.md records what each call
//! relies on.

pub mod audit;
pub mod team;
pub mod viewer;

use std::time::Duration;

/// The Multi-tenant Cloud API host.
pub const CLOUD_HOST: &str = "https://api.wandb.ai";

/// An API key. Nothing prints it: `Debug` and `Display` show `<api key>`.
#[derive(Clone)]
pub struct ApiKey(String);

impl ApiKey {
    /// Wraps `key` (surrounding blanks dropped: a key pasted with a newline).
    pub fn new(key: &str) -> Self {
        Self(key.trim().to_string())
    }

    /// Whether the key is empty.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// The `Authorization` header W&B expects: basic auth with user `api` and the key as the
    /// password.
    fn header(&self) -> String {
        let pair = format!("api:{}", self.0);
        format!("Basic {}", data_encoding::BASE64.encode(pair.as_bytes()))
    }
}

impl std::fmt::Debug for ApiKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("<api key>")
    }
}

impl std::fmt::Display for ApiKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("<api key>")
    }
}

/// How hard to try: attempts per request and the backoff between them.
#[derive(Debug, Clone)]
pub struct Retry {
    /// Attempts per request, the first included.
    pub attempts: u32,
    /// The first wait; each next one doubles.
    pub base: Duration,
    /// The longest `Retry-After` honoured; a longer one ends the attempts.
    pub max_wait: Duration,
    /// The timeout of one whole request (connect, send, read).
    pub timeout: Duration,
}

impl Default for Retry {
    fn default() -> Self {
        Self {
            attempts: 6,
            base: Duration::from_secs(1),
            max_wait: Duration::from_secs(300),
            timeout: Duration::from_secs(120),
        }
    }
}

/// Why a request did not give an answer. No variant holds the key or a header.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ApiError {
    /// The host could not be reached, or the connection broke, on every attempt.
    #[error("cannot reach {host}: {message}")]
    Network {
        /// The host.
        host: String,
        /// What failed (the last attempt).
        message: String,
    },
    /// 401: the key is not accepted.
    #[error(
        "{host} refused the API key (401 Unauthorized): it is wrong, revoked or for another host"
    )]
    Unauthorized {
        /// The host.
        host: String,
    },
    /// 403: the key is accepted but may not do this.
    #[error("{host} answered 403 Forbidden: the key's account may not do this (audit logs need an organization admin)")]
    Forbidden {
        /// The host.
        host: String,
    },
    /// 429 or 5xx on every attempt.
    #[error("{host} answered {status} on all {attempts} attempts")]
    Busy {
        /// The host.
        host: String,
        /// The last status.
        status: u16,
        /// Attempts made.
        attempts: u32,
    },
    /// Any other status.
    #[error("{host} answered {status}{detail}")]
    Status {
        /// The host.
        host: String,
        /// The status.
        status: u16,
        /// A short, cleaned excerpt of the answer (`: ...`), or nothing.
        detail: String,
    },
    /// An answer that is not what the endpoint documents (after every attempt).
    #[error("{host} sent an answer that cannot be read: {message}")]
    Malformed {
        /// The host.
        host: String,
        /// What is wrong with it.
        message: String,
    },
}

/// The most of an answer read (a page of 20,000 audit events is a few MiB).
const MAX_BODY: u64 = 512 << 20;

/// A request to send.
#[derive(Debug, Clone)]
pub enum Request<'a> {
    /// `GET path?query`.
    Get {
        /// The path under the host (`/admin/audit_logs`).
        path: &'a str,
        /// Query pairs.
        query: Vec<(&'static str, String)>,
    },
    /// `POST path` with a JSON body.
    PostJson {
        /// The path under the host (`/graphql`).
        path: &'a str,
        /// The body.
        body: String,
    },
}

/// A blocking client for one host and one key.
pub struct Client {
    agent: ureq::Agent,
    host: String,
    key: ApiKey,
    retry: Retry,
    sleep: fn(Duration),
}

impl std::fmt::Debug for Client {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Client")
            .field("host", &self.host)
            .field("retry", &self.retry)
            .finish_non_exhaustive()
    }
}

/// `host` without a trailing slash, with `https://` added when no scheme is given.
pub fn normalize_host(host: &str) -> String {
    let host = host.trim().trim_end_matches('/');
    if host.starts_with("http://") || host.starts_with("https://") {
        host.to_string()
    } else {
        format!("https://{host}")
    }
}

impl Client {
    /// A client for `host` (`https://api.wandb.ai`, `https://acme.wandb.io`) with `key`.
    pub fn new(host: &str, key: ApiKey, retry: Retry) -> Self {
        let config = ureq::Agent::config_builder()
            .timeout_global(Some(retry.timeout))
            .timeout_connect(Some(Duration::from_secs(30)))
            .http_status_as_error(false)
            // A redirect could carry the key to another host: none is followed.
            .max_redirects(0)
            .user_agent(concat!("wandb-sa-lint/", env!("CARGO_PKG_VERSION")))
            .build();
        Self {
            agent: config.into(),
            host: normalize_host(host),
            key,
            retry,
            sleep: std::thread::sleep,
        }
    }

    /// The host, as requests go to it.
    pub fn host(&self) -> &str {
        &self.host
    }

    /// The retry settings.
    pub fn retry(&self) -> &Retry {
        &self.retry
    }

    /// Waits before attempt `attempt + 1` (0-based `attempt` just failed).
    pub(crate) fn backoff(&self, attempt: u32, retry_after: Option<Duration>) {
        let wait = retry_after.unwrap_or_else(|| {
            self.retry
                .base
                .saturating_mul(1u32.checked_shl(attempt).unwrap_or(u32::MAX))
                .min(self.retry.max_wait)
        });
        (self.sleep)(wait);
    }

    /// Sends `req`, retrying network errors, 429 and 5xx; returns the body of a 2xx answer.
    pub fn send(&self, req: &Request<'_>) -> Result<String, ApiError> {
        let host = self.host.clone();
        let attempts = self.retry.attempts.max(1);
        let mut last = ApiError::Network {
            host: host.clone(),
            message: "no attempt made".to_string(),
        };
        for attempt in 0..attempts {
            let answer = match req {
                Request::Get { path, query } => {
                    let mut r = self
                        .agent
                        .get(format!("{}{path}", self.host))
                        .header("Authorization", self.key.header())
                        .header("Accept", "application/json, application/x-ndjson");
                    for (k, v) in query {
                        r = r.query(*k, v);
                    }
                    r.call()
                }
                Request::PostJson { path, body } => self
                    .agent
                    .post(format!("{}{path}", self.host))
                    .header("Authorization", self.key.header())
                    .header("Content-Type", "application/json")
                    .send(body.as_str()),
            };
            let more = attempt + 1 < attempts;
            let mut resp = match answer {
                Ok(r) => r,
                Err(e) => {
                    last = ApiError::Network {
                        host: host.clone(),
                        message: e.to_string(),
                    };
                    if more {
                        self.backoff(attempt, None);
                    }
                    continue;
                }
            };
            let status = resp.status().as_u16();
            if status == 429 || (500..600).contains(&status) {
                let after = retry_after(resp.headers());
                last = ApiError::Busy {
                    host: host.clone(),
                    status,
                    attempts: attempt + 1,
                };
                if after.is_some_and(|w| w > self.retry.max_wait) {
                    return Err(last);
                }
                if more {
                    self.backoff(attempt, after);
                }
                continue;
            }
            let body = resp
                .body_mut()
                .with_config()
                .limit(MAX_BODY)
                .read_to_string();
            match (status, body) {
                (200..=299, Ok(text)) => return Ok(text),
                (200..=299, Err(e)) => {
                    // A body cut short (the connection dropped mid-answer): try again.
                    last = ApiError::Malformed {
                        host: host.clone(),
                        message: format!("the answer was cut short ({e})"),
                    };
                    if more {
                        self.backoff(attempt, None);
                    }
                }
                (401, _) => return Err(ApiError::Unauthorized { host }),
                (403, _) => return Err(ApiError::Forbidden { host }),
                (_, text) => {
                    return Err(ApiError::Status {
                        host,
                        status,
                        detail: text.map(|t| excerpt(&t)).unwrap_or_default(),
                    })
                }
            }
        }
        Err(last)
    }
}

/// `Retry-After` in seconds (an HTTP date is not honoured: the backoff applies).
fn retry_after(headers: &ureq::http::HeaderMap) -> Option<Duration> {
    let v = headers.get("retry-after")?.to_str().ok()?;
    v.trim().parse::<u64>().ok().map(Duration::from_secs)
}

/// `: ` and the first line of an error answer, at most 200 characters, printable ASCII only;
/// empty when there is nothing to show.
fn excerpt(text: &str) -> String {
    let line: String = text
        .lines()
        .find(|l| !l.trim().is_empty())
        .unwrap_or("")
        .chars()
        .filter(|c| c.is_ascii_graphic() || *c == ' ')
        .take(200)
        .collect();
    if line.trim().is_empty() {
        String::new()
    } else {
        format!(": {}", line.trim())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_key_is_never_shown() {
        let key = ApiKey::new("0123456789abcdef0123456789abcdef01234567\n");
        assert_eq!(format!("{key} {key:?}"), "<api key> <api key>");
        let client = Client::new("acme.wandb.io/", key.clone(), Retry::default());
        assert!(!format!("{client:?}").contains("0123"));
        assert_eq!(client.host(), "https://acme.wandb.io");
        // Basic auth, user `api`, the key as password.
        let decoded = data_encoding::BASE64
            .decode(key.header().trim_start_matches("Basic ").as_bytes())
            .expect("base64");
        assert_eq!(decoded, b"api:0123456789abcdef0123456789abcdef01234567");
    }

    #[test]
    fn error_excerpts_are_short_and_plain() {
        assert_eq!(
            excerpt("\n{\"error\":\"bad\x1b[31m\"}\nmore"),
            ": {\"error\":\"bad[31m\"}"
        );
        assert_eq!(excerpt("   \n"), "");
        assert_eq!(excerpt(&"x".repeat(500)).len(), 202);
    }
}
