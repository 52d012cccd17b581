//! The engine ties the store and the index together: writes go to the
//! database first and reach the index only after their transaction commits;
//! at start the index is restored from a snapshot plus the rows changed since.
//! On a shared database ([`follow`]) the index also follows what other
//! instances write, so its sequence number always means "every change up to
//! here is applied" — the version ETags and tile caches rely on.

pub mod follow;
mod load;

use crate::analysis::fixes::{Fix, FixBook};
use crate::districts::{DistrictInput, Districts, ParsedDistrict, parse::parse_geometry};
use crate::domain::{Appeal, Catalogue, Responsible, ResponsibleBook};
use crate::index::{Index, snapshot};
use crate::store::{FixRow, NewDistrict, Store, StoreError, StoreOptions, WriteResult};
use std::sync::Arc;
use std::time::Instant;

/// Store, index and catalogue, shared by the HTTP handlers and the CLI.
#[derive(Debug)]
pub struct Engine {
    /// The database.
    pub store: Store,
    /// The in-memory index.
    pub index: Arc<Index>,
    /// The sector catalogue.
    pub catalogue: Catalogue,
    /// Districts with their masks; replaced whole (copy on write) when added.
    districts: parking_lot::RwLock<Arc<Districts>>,
    /// The recorded fixes.
    pub fixes: FixBook,
    /// The responsible catalogue; replaced whole when a write adds units.
    responsible: parking_lot::RwLock<Arc<ResponsibleBook>>,
    /// Only catalogued responsible codes are accepted (else new ones are added).
    strict_responsible: std::sync::atomic::AtomicBool,
    /// The recorded process changes.
    pub process_changes: crate::analysis::resolution::ChangeBook,
    db_uuid: String,
    // A Tokio mutex because it is held across the database write's `.await`:
    // it orders "commit, then apply" so the index sees writes in commit order.
    write_lock: tokio::sync::Mutex<()>,
}

impl Engine {
    /// Opens the database with default options and loads the index.
    pub async fn open(db_url: &str) -> anyhow::Result<Engine> {
        Self::open_with(db_url, &StoreOptions::default()).await
    }

    /// Opens the database and loads the index.
    pub async fn open_with(db_url: &str, opts: &StoreOptions) -> anyhow::Result<Engine> {
        let store = Store::open_with(db_url, opts).await?;
        let catalogue = Catalogue::new(store.sectors().await?);
        let (db_uuid, db_seq) = store.version().await?;
        let started = Instant::now();
        let path = store.snapshot_path();
        let snap = match &path {
            Some(p) => {
                let p = p.clone();
                let (u, s) = (db_uuid.clone(), db_seq);
                tokio::task::spawn_blocking(move || snapshot::read(&p, &u, s))
                    .await?
                    .unwrap_or_else(|e| {
                        tracing::warn!(error = %e, "index snapshot unreadable; rebuilding from the database");
                        None
                    })
            }
            None => None,
        };
        let from_snapshot = snap.is_some();
        let mut data = snap.unwrap_or_default();
        let caught_up = load::catch_up(&store, &mut data, db_seq).await?;
        data = tokio::task::spawn_blocking(move || {
            data.set_bulk(false);
            data
        })
        .await?;
        tracing::info!(
            appeals = data.len(),
            from_snapshot,
            rows_from_db = caught_up,
            ms = started.elapsed().as_millis() as u64,
            "index loaded"
        );
        let districts = load_districts(&store).await?;
        let fixes = load_fixes(&store).await?;
        let responsible = ResponsibleBook::new(store.responsible().await?);
        let process_changes =
            crate::analysis::resolution::ChangeBook::new(store.process_changes().await?);
        let engine = Engine {
            store,
            index: Arc::new(Index::new(data)),
            catalogue,
            districts: parking_lot::RwLock::new(Arc::new(districts)),
            fixes,
            responsible: parking_lot::RwLock::new(Arc::new(responsible)),
            strict_responsible: false.into(),
            process_changes,
            db_uuid,
            write_lock: tokio::sync::Mutex::new(()),
        };
        if !from_snapshot || caught_up > 0 {
            engine.save_snapshot().await;
        }
        Ok(engine)
    }

    /// Writes appeals in one transaction, then applies them to the index
    /// (the rows move into the index: `changed` of the result comes back empty).
    pub async fn write(&self, appeals: &[Appeal]) -> Result<WriteResult, StoreError> {
        let _guard = self.write_lock.lock().await;
        let mut result = self.store.write_appeals(appeals).await?;
        self.refresh_responsible(appeals).await?;
        if self.gap_before(result.seq) {
            // Another instance wrote in between: read everything up to and
            // including this write from the database, in order.
            result.changed.clear();
            self.follow_locked().await?;
        } else if !result.changed.is_empty() {
            let index = self.index.clone();
            let changed = std::mem::take(&mut result.changed);
            let seq = result.seq;
            // Applying may merge the delta into the base: CPU work off the async threads.
            let _ = tokio::task::spawn_blocking(move || index.apply(&changed, seq)).await;
        }
        Ok(result)
    }

    /// Re-reads the responsible catalogue when a write named units it did
    /// not know (the write added them and they now have ids).
    async fn refresh_responsible(&self, appeals: &[Appeal]) -> Result<(), StoreError> {
        let book = self.responsible();
        if appeals
            .iter()
            .filter_map(|a| a.responsible.as_deref())
            .any(|c| book.id_of(c).is_none())
        {
            self.reload_responsible().await?;
        }
        Ok(())
    }

    /// Reads the whole responsible catalogue (a few hundred rows at most).
    pub(super) async fn reload_responsible(&self) -> Result<(), StoreError> {
        *self.responsible.write() = Arc::new(ResponsibleBook::new(self.store.responsible().await?));
        Ok(())
    }

    /// The responsible catalogue as of now.
    pub fn responsible(&self) -> Arc<ResponsibleBook> {
        self.responsible.read().clone()
    }

    /// Makes the responsible catalogue strict (unknown codes are refused at
    /// validation) or open (unknown codes are added when written).
    pub fn set_strict_responsible(&self, strict: bool) {
        self.strict_responsible
            .store(strict, std::sync::atomic::Ordering::Relaxed);
    }

    /// The catalogue records are validated against: the sectors, plus the
    /// responsible units when the responsible catalogue is strict.
    pub fn ingest_catalogue(&self) -> Catalogue {
        if self
            .strict_responsible
            .load(std::sync::atomic::Ordering::Relaxed)
        {
            self.catalogue
                .clone()
                .with_strict_responsible(self.responsible())
        } else {
            self.catalogue.clone()
        }
    }

    /// Adds or renames responsible units (by code) and publishes the catalogue.
    pub async fn upsert_responsible(&self, units: &[Responsible]) -> Result<(), StoreError> {
        let _guard = self.write_lock.lock().await;
        let (all, seq) = self.store.upsert_responsible(units).await?;
        *self.responsible.write() = Arc::new(ResponsibleBook::new(all));
        if self.gap_before(seq) {
            self.follow_locked().await?;
        } else {
            let index = self.index.clone();
            let _ = tokio::task::spawn_blocking(move || index.apply(&[], seq)).await;
        }
        Ok(())
    }

    /// Stores a process change, lists it in memory and moves the data version on.
    pub async fn add_process_change(
        &self,
        mut row: crate::store::ProcessChangeRow,
    ) -> Result<crate::store::ProcessChangeRow, StoreError> {
        let _guard = self.write_lock.lock().await;
        let (id, seq) = self.store.insert_process_change(&row).await?;
        row.id = id;
        if self.gap_before(seq) {
            self.follow_locked().await?;
        } else {
            self.process_changes.push(row.clone());
            let index = self.index.clone();
            let _ = tokio::task::spawn_blocking(move || index.apply(&[], seq)).await;
        }
        Ok(row)
    }

    /// The districts as of now.
    pub fn districts(&self) -> Arc<Districts> {
        self.districts.read().clone()
    }

    /// Stores validated districts in one transaction (bumping the data
    /// version), then builds their masks and publishes them; returns their
    /// `(id, name)` in input order.
    pub async fn add_districts(
        &self,
        parsed: Vec<ParsedDistrict>,
    ) -> Result<Vec<(i64, String)>, StoreError> {
        let _guard = self.write_lock.lock().await;
        let now = chrono::Utc::now().timestamp();
        let rows: Vec<NewDistrict> = parsed
            .iter()
            .map(|d| NewDistrict {
                name: d.name.clone(),
                code: d.code.clone(),
                geometry: d.geojson.clone(),
                created_at: now,
            })
            .collect();
        let (ids, seq) = self.store.insert_districts(&rows).await?;
        let created: Vec<(i64, String)> = ids
            .iter()
            .copied()
            .zip(rows.into_iter().map(|r| r.name))
            .collect();
        if self.gap_before(seq) {
            self.follow_locked().await?;
            return Ok(created);
        }
        let inputs: Vec<DistrictInput> = parsed
            .into_iter()
            .zip(&ids)
            .map(|(d, &id)| DistrictInput {
                id,
                name: d.name,
                code: d.code,
                created_at: now,
                geometry: d.geometry,
                geojson: d.geojson,
            })
            .collect();
        let current = self.districts();
        // Covers cost milliseconds to seconds: off the async threads.
        let next = tokio::task::spawn_blocking(move || current.with(inputs))
            .await
            .map_err(|e| StoreError::Corrupt(format!("building district masks failed: {e}")))?;
        *self.districts.write() = Arc::new(next);
        // The index carries the data version that ETags and tile caches use.
        let index = self.index.clone();
        let _ = tokio::task::spawn_blocking(move || index.apply(&[], seq)).await;
        Ok(created)
    }

    /// Stores a fix, then adds it to the fixes in memory and moves the data
    /// version on (so ETags and cached fix tiles change with it).
    pub async fn add_fix(&self, row: FixRow) -> Result<Arc<Fix>, StoreError> {
        // Derived before the write, so a stored fix can always be loaded.
        let mut fix = Fix::from_row(row.clone()).map_err(StoreError::Corrupt)?;
        let _guard = self.write_lock.lock().await;
        let (id, seq) = self.store.insert_fix(&row).await?;
        if self.gap_before(seq) {
            self.follow_locked().await?;
            return self.fixes.get(id).ok_or_else(|| {
                StoreError::Corrupt(format!("fix {id} was stored but not read back"))
            });
        }
        fix.id = id;
        // The fix is listed before the version moves: a tile built under the
        // new version must show it.
        let fix = self.fixes.push(fix);
        let index = self.index.clone();
        let _ = tokio::task::spawn_blocking(move || index.apply(&[], seq)).await;
        Ok(fix)
    }

    /// Starts or ends a bulk load (imports): the index skips its R-tree and
    /// merges until the end, then sorts once.
    pub async fn set_bulk(&self, on: bool) {
        let _guard = self.write_lock.lock().await;
        self.store.set_bulk(on);
        let index = self.index.clone();
        let _ = tokio::task::spawn_blocking(move || index.set_bulk(on)).await;
    }

    /// Writes the current index to its snapshot file (best effort: a missing or
    /// stale snapshot only makes the next start slower).
    pub async fn save_snapshot(&self) {
        let Some(path) = self.store.snapshot_path() else {
            return;
        };
        let index = self.index.clone();
        let uuid = self.db_uuid.clone();
        let res = tokio::task::spawn_blocking(move || {
            index.compact();
            let data = index.read();
            snapshot::write(&path, &uuid, &data)
        })
        .await;
        match res {
            Ok(Ok(())) => tracing::debug!("index snapshot saved"),
            Ok(Err(e)) => tracing::warn!(error = %e, "could not save the index snapshot"),
            Err(e) => tracing::warn!(error = %e, "snapshot task failed"),
        }
    }
}

/// Reads the stored districts and builds their masks.
async fn load_districts(store: &Store) -> Result<Districts, StoreError> {
    let inputs = store
        .districts()
        .await?
        .into_iter()
        .map(district_input)
        .collect::<Result<Vec<_>, _>>()?;
    let started = Instant::now();
    let n = inputs.len();
    let districts = tokio::task::spawn_blocking(move || Districts::default().with(inputs))
        .await
        .map_err(|e| StoreError::Corrupt(format!("building district masks failed: {e}")))?;
    if n > 0 {
        tracing::info!(
            districts = n,
            ms = started.elapsed().as_millis() as u64,
            "districts loaded"
        );
    }
    Ok(districts)
}

/// A stored district with its geometry parsed again (as validated when stored).
fn district_input(d: crate::store::StoredDistrict) -> Result<DistrictInput, StoreError> {
    let value: serde_json::Value = serde_json::from_str(&d.geometry)
        .map_err(|e| StoreError::Corrupt(format!("district {} geometry: {e}", d.id)))?;
    let (geometry, _) = parse_geometry(Some(&value))
        .map_err(|(field, msg)| StoreError::Corrupt(format!("district {} {field}: {msg}", d.id)))?;
    Ok(DistrictInput {
        id: d.id,
        name: d.name,
        code: d.code,
        created_at: d.created_at,
        geometry,
        geojson: d.geometry,
    })
}

/// Reads the stored fixes (their rings are derived here, off the async threads).
async fn load_fixes(store: &Store) -> Result<FixBook, StoreError> {
    let rows = store.fixes().await?;
    let fixes = tokio::task::spawn_blocking(move || {
        rows.into_iter()
            .map(Fix::from_row)
            .collect::<Result<Vec<_>, String>>()
    })
    .await
    .map_err(|e| StoreError::Corrupt(e.to_string()))?
    .map_err(StoreError::Corrupt)?;
    Ok(FixBook::new(fixes))
}
