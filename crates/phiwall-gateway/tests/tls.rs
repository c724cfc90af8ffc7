//! TLS and mTLS: a gateway with a certificate from a throwaway CA, client certificates required,
//! and a client-certificate identity mapped to an app (no bearer credential needed).

#![allow(clippy::unwrap_used)]

mod common;

use phiwall_gateway::auth::PeerCertificate;
use phiwall_gateway::{BuildOptions, Gateway, RawConfig};
use rcgen::{BasicConstraints, CertificateParams, DnType, ExtendedKeyUsagePurpose, IsCa, KeyPair};
use tokio::task::JoinSet;

struct Pki {
    ca_pem: String,
    server_pem: String,
    server_key: String,
    client_pem: String,
    client_key: String,
    client_fp: String,
    stranger_pem: String,
    stranger_key: String,
}

fn pki() -> Pki {
    let ca_key = KeyPair::generate().unwrap();
    let mut ca_params = CertificateParams::new(Vec::<String>::new()).unwrap();
    ca_params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    ca_params.distinguished_name.push(DnType::CommonName, "phiwall test CA");
    let ca = ca_params.self_signed(&ca_key).unwrap();
    let leaf = |names: Vec<String>,
                cn: &str,
                usage: ExtendedKeyUsagePurpose,
                signer: Option<(&rcgen::Certificate, &KeyPair)>| {
        let key = KeyPair::generate().unwrap();
        let mut p = CertificateParams::new(names).unwrap();
        p.distinguished_name.push(DnType::CommonName, cn);
        p.extended_key_usages = vec![usage];
        let cert = match signer {
            Some((c, k)) => p.signed_by(&key, c, k).unwrap(),
            None => p.self_signed(&key).unwrap(),
        };
        (cert, key)
    };
    let (server, server_key) = leaf(
        vec!["localhost".into(), "127.0.0.1".into()],
        "phiwall",
        ExtendedKeyUsagePurpose::ServerAuth,
        Some((&ca, &ca_key)),
    );
    let (client, client_key) =
        leaf(vec![], "clinic-client", ExtendedKeyUsagePurpose::ClientAuth, Some((&ca, &ca_key)));
    let (stranger, stranger_key) =
        leaf(vec![], "stranger", ExtendedKeyUsagePurpose::ClientAuth, None);
    Pki {
        ca_pem: ca.pem(),
        server_pem: server.pem(),
        server_key: server_key.serialize_pem(),
        client_fp: PeerCertificate::from_der(client.der()).fingerprint,
        client_pem: client.pem(),
        client_key: client_key.serialize_pem(),
        stranger_pem: stranger.pem(),
        stranger_key: stranger_key.serialize_pem(),
    }
}

fn client(pki: &Pki, identity: Option<(&str, &str)>, max12: bool) -> reqwest::Client {
    let mut b = reqwest::Client::builder()
        .use_rustls_tls()
        .add_root_certificate(reqwest::Certificate::from_pem(pki.ca_pem.as_bytes()).unwrap());
    if let Some((cert, key)) = identity {
        b = b.identity(reqwest::Identity::from_pem(format!("{cert}{key}").as_bytes()).unwrap());
    }
    if max12 {
        b = b.max_tls_version(reqwest::tls::Version::TLS_1_2);
    }
    b.build().unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn tls_with_client_certificates_and_mtls_identity() {
    let pki = pki();
    let mut tasks = JoinSet::new();
    let (mock, rec) = common::start_mock(&mut tasks).await;
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    std::fs::write(d.join("server.pem"), &pki.server_pem).unwrap();
    std::fs::write(d.join("server.key"), &pki.server_key).unwrap();
    std::fs::write(d.join("ca.pem"), &pki.ca_pem).unwrap();
    let toml = format!(
        r#"
data_dir = "{d}"
[server]
listen = "127.0.0.1:0"
metrics_listen = "off"
[server.tls]
cert = "{d}/server.pem"
key = "file:{d}/server.key"
client_ca = "{d}/ca.pem"
[auth.mtls]
identities = {{ "{fp}" = "clinic" }}
[upstreams.mock]
base_url = "http://{mock}/v1"
[models.phiwall-sim]
upstream = "mock"
[apps.clinic]
models = ["phiwall-sim"]
"#,
        d = d.display(),
        fp = pki.client_fp
    );
    let cfg = RawConfig::from_toml(&toml).unwrap().validate().unwrap();
    let gw = Gateway::build(cfg, BuildOptions::default()).unwrap();
    assert!(gw.is_tls());
    let l = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = l.local_addr().unwrap();
    let (tx, rx) = tokio::sync::oneshot::channel::<()>();
    tasks.spawn(async move {
        gw.serve(l, None, async move {
            let _ = rx.await;
        })
        .await
        .unwrap();
    });
    let url = |p: &str| format!("https://localhost:{}{p}", addr.port());
    let body = serde_json::json!({"model": "phiwall-sim", "messages": [{"role": "user", "content": "hi"}]}).to_string();

    // The mapped client certificate identifies the app: no bearer credential needed.
    let c = client(&pki, Some((&pki.client_pem, &pki.client_key)), false);
    let r = c
        .post(url("/v1/chat/completions"))
        .header("content-type", "application/json")
        .body(body.clone())
        .send()
        .await
        .unwrap();
    assert_eq!(r.status().as_u16(), 200);
    assert_eq!(r.version(), reqwest::Version::HTTP_2, "ALPN should pick h2");
    // TLS 1.2 still works.
    let c12 = client(&pki, Some((&pki.client_pem, &pki.client_key)), true);
    assert_eq!(c12.get(url("/healthz")).send().await.unwrap().status().as_u16(), 200);
    // A wrong bearer is not rescued by the certificate.
    let r = c
        .post(url("/v1/chat/completions"))
        .bearer_auth("sk-wrong")
        .header("content-type", "application/json")
        .body(body.clone())
        .send()
        .await
        .unwrap();
    assert_eq!(r.status().as_u16(), 401);
    // No client certificate, or one from another CA: the handshake fails.
    let none = client(&pki, None, false);
    assert!(none.get(url("/healthz")).send().await.is_err());
    let stranger = client(&pki, Some((&pki.stranger_pem, &pki.stranger_key)), false);
    assert!(stranger.get(url("/healthz")).send().await.is_err());
    // Plain HTTP to the TLS port does not get through.
    let plain = reqwest::Client::new();
    assert!(plain
        .get(format!("http://127.0.0.1:{}/healthz", addr.port()))
        .send()
        .await
        .map(|r| r.status().as_u16() != 200)
        .unwrap_or(true));
    assert_eq!(rec.len(), 1);
    let _ = tx.send(());
}
