//! The process changes in memory: loaded at start, appended to after each
//! committed insert.

use crate::store::ProcessChangeRow;
use parking_lot::RwLock;
use std::sync::Arc;

/// All recorded process changes, by id.
#[derive(Debug, Default)]
pub struct ChangeBook {
    // Readers clone the Arc and let go of the lock at once; changes are few.
    list: RwLock<Arc<Vec<ProcessChangeRow>>>,
}

impl ChangeBook {
    /// A book holding these changes.
    pub fn new(mut rows: Vec<ProcessChangeRow>) -> Self {
        rows.sort_by_key(|r| r.id);
        ChangeBook {
            list: RwLock::new(Arc::new(rows)),
        }
    }

    /// Every change, ascending by id.
    pub fn all(&self) -> Arc<Vec<ProcessChangeRow>> {
        self.list.read().clone()
    }

    /// The change with this id.
    pub fn get(&self, id: i64) -> Option<ProcessChangeRow> {
        let list = self.all();
        let i = list.binary_search_by_key(&id, |r| r.id).ok()?;
        Some(list[i].clone())
    }

    /// Adds a committed change.
    pub fn push(&self, row: ProcessChangeRow) {
        let mut list = self.list.write();
        let mut next = list.as_ref().clone();
        next.push(row);
        next.sort_by_key(|r| r.id);
        *list = Arc::new(next);
    }

    /// Replaces the whole list (after reading what other instances added).
    pub fn replace(&self, mut rows: Vec<ProcessChangeRow>) {
        rows.sort_by_key(|r| r.id);
        *self.list.write() = Arc::new(rows);
    }
}
