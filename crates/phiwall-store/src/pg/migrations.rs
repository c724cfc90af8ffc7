//! Embedded schema migrations, applied at connect by sqlx's migrator (which takes a PostgreSQL
//! advisory lock, so replicas starting at once apply each migration exactly once, and which
//! refuses to start when an applied migration's checksum changed).
//!
//! Add a migration: a new `NNNN_name.sql` file in `migrations/` and a line in [`MIGRATIONS`].
//! Never edit a released file; write a new one.

use crate::error::Error;
use futures_util::future::BoxFuture;
use sqlx::migrate::{Migration, MigrationSource, MigrationType, Migrator};
use sqlx::PgPool;
use std::borrow::Cow;

/// (version, description, SQL) in order.
pub const MIGRATIONS: &[(i64, &str, &str)] = &[
    (1, "api keys", include_str!("migrations/0001_api_keys.sql")),
    (2, "cluster replicas and ledger checkpoints", include_str!("migrations/0002_cluster.sql")),
    (3, "sessions", include_str!("migrations/0003_sessions.sql")),
    (4, "containment", include_str!("migrations/0004_containment.sql")),
    (5, "incidents", include_str!("migrations/0005_incidents.sql")),
];

#[derive(Debug)]
struct Embedded;

impl MigrationSource<'static> for Embedded {
    fn resolve(self) -> BoxFuture<'static, Result<Vec<Migration>, sqlx::error::BoxDynError>> {
        Box::pin(async {
            Ok(MIGRATIONS
                .iter()
                .map(|(v, d, sql)| {
                    Migration::new(
                        *v,
                        Cow::Borrowed(*d),
                        MigrationType::Simple,
                        Cow::Borrowed(*sql),
                        false,
                    )
                })
                .collect())
        })
    }
}

/// Apply every pending migration.
pub async fn run(pool: &PgPool) -> Result<(), Error> {
    let m = Migrator::new(Embedded)
        .await
        .map_err(|e| Error::Backend { backend: "postgres", detail: format!("migrations: {e}") })?;
    m.run(pool)
        .await
        .map_err(|e| Error::Backend { backend: "postgres", detail: format!("migrations: {e}") })
}
