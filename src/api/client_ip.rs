//! The address a request comes from. Behind a load balancer every request
//! arrives from the balancer, so per-address limits would throttle everyone
//! together; when the peer is a trusted proxy, the client is the rightmost
//! address in `X-Forwarded-For` that is not itself a trusted proxy (entries
//! further left are whatever the client chose to send, so they are not
//! believed).

use axum::http::HeaderMap;
use ipnet::IpNet;
use std::net::IpAddr;

/// The client's address: `peer` unless `peer` is one of `trusted`.
pub fn client_address(peer: IpAddr, headers: &HeaderMap, trusted: &[IpNet]) -> IpAddr {
    let is_trusted = |ip: &IpAddr| trusted.iter().any(|n| n.contains(ip));
    if !is_trusted(&peer) {
        return peer;
    }
    // Several headers count as one comma list, in order (RFC 9110 §5.3).
    let hops: Vec<&str> = headers
        .get_all("x-forwarded-for")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .collect();
    let mut client = peer;
    for hop in hops.iter().rev() {
        match parse_hop(hop) {
            Some(ip) if is_trusted(&ip) => client = ip,
            Some(ip) => return ip,
            // A hop that is not an address cannot be followed further.
            None => return client,
        }
    }
    client
}

/// One `X-Forwarded-For` entry: an address, possibly `[v6]:port` or `v4:port`.
fn parse_hop(hop: &str) -> Option<IpAddr> {
    let hop = hop.trim();
    if let Ok(ip) = hop.parse() {
        return Some(ip);
    }
    if let Ok(sock) = hop.parse::<std::net::SocketAddr>() {
        return Some(sock.ip());
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::HeaderValue;

    fn headers(values: &[&str]) -> HeaderMap {
        let mut h = HeaderMap::new();
        for v in values {
            h.append("x-forwarded-for", HeaderValue::from_str(v).unwrap());
        }
        h
    }

    fn ip(s: &str) -> IpAddr {
        s.parse().unwrap()
    }

    fn nets(list: &[&str]) -> Vec<IpNet> {
        list.iter().map(|s| s.parse().unwrap()).collect()
    }

    #[test]
    fn an_untrusted_peer_is_the_client_whatever_it_claims() {
        let h = headers(&["203.0.113.9"]);
        assert_eq!(
            client_address(ip("198.51.100.1"), &h, &nets(&["10.0.0.0/8"])),
            ip("198.51.100.1")
        );
        assert_eq!(client_address(ip("10.0.0.2"), &h, &[]), ip("10.0.0.2"));
    }

    #[test]
    fn behind_trusted_proxies_the_rightmost_untrusted_hop_is_the_client() {
        let trusted = nets(&["10.0.0.0/8", "::1/128"]);
        // The client forged the first entry; the proxies appended the rest.
        let h = headers(&["1.2.3.4, 203.0.113.9", "10.0.0.7"]);
        assert_eq!(
            client_address(ip("10.0.0.2"), &h, &trusted),
            ip("203.0.113.9")
        );
        let h = headers(&["[2001:db8::5]:4711"]);
        assert_eq!(client_address(ip("::1"), &h, &trusted), ip("2001:db8::5"));
        let h = headers(&["198.51.100.3:8080"]);
        assert_eq!(
            client_address(ip("10.1.1.1"), &h, &trusted),
            ip("198.51.100.3")
        );
    }

    #[test]
    fn a_missing_or_broken_header_leaves_the_last_trusted_hop() {
        let trusted = nets(&["10.0.0.0/8"]);
        assert_eq!(
            client_address(ip("10.0.0.2"), &HeaderMap::new(), &trusted),
            ip("10.0.0.2")
        );
        let h = headers(&["garbage, 10.0.0.9"]);
        assert_eq!(client_address(ip("10.0.0.2"), &h, &trusted), ip("10.0.0.9"));
        let h = headers(&["unknown"]);
        assert_eq!(client_address(ip("10.0.0.2"), &h, &trusted), ip("10.0.0.2"));
    }
}
