//! The fixes in memory: loaded from the database at start, appended to after
//! each committed insert, read by every effect, cell and tile request.

use super::Fix;
use parking_lot::RwLock;
use std::sync::Arc;

/// All recorded fixes, by id.
#[derive(Debug, Default)]
pub struct FixBook {
    // Readers clone the Arc and let go of the lock at once; a new fix
    // replaces the list (fixes are few and written rarely).
    list: RwLock<Arc<Vec<Arc<Fix>>>>,
}

impl FixBook {
    /// A book holding these fixes.
    pub fn new(mut fixes: Vec<Fix>) -> Self {
        fixes.sort_by_key(|f| f.id);
        FixBook {
            list: RwLock::new(Arc::new(fixes.into_iter().map(Arc::new).collect())),
        }
    }

    /// Every fix, ascending by id.
    pub fn all(&self) -> Arc<Vec<Arc<Fix>>> {
        self.list.read().clone()
    }

    /// The fix with this id.
    pub fn get(&self, id: i64) -> Option<Arc<Fix>> {
        let list = self.all();
        let i = list.binary_search_by_key(&id, |f| f.id).ok()?;
        Some(list[i].clone())
    }

    /// Adds a committed fix.
    pub fn push(&self, fix: Fix) -> Arc<Fix> {
        let fix = Arc::new(fix);
        let mut list = self.list.write();
        let mut next: Vec<Arc<Fix>> = list.as_ref().clone();
        next.push(fix.clone());
        next.sort_by_key(|f| f.id);
        *list = Arc::new(next);
        fix
    }

    /// The fixes whose area lies in or contains `cell`.
    pub fn touching(&self, cell: h3o::CellIndex) -> Vec<Arc<Fix>> {
        self.all()
            .iter()
            .filter(|f| f.touches(cell))
            .cloned()
            .collect()
    }
}
