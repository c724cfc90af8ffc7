//! Syslog over TCP (RFC 6587 octet counting) and over TLS (RFC 5425, same framing), with rustls.
//! Each message is sent as `MSG-LEN SP SYSLOG-MSG`.
//!
//! Delivery: syslog has no application-level acknowledgement. A batch counts as delivered once
//! it is written to the socket. Before each batch the connection is checked (a receiver that
//! closed it is detected and the connection reopened); a write error sends the whole batch
//! again on a new connection. Records written just before a receiver crashes can still be lost
//! in its socket buffers: the limit of the protocol (RELP would close it), documented in
//! `docs/siem.md`.

use super::delivery::{SendError, Sent, Transport};
use rustls::pki_types::{CertificateDer, ServerName};
use rustls_pki_types::pem::PemObject;
use std::io::{ErrorKind, Write};
use std::net::{TcpStream, ToSocketAddrs};
use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

/// Build a TLS client configuration trusting the CA certificates in `ca_file`.
pub fn tls_config(ca_file: &Path) -> Result<Arc<rustls::ClientConfig>, String> {
    let mut roots = rustls::RootCertStore::empty();
    let certs = CertificateDer::pem_file_iter(ca_file)
        .map_err(|e| format!("cannot read {}: {e}", ca_file.display()))?;
    for c in certs {
        let c = c.map_err(|e| format!("{}: bad PEM certificate: {e}", ca_file.display()))?;
        roots.add(c).map_err(|e| format!("{}: unusable CA certificate: {e}", ca_file.display()))?;
    }
    if roots.is_empty() {
        return Err(format!("{}: no certificates found", ca_file.display()));
    }
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let cfg = rustls::ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .map_err(|e| format!("tls: {e}"))?
        .with_root_certificates(roots)
        .with_no_client_auth();
    Ok(Arc::new(cfg))
}

enum Conn {
    Tcp(TcpStream),
    Tls(Box<rustls::StreamOwned<rustls::ClientConnection, TcpStream>>),
}

impl Conn {
    fn sock(&self) -> &TcpStream {
        match self {
            Conn::Tcp(s) => s,
            Conn::Tls(s) => s.get_ref(),
        }
    }

    fn writer(&mut self) -> &mut dyn Write {
        match self {
            Conn::Tcp(s) => s,
            Conn::Tls(s) => s.as_mut(),
        }
    }

    /// Whether the peer has closed the connection (a zero-byte peek).
    fn is_closed(&self) -> bool {
        let s = self.sock();
        if s.set_nonblocking(true).is_err() {
            return true;
        }
        let mut b = [0u8; 1];
        let closed = match s.peek(&mut b) {
            Ok(0) => true,
            Ok(_) => false,
            Err(e) => e.kind() != ErrorKind::WouldBlock,
        };
        closed || s.set_nonblocking(false).is_err()
    }
}

/// A syslog TCP or TLS connection that reconnects as needed.
pub struct SyslogTcp {
    addr: String,
    tls: Option<(Arc<rustls::ClientConfig>, ServerName<'static>)>,
    timeout: Duration,
    conn: Option<Conn>,
}

impl SyslogTcp {
    /// Plain TCP to `host:port`.
    pub fn tcp(addr: String, timeout: Duration) -> Self {
        SyslogTcp { addr, tls: None, timeout, conn: None }
    }

    /// TLS to `host:port`, verifying the server certificate for `server_name`.
    pub fn tls(
        addr: String,
        server_name: &str,
        cfg: Arc<rustls::ClientConfig>,
        timeout: Duration,
    ) -> Result<Self, String> {
        let name = ServerName::try_from(server_name.to_string())
            .map_err(|_| format!("{server_name:?} is not a valid TLS server name"))?;
        Ok(SyslogTcp { addr, tls: Some((cfg, name)), timeout, conn: None })
    }

    fn connect(&self) -> Result<Conn, SendError> {
        let mut last = SendError::Retry(format!("syslog {}: address did not resolve", self.addr));
        let addrs = self.addr.to_socket_addrs().map_err(|_| {
            SendError::Retry(format!("syslog {}: address did not resolve", self.addr))
        })?;
        for a in addrs {
            match TcpStream::connect_timeout(&a, self.timeout) {
                Ok(s) => {
                    let _ = s.set_nodelay(true);
                    let _ = s.set_write_timeout(Some(self.timeout));
                    let _ = s.set_read_timeout(Some(self.timeout));
                    return match &self.tls {
                        None => Ok(Conn::Tcp(s)),
                        Some((cfg, name)) => {
                            let c = rustls::ClientConnection::new(cfg.clone(), name.clone())
                                .map_err(|e| SendError::Retry(format!("syslog tls: {e}")))?;
                            let mut t = rustls::StreamOwned::new(c, s);
                            // Complete the handshake now so certificate errors surface here.
                            while t.conn.is_handshaking() {
                                t.conn.complete_io(&mut t.sock).map_err(|e| {
                                    SendError::Retry(format!("syslog tls handshake: {}", e.kind()))
                                })?;
                            }
                            Ok(Conn::Tls(Box::new(t)))
                        }
                    };
                }
                Err(e) => {
                    last = SendError::Retry(format!("syslog {}: connect: {}", self.addr, e.kind()))
                }
            }
        }
        Err(last)
    }
}

/// Append the RFC 6587 octet-counted frame of `msg`.
pub fn frame(msg: &[u8], out: &mut Vec<u8>) {
    out.extend_from_slice(msg.len().to_string().as_bytes());
    out.push(b' ');
    out.extend_from_slice(msg);
}

impl Transport for SyslogTcp {
    fn send(&mut self, batch: &[&[u8]]) -> Result<Sent, SendError> {
        if self.conn.as_ref().is_some_and(Conn::is_closed) {
            self.conn = None;
        }
        let mut conn = match self.conn.take() {
            Some(c) => c,
            None => self.connect()?,
        };
        let mut body = Vec::with_capacity(batch.iter().map(|b| b.len() + 8).sum());
        for m in batch {
            frame(m, &mut body);
        }
        let w = conn.writer();
        w.write_all(&body)
            .and_then(|_| w.flush())
            .map_err(|e| SendError::Retry(format!("syslog {}: write: {}", self.addr, e.kind())))?;
        self.conn = Some(conn);
        Ok(Sent::default())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn octet_counting() {
        let mut out = Vec::new();
        frame("<14>1 - - - - - - hé".as_bytes(), &mut out);
        assert_eq!(out, "21 <14>1 - - - - - - hé".as_bytes());
    }
}
