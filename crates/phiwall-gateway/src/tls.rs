//! TLS with rustls (ring provider): TLS 1.3 preferred, TLS 1.2 minimum, the provider's modern
//! suites only (AEAD with ECDHE); optional client-certificate verification (mTLS) against a CA
//! bundle. Certificates and keys are read here, at build time, never per request.

use crate::config::TlsConfig;
use rustls::server::WebPkiClientVerifier;
use rustls::RootCertStore;
use rustls_pki_types::pem::PemObject;
use rustls_pki_types::{CertificateDer, PrivateKeyDer};
use std::sync::Arc;

/// Build the rustls server configuration.
pub fn server_config(t: &TlsConfig) -> Result<Arc<rustls::ServerConfig>, String> {
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let certs: Vec<CertificateDer<'static>> = CertificateDer::pem_file_iter(&t.cert)
        .map_err(|e| format!("server.tls.cert {}: {e}", t.cert.display()))?
        .collect::<Result<_, _>>()
        .map_err(|e| format!("server.tls.cert {}: {e}", t.cert.display()))?;
    if certs.is_empty() {
        return Err(format!("server.tls.cert {}: no certificates found", t.cert.display()));
    }
    let key_pem = t.key.resolve().map_err(|e| format!("server.tls.key: {e}"))?;
    let key = PrivateKeyDer::from_pem_slice(key_pem.expose().as_bytes())
        .map_err(|_| format!("server.tls.key {}: no PEM private key found", t.key))?;
    let builder = rustls::ServerConfig::builder_with_provider(provider.clone())
        .with_protocol_versions(&[&rustls::version::TLS13, &rustls::version::TLS12])
        .map_err(|e| format!("TLS versions: {e}"))?;
    let builder = match &t.client_ca {
        Some(ca) => {
            let mut roots = RootCertStore::empty();
            for c in CertificateDer::pem_file_iter(ca)
                .map_err(|e| format!("server.tls.client_ca {}: {e}", ca.display()))?
            {
                let c = c.map_err(|e| format!("server.tls.client_ca {}: {e}", ca.display()))?;
                roots.add(c).map_err(|e| format!("server.tls.client_ca {}: {e}", ca.display()))?;
            }
            let verifier = WebPkiClientVerifier::builder_with_provider(Arc::new(roots), provider)
                .build()
                .map_err(|e| format!("server.tls.client_ca: {e}"))?;
            builder.with_client_cert_verifier(verifier)
        }
        None => builder.with_no_client_auth(),
    };
    let mut cfg = builder
        .with_single_cert(certs, key)
        .map_err(|e| format!("server.tls: certificate and key do not match: {e}"))?;
    cfg.alpn_protocols = vec![b"h2".to_vec(), b"http/1.1".to_vec()];
    Ok(Arc::new(cfg))
}
