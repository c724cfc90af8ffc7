//! `phiwall serve`: run the gateway.
//!
//! Without `--config` it starts on loopback with the built-in simulated model and a `dev` app,
//! creates a fresh dev API key (shown once), and says how to point it at a real model. With a
//! config, every problem in the file is reported with its key path and a fix before anything
//! starts (exit 2).

use crate::output::{self, Exit};
use anyhow::Context;
use phiwall_gateway::{Gateway, RawConfig};
use phiwall_watch::anomaly::{AnomalyEngine, AnomalySink};
use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::{Arc, OnceLock};

/// Arguments of `phiwall serve`.
#[derive(Debug, clap::Args)]
pub struct ServeArgs {
    /// Configuration file (TOML). Without it: loopback, simulated model, a fresh dev key.
    #[arg(long)]
    pub config: Option<PathBuf>,
    /// Listen address (overrides server.listen), e.g. 127.0.0.1:8686.
    #[arg(long)]
    pub listen: Option<SocketAddr>,
    /// Data directory (overrides data_dir).
    #[arg(long)]
    pub data_dir: Option<PathBuf>,
    /// Extra incident-response playbooks (*.toml) added to the embedded defaults.
    #[arg(long, value_name = "DIR")]
    pub playbooks: Option<PathBuf>,
    /// Only validate the configuration and exit.
    #[arg(long)]
    pub check: bool,
}

/// Load and validate the configuration the way `serve` and `keys` do.
pub fn load_config(
    path: Option<&PathBuf>,
    listen: Option<SocketAddr>,
    data_dir: Option<&PathBuf>,
) -> anyhow::Result<phiwall_gateway::Config> {
    let mut raw = match path {
        Some(p) => {
            let text = std::fs::read_to_string(p)
                .map_err(|e| Exit::usage(format!("cannot read {}: {e}", p.display())))?;
            RawConfig::from_toml(&text).map_err(|e| Exit::usage(format!("{}: {e}", p.display())))?
        }
        None => RawConfig::builtin_default(),
    };
    if let Some(l) = listen {
        raw.server.listen = Some(l.to_string());
    }
    if let Some(d) = data_dir {
        raw.data_dir = Some(d.display().to_string());
    }
    raw.validate().map_err(|e| Exit::usage(e.to_string()))
}

/// Run `phiwall serve`.
pub fn run(a: ServeArgs) -> anyhow::Result<ExitCode> {
    let cfg = load_config(a.config.as_ref(), a.listen, a.data_dir.as_ref())?;
    if a.check {
        output::line("configuration is valid");
        return Ok(ExitCode::SUCCESS);
    }
    let filter = tracing_subscriber::EnvFilter::try_from_env("PHIWALL_LOG")
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info"));
    let _ =
        tracing_subscriber::fmt().with_env_filter(filter).with_writer(std::io::stderr).try_init();

    let is_default = a.config.is_none();
    let listen = cfg.listen;
    let metrics_listen = cfg.metrics_listen;
    let data_dir = cfg.data_dir.clone();
    // Anomaly detection on the event bus hands detections to incident response (issue 8);
    // the responder needs the built gateway, so the sender is filled in once it runs.
    // Detections also go back onto the bus, so the SIEM sinks export them (OCSF 2004).
    let detections: Arc<OnceLock<phiwall_respond::DetectionSender>> = Arc::default();
    let bus: Arc<OnceLock<phiwall_watch::WeakWatch>> = Arc::default();
    // The admin API (`/phiwall/v1/admin/*`, drills) reads detections, incidents and containment.
    let view = Arc::new(
        phiwall::respond_view::RespondView::open(&data_dir)
            .map_err(|e| Exit::usage(format!("incident stores in {}: {e}", data_dir.display())))?,
    );
    let anomaly_sink: Option<Box<dyn phiwall_watch::RecordSink>> =
        match AnomalyEngine::new(cfg.anomaly.clone()) {
            Ok(engine) => {
                let d = detections.clone();
                let w = bus.clone();
                let v = view.clone();
                Some(Box::new(phiwall_watch::EventsOnly(Box::new(AnomalySink::new(
                    engine,
                    Box::new(move |det| {
                        v.record(det.clone());
                        if let Some(w) = w.get().and_then(|w| w.upgrade()) {
                            w.emit_detection(det.clone());
                        }
                        if let Some(s) = d.get() {
                            s.send(det);
                        }
                    }),
                )))))
            }
            Err(e) => {
                output::warn(&format!("anomaly detection is off: {e}"));
                None
            }
        };
    let detections_in = detections.clone();
    let mut rt = tokio::runtime::Builder::new_multi_thread();
    if let Some(n) = cfg.worker_threads {
        rt.worker_threads(n);
    }
    let rt = rt.enable_all().build().context("cannot start the async runtime")?;
    let responder = rt.block_on(async move {
        let mut cfg = cfg;
        // Cluster mode: connect to PostgreSQL and Redis first (issue 10, docs/cluster.md).
        let cluster = phiwall_gateway::cluster::Cluster::connect(&mut cfg)
            .await
            .map_err(|e| Exit::usage(format!("cannot start: {e}")))?;
        let ledger_dir = cluster.as_ref().map(|_| cfg.audit.dir.clone());
        let mut opts = cluster.as_ref().map(|c| c.build_options()).unwrap_or_default();
        match &cluster {
            // One detector for the whole cluster: this replica relays its events and runs the
            // engine over every replica's events while it holds the detector lease.
            Some(c) => opts.sinks.push(
                c.detection(anomaly_sink)
                    .await
                    .map_err(|e| Exit::usage(format!("cannot start: {e}")))?,
            ),
            None => opts.sinks.extend(anomaly_sink),
        }
        let view_for_store = view.clone();
        opts.security_view = Some(view);
        let cfg_for_respond = cfg.clone();
        let gw = Gateway::build(cfg, opts)
            .map_err(|e| Exit::usage(format!("cannot start: {e}")))?;
        // The admin API reports the containment the gateway enforces (shared in cluster mode).
        if let Some(store) = gw.containment().store() {
            view_for_store.use_containment(store);
        }
        // Incident response next to the gateway (issue 8): containment, ledger records, expiry.
        // In cluster mode incidents live in PostgreSQL, so every replica's admin API and CLI
        // see the incident the detector lease holder raised, and a new holder continues it.
        let incidents = match &cluster {
            Some(c) => Arc::new(phiwall_store::IncidentStore::postgres(c.backend(), c.replica_id())),
            None => super::incidents::incident_store(&cfg_for_respond)?,
        };
        view_for_store.use_incidents(incidents.clone());
        let responder = super::incidents::start_responder(
            &gw,
            &cfg_for_respond,
            incidents,
            a.playbooks.as_deref(),
        )?;
        let _ = detections_in.set(responder.sender());
        drop(detections_in);
        let _ = bus.set(gw.watch().downgrade());
        let listener = phiwall_gateway::server::bind(listen)
            .await
            .map_err(|e| Exit::usage(format!("cannot listen on {listen}: {e}")))?;
        let local = listener.local_addr().context("listener address")?;
        let metrics = match metrics_listen {
            Some(m) => match phiwall_gateway::server::bind(m).await {
                Ok(l) => Some(l),
                Err(e) => {
                    output::warn(&format!("metrics listener {m} unavailable ({e}); continuing without /metrics"));
                    None
                }
            },
            None => None,
        };
        let scheme = if gw.is_tls() { "https" } else { "http" };
        output::status(&format!("phiwall gateway listening on {scheme}://{local}/v1"));
        if let Some(m) = metrics.as_ref().and_then(|m| m.local_addr().ok()) {
            output::status(&format!("metrics on http://{m}/metrics"));
        }
        output::status(&format!("data directory: {}", data_dir.display()));
        if is_default {
            let now = std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map(|d| d.as_secs() as i64)
                .unwrap_or(0);
            let key = phiwall_store::keys::create(gw.key_store().as_ref(), "dev", "dev-serve", Some(24 * 3600), now)
                .context("cannot create the dev API key")?;
            output::status("");
            output::status("Dev API key (shown once, valid 24 h, app \"dev\"):");
            output::line(key.reveal());
            output::status("");
            output::status("Try it (built-in simulated model, no network needed):");
            output::status(&format!(
                "  curl -s {scheme}://{local}/v1/chat/completions -H \"Authorization: Bearer $KEY\" -H 'Content-Type: application/json' \\\n    -d '{{\"model\":\"phiwall-sim\",\"messages\":[{{\"role\":\"user\",\"content\":\"Can I move my visit to Tuesday? Please contact me.\"}}]}}'"
            ));
            output::status("Point it at a real model: copy phiwall.example.toml, set [upstreams.*] base_url and");
            output::status("api_key = \"env:OPENAI_API_KEY\", then run `phiwall serve --config phiwall.toml`.");
        }
        if let Some(c) = &cluster {
            output::status(&format!("cluster replica {}", c.replica_id()));
        }
        gw.serve(listener, metrics, shutdown_signal())
            .await
            .map_err(|e| anyhow::anyhow!("gateway stopped: {e}"))?;
        if let Some(c) = cluster {
            c.shutdown(ledger_dir).await;
        }
        output::status("phiwall gateway stopped");
        Ok::<_, anyhow::Error>(responder)
    });
    let responder = responder?;
    // The bus (and its anomaly sink) is gone; drop the last sender so the responder drains.
    drop(detections);
    responder.shutdown();
    Ok(ExitCode::SUCCESS)
}

async fn shutdown_signal() {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{signal, SignalKind};
        match signal(SignalKind::terminate()) {
            Ok(mut term) => {
                tokio::select! {
                    _ = tokio::signal::ctrl_c() => {}
                    _ = term.recv() => {}
                }
            }
            Err(_) => {
                let _ = tokio::signal::ctrl_c().await;
            }
        }
    }
    #[cfg(not(unix))]
    {
        let _ = tokio::signal::ctrl_c().await;
    }
}
