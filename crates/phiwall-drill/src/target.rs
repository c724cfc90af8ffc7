//! Where a drill may send attack traffic: a loopback address, or a host the operator named with
//! `--allow-target` (a staging gateway they own). Anything else is refused before a single
//! request is sent, so a typo in `--target` cannot turn a drill into an attack on someone
//! else's system.

use crate::error::Error;
use reqwest::Url;
use std::net::IpAddr;

/// A target the runner may use.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Target {
    base: Url,
    is_loopback: bool,
}

impl Target {
    /// Check `url` against the rules: `http` or `https`, no credentials in the URL, no path
    /// beyond `/`, and a loopback host (`127.0.0.0/8`, `::1`, `localhost`) or a host listed in
    /// `allow` (as `host` or `host:port`, case-insensitive).
    pub fn parse(url: &str, allow: &[String]) -> Result<Target, Error> {
        let base = Url::parse(url.trim()).map_err(|e| {
            Error::Target(format!(
                "--target {url:?} is not a URL ({e}); write it like http://127.0.0.1:8686"
            ))
        })?;
        if !matches!(base.scheme(), "http" | "https") {
            return Err(Error::Target(format!(
                "--target must use http or https, found {:?}",
                base.scheme()
            )));
        }
        if !base.username().is_empty() || base.password().is_some() {
            return Err(Error::Target(
                "--target must not carry credentials; pass keys with --key / --admin-key".into(),
            ));
        }
        if !(base.path() == "/" || base.path().is_empty()) || base.query().is_some() {
            return Err(Error::Target(format!(
                "--target must be the gateway's origin (scheme, host, port) without a path, found path {:?}",
                base.path()
            )));
        }
        let host = base
            .host_str()
            .ok_or_else(|| Error::Target("--target has no host".into()))?
            .to_ascii_lowercase();
        let bare = host.trim_start_matches('[').trim_end_matches(']');
        let is_loopback =
            bare == "localhost" || bare.parse::<IpAddr>().is_ok_and(|ip| ip.is_loopback());
        if !is_loopback {
            let with_port = base.port_or_known_default().map(|p| format!("{host}:{p}"));
            let listed = allow.iter().any(|a| {
                let a = a.trim().to_ascii_lowercase();
                a == host || Some(&a) == with_port.as_ref()
            });
            if !listed {
                return Err(Error::Target(format!(
                    "refusing to attack {host}: drills only target loopback addresses or a staging gateway you name with --allow-target {host}"
                )));
            }
        }
        Ok(Target { base, is_loopback })
    }

    /// `base` joined with an absolute path.
    pub fn url(&self, path: &str) -> String {
        let mut s = self.base.as_str().trim_end_matches('/').to_string();
        s.push_str(path);
        s
    }

    /// Whether the target is on this host.
    pub fn is_loopback(&self) -> bool {
        self.is_loopback
    }

    /// The origin, for the scorecard.
    pub fn origin(&self) -> String {
        self.base.as_str().trim_end_matches('/').to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn loopback_targets_are_allowed() {
        for u in [
            "http://127.0.0.1:8686",
            "http://localhost:1",
            "https://[::1]:8443/",
            "http://127.9.9.9",
        ] {
            assert!(Target::parse(u, &[]).is_ok(), "{u}");
        }
        let t = Target::parse("http://127.0.0.1:8686/", &[]).unwrap();
        assert_eq!(t.url("/v1/models"), "http://127.0.0.1:8686/v1/models");
    }

    #[test]
    fn other_targets_are_refused_unless_listed() {
        for u in [
            "http://10.0.0.5:8686",
            "https://api.openai.com",
            "http://0.0.0.0:8686",
            "http://localhost.evil.com",
        ] {
            let e = Target::parse(u, &[]).unwrap_err().to_string();
            assert!(e.contains("refusing to attack"), "{u}: {e}");
        }
        assert!(
            Target::parse("https://staging.clinic.test", &["staging.clinic.test".into()]).is_ok()
        );
        assert!(Target::parse(
            "https://staging.clinic.test:9443",
            &["staging.clinic.test:9443".into()]
        )
        .is_ok());
        assert!(Target::parse(
            "https://staging.clinic.test:9443",
            &["staging.clinic.test:443".into()]
        )
        .is_err());
        assert!(Target::parse("https://prod.clinic.test", &["staging.clinic.test".into()]).is_err());
    }

    #[test]
    fn malformed_targets_are_refused() {
        for u in [
            "ftp://127.0.0.1",
            "http://user:pw@127.0.0.1",
            "http://127.0.0.1/v1",
            "not a url",
            "http://127.0.0.1/?x=1",
        ] {
            assert!(Target::parse(u, &[]).is_err(), "{u}");
        }
    }
}
