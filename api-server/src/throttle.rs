//! Throttling of password sign-in and sign-up, against guessing one
//! account's password and against stuffing many accounts from one place.
//!
//! Two fixed-window counters, kept in the database (`rate_limits`) so that
//! every server on it counts together:
//!
//! - **per account**: every sign-in attempt for an email counts, whatever
//!   address it comes from; a successful sign-in clears the count, so a
//!   person's own typos do not linger;
//! - **per client address**: every sign-in and sign-up from one address
//!   (an IPv6 address by its /64, what one household or office gets).
//!
//! A request over either limit is refused before any password is hashed.
//! A window ends at a fixed time however many more attempts arrive, so an
//! attack locks its target out for at most one window after it stops.

use std::net::{IpAddr, SocketAddr};
use std::time::Duration;

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use chrono::Utc;
use http::HeaderMap;
use sha2::{Digest, Sha256};

use crate::error::{Error, Throttled};
use crate::store::Store;

/// At most `max` requests per `window`.
#[derive(Clone, Copy, Debug)]
pub struct Limit {
    pub max: u32,
    pub window: Duration,
}

impl Limit {
    fn window_ms(&self) -> i64 {
        i64::try_from(self.window.as_millis()).unwrap_or(i64::MAX)
    }
}

pub struct Throttle {
    pub store: Store,
    pub per_account: Limit,
    pub per_address: Limit,
    /// The header a trusted proxy puts the client's address in, if any.
    pub client_ip_header: Option<http::HeaderName>,
}

impl Throttle {
    /// Counts a sign-in or sign-up from `client`.
    pub async fn address(&self, client: IpAddr) -> Result<(), Error> {
        let key = key("address", &address_key(client));
        self.hit(&key, self.per_address, "too many sign-in and sign-up requests from this address").await
    }

    /// Counts a sign-in attempt for the account with this (normalised)
    /// email.
    pub async fn account(&self, email: &str) -> Result<(), Error> {
        self.hit(&key("account", email), self.per_account, "too many sign-in attempts for this account").await
    }

    /// Forgets the account's attempts, after a successful sign-in.
    pub async fn account_succeeded(&self, email: &str) -> Result<(), Error> {
        Ok(self.store.rate_limit_clear(&key("account", email)).await?)
    }

    /// The client's address: the last one in the trusted proxy's header
    /// (the one the proxy itself added), else the connection's peer.
    pub fn client_address(&self, peer: SocketAddr, headers: &HeaderMap) -> IpAddr {
        self.client_ip_header
            .as_ref()
            .and_then(|name| headers.get_all(name).iter().next_back())
            .and_then(|value| value.to_str().ok())
            .and_then(|list| list.rsplit(',').next())
            .and_then(|last| last.trim().parse::<IpAddr>().ok())
            .unwrap_or_else(|| peer.ip())
    }

    async fn hit(&self, key: &str, limit: Limit, what: &'static str) -> Result<(), Error> {
        let now = Utc::now().timestamp_millis();
        let (hits, window_start) = self.store.rate_limit_hit(key, now, limit.window_ms()).await?;
        if hits <= i64::from(limit.max) {
            return Ok(());
        }
        let reset_ms = (window_start + limit.window_ms() - now).max(0);
        // Whole seconds, rounded up: retrying at `Retry-After` must succeed.
        let reset = u64::try_from((reset_ms + 999) / 1000).unwrap_or(0).max(1);
        Err(Error::Throttled(Throttled { what, limit: limit.max, reset_seconds: reset }))
    }
}

/// The stored key: a SHA-256, so the table holds no email or address.
fn key(kind: &str, value: &str) -> String {
    let mut hasher = Sha256::new();
    hasher.update(kind.as_bytes());
    hasher.update(b":");
    hasher.update(value.as_bytes());
    URL_SAFE_NO_PAD.encode(hasher.finalize())
}

/// What one client address is counted as: an IPv4 address as itself, an
/// IPv6 address by its /64 network (one subscriber's), an IPv4-mapped IPv6
/// address as the IPv4 one.
fn address_key(address: IpAddr) -> String {
    match address {
        IpAddr::V4(v4) => v4.to_string(),
        IpAddr::V6(v6) => match v6.to_ipv4_mapped() {
            Some(v4) => v4.to_string(),
            None => {
                let s = v6.segments();
                format!("{:x}:{:x}:{:x}:{:x}::/64", s[0], s[1], s[2], s[3])
            }
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    // spec: 001-task-service#FR-046
    #[test]
    fn addresses_are_counted_by_subscriber() {
        let a: IpAddr = "2001:db8:1:2:aaaa::1".parse().expect("ip");
        let b: IpAddr = "2001:db8:1:2:bbbb::9".parse().expect("ip");
        let other: IpAddr = "2001:db8:1:3::1".parse().expect("ip");
        assert_eq!(address_key(a), address_key(b), "one /64 is one subscriber");
        assert_ne!(address_key(a), address_key(other));
        let mapped: IpAddr = "::ffff:192.0.2.7".parse().expect("ip");
        assert_eq!(address_key(mapped), "192.0.2.7");
        assert_ne!(key("account", "a@example.com"), key("address", "a@example.com"));
        assert!(!key("account", "a@example.com").contains("example"), "no email is stored");
    }
}
