//! The event tables' migrations are generated from the contracts' ABIs; this fails when a
//! contract changed and they were not regenerated (`UPDATE_SCHEMA=1` rewrites them).
#![allow(clippy::unwrap_used)]

use openledger_indexer::schema::{Backend, Schema};

#[test]
fn event_migrations_match_the_abis() {
    let schema = Schema::new().unwrap();
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("migrations");
    for (backend, sub) in [(Backend::Sqlite, "sqlite"), (Backend::Postgres, "postgres")] {
        let path = dir.join(sub).join("0004_events.sql");
        let generated = schema.ddl(backend);
        if std::env::var_os("UPDATE_SCHEMA").is_some() {
            std::fs::write(&path, &generated).unwrap();
        }
        let committed = std::fs::read_to_string(&path).unwrap_or_default();
        assert!(
            committed == generated,
            "{} is stale: run UPDATE_SCHEMA=1 cargo test -p openledger-indexer --test schema_drift",
            path.display()
        );
    }
}

#[test]
fn both_backends_define_the_same_views() {
    // The views are portable SQL on purpose: one definition of "current state" for both databases.
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("migrations");
    let sqlite = std::fs::read_to_string(dir.join("sqlite/0006_views.sql")).unwrap();
    let postgres = std::fs::read_to_string(dir.join("postgres/0006_views.sql")).unwrap();
    assert!(sqlite.contains("CREATE VIEW contributions"));
    assert_eq!(
        sqlite, postgres,
        "indexer/migrations/{{sqlite,postgres}}/0006_views.sql differ"
    );
}
