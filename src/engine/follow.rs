//! Following other server instances on a shared database. Every committed
//! write notifies (`LISTEN`/`NOTIFY`), but notifications can be lost (a
//! dropped connection, a restart), so the follower also polls once a second
//! and always reads by change sequence: everything after the index's own
//! sequence, from one consistent snapshot. The index's sequence therefore
//! stays a watermark — every change up to it is applied — on every instance,
//! and ETags and tile caches keyed by it agree across instances.

use super::{Engine, district_input};
use crate::analysis::fixes::Fix;
use crate::store::StoreError;
use std::sync::Arc;
use std::time::Duration;

/// How often the follower checks for missed changes without a notification.
pub const POLL: Duration = Duration::from_secs(1);

impl Engine {
    /// True when a write of ours got sequence `seq` but an earlier one (by
    /// another instance) is not applied yet.
    pub(super) fn gap_before(&self, seq: u64) -> bool {
        seq > self.index.seq() + 1
    }

    /// Applies everything other instances committed since the index's
    /// sequence; returns the number of appeal rows read.
    pub async fn follow(&self) -> Result<usize, StoreError> {
        let _guard = self.write_lock.lock().await;
        self.follow_locked().await
    }

    /// [`Engine::follow`] for a caller that holds the write lock.
    pub(super) async fn follow_locked(&self) -> Result<usize, StoreError> {
        let seq = self.index.seq();
        let district_after = self
            .districts()
            .all()
            .iter()
            .map(|d| d.id)
            .max()
            .unwrap_or(0);
        let fix_after = self.fixes.all().iter().map(|f| f.id).max().unwrap_or(0);
        let changes = self
            .store
            .changes_since(seq, district_after, fix_after)
            .await?;
        if changes.seq <= seq {
            return Ok(0);
        }
        // Districts and fixes first: a tile built under the new version must show them.
        if !changes.districts.is_empty() {
            let inputs = changes
                .districts
                .into_iter()
                .map(district_input)
                .collect::<Result<Vec<_>, _>>()?;
            let current = self.districts();
            let next = tokio::task::spawn_blocking(move || current.with(inputs))
                .await
                .map_err(|e| StoreError::Corrupt(format!("building district masks failed: {e}")))?;
            *self.districts.write() = Arc::new(next);
        }
        for row in changes.fixes {
            self.fixes
                .push(Fix::from_row(row).map_err(StoreError::Corrupt)?);
        }
        // Small tables other instances may have added to: read them whole.
        self.reload_responsible().await?;
        self.process_changes
            .replace(self.store.process_changes().await?);
        let n = changes.rows.len();
        let index = self.index.clone();
        let _ = tokio::task::spawn_blocking(move || index.apply(&changes.rows, changes.seq)).await;
        Ok(n)
    }
}

/// Runs until aborted: applies other instances' writes as they are notified,
/// and at least every [`POLL`]. Database outages are logged once and retried.
pub async fn run(engine: Arc<Engine>) {
    let mut feed = None;
    let mut tick = tokio::time::interval(POLL);
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    let mut failing = false;
    loop {
        if feed.is_none() {
            feed = engine.store.feed().await.ok().flatten();
        }
        let notified = async {
            match feed.as_mut() {
                Some(f) => f.next().await,
                None => std::future::pending().await,
            }
        };
        tokio::select! {
            n = notified => match n {
                // Our own writes notify too; those are applied already.
                Ok(Some(seq)) if seq <= engine.index.seq() => continue,
                Ok(_) => {}
                Err(_) => feed = None,
            },
            _ = tick.tick() => {
                match engine.store.version().await {
                    Ok((_, seq)) if seq <= engine.index.seq() => {
                        recovered(&mut failing);
                        continue;
                    }
                    Ok(_) => {}
                    Err(e) => {
                        failed(&mut failing, &e);
                        continue;
                    }
                }
            }
        }
        match engine.follow().await {
            Ok(n) => {
                recovered(&mut failing);
                tracing::debug!(
                    rows = n,
                    seq = engine.index.seq(),
                    "followed other instances"
                );
            }
            Err(e) => failed(&mut failing, &e),
        }
    }
}

fn failed(failing: &mut bool, e: &StoreError) {
    if !*failing {
        tracing::warn!(error = %e, "cannot follow the database; retrying every second");
        *failing = true;
    }
}

fn recovered(failing: &mut bool) {
    if *failing {
        tracing::info!("database reachable again; following");
        *failing = false;
    }
}
