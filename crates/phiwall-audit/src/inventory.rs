//! The AI inventory: models and upstreams configured and actually used (from the event log),
//! with the apps, owners and purposes behind each. Rendered as CycloneDX 1.6 ML-BOM by
//! [`crate::render::cyclonedx`].

use crate::evidence::{Evidence, Seen};
use phiwall_gateway::config::UpstreamKind;
use phiwall_gateway::Config;
use serde::Serialize;

/// One model name clients may ask for.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ModelEntry {
    /// Public model name.
    pub name: String,
    /// Upstream it routes to.
    pub upstream: String,
    /// Name sent upstream.
    pub upstream_model: String,
    /// Host (or `built-in`) serving it: the supplier as far as phiwall knows.
    pub host: String,
    /// Apps allowed to use it.
    pub apps: Vec<String>,
    /// Owners of those apps.
    pub owners: Vec<String>,
    /// Purposes of those apps.
    pub purposes: Vec<String>,
    /// Use seen in the event log (`None` when the log was not read).
    pub used: Option<Seen>,
}

/// One upstream model server.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct UpstreamEntry {
    /// Name.
    pub name: String,
    /// `openai` or `simulated`.
    pub kind: String,
    /// Base URL (empty for the simulated model).
    pub endpoint: String,
    /// Whether requests to it are authenticated (an API key reference is set).
    pub is_authenticated: bool,
    /// Fallback upstream.
    pub fallback: Option<String>,
    /// Models routed to it.
    pub models: Vec<String>,
}

/// One calling app.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct AppEntry {
    /// Profile name.
    pub name: String,
    /// Owner.
    pub owner: Option<String>,
    /// Purpose.
    pub purpose: Option<String>,
    /// Models it may use.
    pub models: Vec<String>,
    /// Use seen in the event log.
    pub used: Option<Seen>,
}

/// The inventory.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Inventory {
    /// Models.
    pub models: Vec<ModelEntry>,
    /// Upstreams.
    pub upstreams: Vec<UpstreamEntry>,
    /// Apps.
    pub apps: Vec<AppEntry>,
    /// Model names requested that are not configured (seen in events; refused).
    pub unknown_models_requested: Vec<String>,
    /// Whether actual use comes from the event log.
    pub is_usage_known: bool,
}

fn host_of(url: &str) -> String {
    let rest = url.split_once("://").map_or(url, |(_, r)| r);
    rest.split(['/', '?', '#']).next().unwrap_or("").rsplit('@').next().unwrap_or("").to_string()
}

/// Build the inventory from the configuration and the usage evidence.
pub fn build(cfg: &Config, ev: &Evidence) -> Inventory {
    let usage = ev.usage.get();
    let mut models = Vec::new();
    for (name, route) in &cfg.models {
        let host = match cfg.upstreams.get(&route.upstream).map(|u| &u.kind) {
            Some(UpstreamKind::OpenAi { base_url, .. }) => host_of(base_url),
            Some(UpstreamKind::Simulated) => "built-in".into(),
            None => String::new(),
        };
        let apps: Vec<&phiwall_gateway::config::AppPolicy> =
            cfg.apps.values().filter(|a| a.models.contains(name)).collect();
        let mut owners: Vec<String> = apps.iter().filter_map(|a| a.owner.clone()).collect();
        owners.sort();
        owners.dedup();
        let mut purposes: Vec<String> = apps.iter().filter_map(|a| a.purpose.clone()).collect();
        purposes.sort();
        purposes.dedup();
        models.push(ModelEntry {
            name: name.clone(),
            upstream: route.upstream.clone(),
            upstream_model: route.upstream_model.clone(),
            host,
            apps: apps.iter().map(|a| a.name.clone()).collect(),
            owners,
            purposes,
            used: usage.map(|u| u.models.get(name).copied().unwrap_or_default()),
        });
    }
    let upstreams = cfg
        .upstreams
        .values()
        .map(|u| {
            let (kind, endpoint, is_authenticated) = match &u.kind {
                UpstreamKind::OpenAi { base_url, api_key } => {
                    ("openai".to_string(), base_url.clone(), api_key.is_some())
                }
                UpstreamKind::Simulated => ("simulated".to_string(), String::new(), true),
            };
            UpstreamEntry {
                name: u.name.clone(),
                kind,
                endpoint,
                is_authenticated,
                fallback: u.fallback.clone(),
                models: cfg
                    .models
                    .iter()
                    .filter(|(_, r)| r.upstream == u.name)
                    .map(|(m, _)| m.clone())
                    .collect(),
            }
        })
        .collect();
    let apps = cfg
        .apps
        .values()
        .map(|a| AppEntry {
            name: a.name.clone(),
            owner: a.owner.clone(),
            purpose: a.purpose.clone(),
            models: a.models.iter().cloned().collect(),
            used: usage.map(|u| u.apps.get(&a.name).copied().unwrap_or_default()),
        })
        .collect();
    let unknown_models_requested = usage
        .map(|u| u.models.keys().filter(|m| !cfg.models.contains_key(*m)).cloned().collect())
        .unwrap_or_default();
    Inventory { models, upstreams, apps, unknown_models_requested, is_usage_known: usage.is_some() }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn host_of_strips_scheme_path_and_userinfo() {
        assert_eq!(host_of("https://api.openai.com/v1"), "api.openai.com");
        assert_eq!(host_of("http://u@10.0.0.5:8000/v1"), "10.0.0.5:8000");
    }
}
