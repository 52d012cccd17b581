//! Responsible units: the district administration, utility company or office
//! in charge of an appeal. A catalogue like sectors (code plus Russian and
//! English names); the index keeps a unit as its 16-bit id, 0 for none.

use serde::{Deserialize, Serialize};
use std::collections::HashMap;

/// The index's id for "no responsible unit".
pub const NO_RESPONSIBLE: u16 = 0;

/// The longest accepted responsible code, in characters.
pub const MAX_CODE_LEN: usize = 64;

/// One responsible unit.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Responsible {
    /// Dense numeric id (1..=65535), used in the index.
    pub id: u16,
    /// Stable code used on the wire (`adm-vakhitovsky`).
    pub code: String,
    /// Russian display name.
    pub name_ru: String,
    /// English display name.
    pub name_en: String,
}

/// The responsible catalogue, looked up by code or id.
#[derive(Debug, Clone, Default)]
pub struct ResponsibleBook {
    units: Vec<Responsible>,
    by_code: HashMap<String, u16>,
}

impl ResponsibleBook {
    /// Builds the catalogue from stored units.
    pub fn new(mut units: Vec<Responsible>) -> Self {
        units.sort_by_key(|u| u.id);
        let by_code = units.iter().map(|u| (u.code.clone(), u.id)).collect();
        ResponsibleBook { units, by_code }
    }

    /// All units, ordered by id.
    pub fn all(&self) -> &[Responsible] {
        &self.units
    }

    /// The id of a code.
    pub fn id_of(&self, code: &str) -> Option<u16> {
        self.by_code.get(code).copied()
    }

    /// The unit with this id.
    pub fn by_id(&self, id: u16) -> Option<&Responsible> {
        self.units
            .binary_search_by_key(&id, |u| u.id)
            .ok()
            .map(|i| &self.units[i])
    }

    /// The code of an id (`None` for [`NO_RESPONSIBLE`] or an unknown id).
    pub fn code_of(&self, id: u16) -> Option<&str> {
        self.by_id(id).map(|u| u.code.as_str())
    }
}

/// Checks a responsible code's shape: 1–64 characters of lowercase ASCII
/// letters, digits, `-`, `_` or `.`, so codes are safe in URLs and CSV.
pub fn check_code(code: &str) -> Result<(), String> {
    let ok = !code.is_empty()
        && code.len() <= MAX_CODE_LEN
        && code
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b"-_.".contains(&b));
    if ok {
        Ok(())
    } else {
        Err(format!(
            "{code:?} is not a responsible code (1-{MAX_CODE_LEN} of a-z, 0-9, '-', '_', '.')"
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn looks_up_by_code_and_id() {
        let book = ResponsibleBook::new(vec![
            Responsible {
                id: 7,
                code: "water".into(),
                name_ru: "Водоканал".into(),
                name_en: "Water utility".into(),
            },
            Responsible {
                id: 2,
                code: "adm".into(),
                name_ru: "Администрация".into(),
                name_en: "Administration".into(),
            },
        ]);
        assert_eq!(book.id_of("water"), Some(7));
        assert_eq!(book.code_of(2), Some("adm"));
        assert_eq!(book.code_of(NO_RESPONSIBLE), None);
        assert_eq!(book.all()[0].id, 2);
    }

    #[test]
    fn codes_are_url_safe() {
        assert!(check_code("adm-vakhitovsky_2.0").is_ok());
        for bad in ["", "Adm", "a b", "адм", &"x".repeat(65)] {
            assert!(check_code(bad).is_err(), "{bad}");
        }
    }
}
