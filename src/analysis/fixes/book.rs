//! The fixes in memory: loaded from the database at start, appended to after
//! each committed insert, read by every effect, cell and tile request.

use super::Fix;
use crate::index::Data;
use parking_lot::{Mutex, RwLock};
use std::sync::Arc;

/// The data's time span as of a data version.
type SpanAt = (u64, Option<(i64, i64)>);

/// All recorded fixes, by id, plus a cache of the data's time span.
#[derive(Debug, Default)]
pub struct FixBook {
    // Readers clone the Arc and let go of the lock at once; a new fix
    // replaces the list (fixes are few and written rarely).
    list: RwLock<Arc<Vec<Arc<Fix>>>>,
    span: Mutex<Option<SpanAt>>,
}

impl FixBook {
    /// A book holding these fixes.
    pub fn new(mut fixes: Vec<Fix>) -> Self {
        fixes.sort_by_key(|f| f.id);
        FixBook {
            list: RwLock::new(Arc::new(fixes.into_iter().map(Arc::new).collect())),
            span: Mutex::new(None),
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

    /// The oldest and newest appeal time of `data`, remembered per data
    /// version: finding them is a scan of every appeal.
    pub fn span(&self, data: &Data) -> Option<(i64, i64)> {
        let mut cached = self.span.lock();
        if let Some((seq, span)) = *cached
            && seq == data.seq
        {
            return span;
        }
        let span = data.time_span();
        *cached = Some((data.seq, span));
        span
    }
}
