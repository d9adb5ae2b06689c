//! Starting and stopping the server: database, migrations, background workers, HTTP, and a
//! graceful shutdown on SIGTERM or Ctrl-C that lets requests in flight finish.

use crate::db::{Db, migrate};
use crate::notify::adapters::Adapter;
use crate::notify::worker;
use crate::platform::clock::{Clock, SystemClock};
use crate::platform::config::Config;
use crate::web::{AppState, metrics::Metrics};
use std::sync::Arc;
use std::time::Duration;

pub async fn open(config: &Config) -> anyhow::Result<Db> {
    let vault = crate::platform::vault::Vault::open(&config.keys_dir())?;
    let db = Db::connect(&config.database_url, None)
        .await?
        .with_vault(vault);
    migrate::run(&db).await?;
    Ok(db)
}

#[allow(clippy::disallowed_methods)] // timing code: the start-up time logged
pub async fn run(config: Config, demo: bool) -> anyhow::Result<()> {
    let started = std::time::Instant::now();
    let db = open(&config).await?;
    let clock: Arc<dyn Clock> = Arc::new(SystemClock);
    if demo && super::demo::seed(&db, clock.now_ms()).await? {
        tracing::info!(
            elapsed_ms = started.elapsed().as_millis() as u64,
            "demo district created"
        );
    }
    let chained = crate::audit::chain::backfill(&db).await?;
    if chained > 0 {
        tracing::info!(records = chained, "audit records chained");
    }
    let audit_key = crate::audit::chain::load_or_create_key(&config.keys_dir())?;
    sweep_ballot_keys(&db).await;
    let words = crate::search::warm_dictionary(&db).await?;
    tracing::info!(
        words,
        dict_version = crate::text::DICT_VERSION,
        "user dictionary loaded"
    );
    let listener = tokio::net::TcpListener::bind(&config.listen).await?;
    let addr = listener.local_addr()?;
    let state = AppState {
        db: db.clone(),
        clock: clock.clone(),
        config: Arc::new(config.clone()),
        metrics: Arc::new(Metrics::default()),
        demo,
        limiter: Arc::new(crate::web::limit::Limiter::new(
            config.sign_in_rate,
            config.anonymous_rate,
        )),
        demo_sign_in: if demo {
            super::demo::SIGN_IN
        } else {
            Default::default()
        },
        services: services(&db),
    };
    let (stop_tx, stop_rx) = tokio::sync::watch::channel(false);
    let worker = tokio::spawn(worker::run(
        db.clone(),
        Adapter(config.notify.clone()),
        clock.clone(),
        stop_rx.clone(),
    ));
    let sched = tokio::spawn(scheduler_loop(
        db.clone(),
        clock.clone(),
        audit_key,
        stop_rx,
    ));
    tracing::info!(%addr, demo, elapsed_ms = started.elapsed().as_millis() as u64, "serving");
    super::cli::say(&format!(
        "连心 Lianxin {} — http://{addr}/{}",
        if demo { "演示环境 demo" } else { "" },
        if demo {
            "  (演示账户见登录页 / demo accounts on the login page)"
        } else {
            ""
        }
    ));
    super::router::serve(state, listener, shutdown_signal()).await?;
    let _ = stop_tx.send(true);
    let _ = tokio::time::timeout(Duration::from_secs(10), async {
        let _ = worker.await;
        let _ = sched.await;
    })
    .await;
    db.pool.close().await;
    tracing::info!("stopped");
    Ok(())
}

/// The slices' long-lived services: the group-commit writers of opinions and ballots, and the
/// meetings' answer to "is this member seated" for the sessions.
pub fn services(db: &Db) -> crate::web::services::Services {
    crate::web::services::Services::default()
        .with(crate::opinions::intake::start(db.clone()))
        .with(crate::meetings::ballot_box::start(db.clone()))
        .with(crate::meetings::PRESENCE)
        .with(crate::opinions::service::REPLIED)
}

async fn scheduler_loop(
    db: Db,
    clock: Arc<dyn Clock>,
    audit_key: Vec<u8>,
    mut stop: tokio::sync::watch::Receiver<bool>,
) {
    loop {
        if let Err(e) = super::jobs::tick(&db, clock.as_ref(), &audit_key).await {
            tracing::error!(error = %e, "scheduler");
        }
        sweep_ballot_keys(&db).await;
        tokio::select! {
            _ = tokio::time::sleep(Duration::from_secs(60)) => {}
            _ = stop.changed() => return,
        }
    }
}

/// A ballot key that outlived its vote (a close interrupted before the key was removed) is
/// destroyed at start and then every minute.
async fn sweep_ballot_keys(db: &Db) {
    match crate::meetings::service::destroy_spent_ballot_keys(db).await {
        Ok(0) => {}
        Ok(n) => tracing::warn!(keys = n, "ballot keys of closed votes destroyed"),
        Err(e) => tracing::error!(error = %e, "ballot key sweep"),
    }
    match crate::meetings::service::retry_purges(db).await {
        Ok(0) => {}
        Ok(n) => tracing::info!(votes = n, "dead ballot row versions removed at last"),
        Err(e) => tracing::error!(error = %e, "ballot purge retry"),
    }
}

async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! {
        _ = ctrl_c => {}
        _ = term => {}
    }
    tracing::info!("shutdown signal received; finishing requests in flight");
}
