//! One batch of appeals written in one transaction, the same for every
//! backend: the last copy of each key wins, new appeals are inserted
//! optimistically (no lookup first), conflicts are looked up, each record is
//! classified against the state before it, and changed ones are updated. The
//! backends supply only the SQL, through [`BatchTx`].

use super::{IndexRow, Outcome, StoreError, WriteResult};
use crate::domain::{Appeal, NO_RESPONSIBLE};

// The write path hashes every key of a batch; SipHash's DoS resistance buys
// nothing for keys the batch itself supplies once.
pub(super) type FastMap<K, V> = std::collections::HashMap<K, V, foldhash::fast::RandomState>;
pub(super) type FastSet<K> = std::collections::HashSet<K, foldhash::fast::RandomState>;

/// What a re-sent appeal may change: status code, resolution time,
/// responsible unit id (0: none), deadline and first response (Unix seconds).
pub(super) type State = (u8, Option<i64>, u16, Option<i64>, Option<i64>);

/// A stored appeal's mutable state, to classify a re-sent record.
#[derive(Debug, Clone, Copy)]
pub(super) struct Existing {
    /// Database id.
    pub id: i64,
    /// The state as stored.
    pub state: State,
}

/// An appeal of the batch with its responsible unit's id resolved.
pub(super) type Unit<'a> = (&'a Appeal, u16);

/// The SQL a backend runs inside one write transaction that holds the
/// database's write lock (SQLite's `BEGIN IMMEDIATE`, PostgreSQL's lock on
/// the `meta.seq` row), so ids and sequence numbers are assigned without races.
pub(super) trait BatchTx {
    /// Appeals per insert statement.
    const INSERT_ROWS: usize;

    /// The current change sequence (locked until the transaction ends).
    async fn seq(&mut self) -> Result<u64, StoreError>;

    /// The ids of every responsible code `appeals` name; codes the
    /// catalogue lacks are added (inside this transaction, so a failed batch
    /// adds none), named by their code.
    async fn responsible_ids(
        &mut self,
        appeals: &[Appeal],
    ) -> Result<FastMap<String, u16>, StoreError>;

    /// The largest appeal id stored (0 when empty).
    async fn max_id(&mut self) -> Result<i64, StoreError>;

    /// Inserts `appeals` with ids `first_id..`, skipping keys already stored;
    /// returns the ids actually inserted, or `None` when all were.
    async fn insert(
        &mut self,
        appeals: &[Unit<'_>],
        first_id: i64,
        seq: u64,
    ) -> Result<Option<FastSet<i64>>, StoreError>;

    /// The stored state of these appeals' keys.
    async fn lookup(
        &mut self,
        appeals: &[&Appeal],
    ) -> Result<FastMap<(String, String), Existing>, StoreError>;

    /// Sets the [`State`] of stored appeals (id, new state) and returns their
    /// index rows (with the stored location and time).
    async fn update(
        &mut self,
        rows: &[(i64, Unit<'_>)],
        seq: u64,
    ) -> Result<Vec<IndexRow>, StoreError>;

    /// Records the new change sequence (and tells other instances about it).
    async fn set_seq(&mut self, seq: u64) -> Result<(), StoreError>;
}

/// Writes a batch through `tx`; the caller commits when this succeeds.
pub(super) async fn write<T: BatchTx>(
    tx: &mut T,
    appeals: &[Appeal],
) -> Result<WriteResult, StoreError> {
    let seq_now = tx.seq().await?;
    let seq = seq_now + 1;
    let finals = last_copies(appeals);
    let units = tx.responsible_ids(appeals).await?;
    let unit_of = |a: &Appeal| {
        a.responsible
            .as_deref()
            .and_then(|c| units.get(c).copied())
            .unwrap_or(NO_RESPONSIBLE)
    };

    // Ids are assigned here, under the write lock, so the rows a conflict
    // skipped are simply the ids that were not inserted.
    let max_id = tx.max_id().await?;
    let mut inserted: FastMap<usize, i64> = FastMap::default();
    let mut maybe_existing: Vec<usize> = Vec::new();
    for (c, chunk) in finals.chunks(T::INSERT_ROWS).enumerate() {
        let first_id = max_id + 1 + (c * T::INSERT_ROWS) as i64;
        let rows: Vec<Unit> = chunk
            .iter()
            .map(|&i| (&appeals[i], unit_of(&appeals[i])))
            .collect();
        let present = tx.insert(&rows, first_id, seq).await?;
        for (k, &i) in chunk.iter().enumerate() {
            let id = first_id + k as i64;
            if present.as_ref().is_none_or(|p| p.contains(&id)) {
                inserted.insert(i, id);
            } else {
                maybe_existing.push(i);
            }
        }
    }
    let candidates: Vec<&Appeal> = maybe_existing.iter().map(|&i| &appeals[i]).collect();
    let found = tx.lookup(&candidates).await?;
    // Keyed by borrowed strings of the batch, so the loops below never allocate.
    let stored: FastMap<(&str, &str), Existing> = candidates
        .iter()
        .filter_map(|a| {
            let x = found.get(&(a.source.clone(), a.external_id.clone()))?;
            Some(((a.source.as_str(), a.external_id.as_str()), *x))
        })
        .collect();
    let outcomes = classify(appeals, &stored, &unit_of);

    let mut changed = Vec::with_capacity(inserted.len() + maybe_existing.len());
    for &i in &finals {
        if let Some(&id) = inserted.get(&i) {
            changed.push(IndexRow::from_appeal(id, &appeals[i], unit_of(&appeals[i])));
        }
    }
    let mut updates = Vec::new();
    for a in candidates {
        let Some(x) = stored.get(&(a.source.as_str(), a.external_id.as_str())) else {
            return Err(StoreError::Corrupt(format!(
                "appeal {}/{} conflicted on insert but is not stored",
                a.source, a.external_id
            )));
        };
        if x.state != state_of(a, unit_of(a)) {
            updates.push((x.id, (a, unit_of(a))));
        }
    }
    if !updates.is_empty() {
        changed.extend(tx.update(&updates, seq).await?);
    }
    if changed.is_empty() {
        return Ok(WriteResult {
            outcomes,
            changed,
            seq: seq_now,
        });
    }
    tx.set_seq(seq).await?;
    Ok(WriteResult {
        outcomes,
        changed,
        seq,
    })
}

/// Positions of the last copy of each (source, external_id), ascending: what
/// gets stored.
fn last_copies(appeals: &[Appeal]) -> Vec<usize> {
    let mut last: FastMap<(&str, &str), usize> = FastMap::default();
    for (i, a) in appeals.iter().enumerate() {
        last.insert((a.source.as_str(), a.external_id.as_str()), i);
    }
    let mut finals: Vec<usize> = last.values().copied().collect();
    finals.sort_unstable();
    finals
}

/// Outcomes in batch order: each record against the state before it (stored,
/// or an earlier copy in this batch).
fn classify(
    appeals: &[Appeal],
    stored: &FastMap<(&str, &str), Existing>,
    unit_of: &impl Fn(&Appeal) -> u16,
) -> Vec<Outcome> {
    let mut state: FastMap<(&str, &str), State> = FastMap::default();
    let mut outcomes = Vec::with_capacity(appeals.len());
    for a in appeals {
        let key = (a.source.as_str(), a.external_id.as_str());
        let now = state_of(a, unit_of(a));
        let before = state
            .get(&key)
            .copied()
            .or_else(|| stored.get(&key).map(|x| x.state));
        outcomes.push(match before {
            None => Outcome::Accepted,
            Some(b) if b == now => Outcome::Duplicate,
            Some(_) => Outcome::Updated,
        });
        state.insert(key, now);
    }
    outcomes
}

/// The state a record would store.
fn state_of(a: &Appeal, unit: u16) -> State {
    (
        a.status.code(),
        a.resolved_at,
        unit,
        a.due_at,
        a.first_response_at,
    )
}

/// The distinct responsible codes a batch names, sorted.
pub(super) fn named_codes(appeals: &[Appeal]) -> Vec<&str> {
    let mut codes: Vec<&str> = appeals
        .iter()
        .filter_map(|a| a.responsible.as_deref())
        .collect();
    codes.sort_unstable();
    codes.dedup();
    codes
}
