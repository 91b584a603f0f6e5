//! The host's network: interfaces and connections.

#[derive(Clone, Debug, PartialEq)]
pub struct Connection {
    /// `TCP` or `UDP`.
    pub proto: String,
    pub local_address: String,
    pub local_port: u16,
    pub remote_address: String,
    pub remote_port: u16,
    /// `ESTABLISHED`, `LISTENING`, ... (empty for UDP).
    pub state: String,
    pub pid: u32,
}

/// Splits `ip:port` (`[v6]:port` too); a missing port is 0.
pub fn split_endpoint(s: &str) -> (String, u16) {
    let s = s.trim();
    if let Some(rest) = s.strip_prefix('[')
        && let Some((ip, port)) = rest.split_once("]:")
    {
        return (ip.to_string(), port.parse().unwrap_or(0));
    }
    match s.rsplit_once(':') {
        Some((ip, port)) if !ip.contains(':') => (ip.to_string(), port.parse().unwrap_or(0)),
        _ => (s.to_string(), 0),
    }
}

#[derive(Clone, Debug, PartialEq)]
pub struct Interface {
    pub name: String,
    pub description: String,
    pub mac: String,
    pub ipv4: String,
    pub netmask: String,
    pub gateway: String,
    pub dns: Vec<String>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn endpoints_split_into_address_and_port() {
        assert_eq!(split_endpoint("10.0.0.5:443"), ("10.0.0.5".into(), 443));
        assert_eq!(split_endpoint("[::1]:22"), ("::1".into(), 22));
        assert_eq!(split_endpoint("*"), ("*".into(), 0));
    }
}
