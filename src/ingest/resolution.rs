//! The resolution fields of a record: the responsible unit, the deadline and
//! the first response, read by the one validator (so every wire format takes
//! them) and checked against `created_at` and the responsible catalogue.

use super::validate::Reader;
use crate::domain::{Catalogue, check_code};

/// The resolution fields of one record, as read.
#[derive(Debug, Default)]
pub(super) struct Timing {
    /// Responsible code.
    pub responsible: Option<String>,
    /// Deadline, Unix seconds.
    pub due_at: Option<i64>,
    /// First answer, Unix seconds.
    pub first_response_at: Option<i64>,
}

/// Reads `responsible`, `due_at` and `first_response_at`; problems go to the
/// reader's error list, naming the field.
pub(super) fn read(
    r: &mut Reader<'_>,
    created_at: Option<i64>,
    resolved_at: Option<i64>,
    cat: &Catalogue,
) -> Timing {
    if let (Some(c), Some(res)) = (created_at, resolved_at)
        && res < c
    {
        r.fail("resolved_at", "is before created_at");
    }
    let responsible = r.string("responsible", false).and_then(|code| {
        if let Err(msg) = check_code(&code) {
            r.fail("responsible", msg);
            return None;
        }
        match cat.strict_responsible() {
            Some(book) if book.id_of(&code).is_none() => {
                r.fail(
                    "responsible",
                    format!("unknown responsible unit {code:?} (the catalogue is strict)"),
                );
                None
            }
            _ => Some(code),
        }
    });
    let due_at = r.time("due_at", false);
    let first_response_at = r.time("first_response_at", false);
    // A deadline before the appeal existed is a data error, like an answer before it.
    for (field, t) in [("due_at", due_at), ("first_response_at", first_response_at)] {
        if let (Some(c), Some(t)) = (created_at, t)
            && t < c
        {
            r.fail(field, "is before created_at");
        }
    }
    Timing {
        responsible,
        due_at,
        first_response_at,
    }
}
