//! Who may do what: roles, API tokens (random, kept only as SHA-256 hashes)
//! and the access a request was granted. The HTTP side (the middleware that
//! checks every route against one table) is `api::auth`.

mod tokens;

pub use tokens::{
    CACHE_TTL, Grant, IssuedToken, TokenBook, district_list, hash_token, issue, parse_districts,
};

use std::sync::Arc;

/// Roles, each allowed what the ones before it are.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Role {
    /// Aggregates only, with rare cells suppressed.
    Viewer,
    /// Points, appeal fields and exports.
    Analyst,
    /// Writes: appeals, fixes, districts.
    Operator,
    /// Everything.
    Admin,
}

impl Role {
    /// Every role, lowest first.
    pub const ALL: [Role; 4] = [Role::Viewer, Role::Analyst, Role::Operator, Role::Admin];

    /// The name used on the command line, in the database and in the API.
    pub fn name(self) -> &'static str {
        match self {
            Role::Viewer => "viewer",
            Role::Analyst => "analyst",
            Role::Operator => "operator",
            Role::Admin => "admin",
        }
    }

    /// The role called `s`.
    pub fn parse(s: &str) -> Option<Role> {
        Role::ALL.into_iter().find(|r| r.name() == s.trim())
    }
}

impl std::str::FromStr for Role {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Role::parse(s).ok_or_else(|| format!("{s:?} is not viewer, analyst, operator or admin"))
    }
}

/// What one request may see and do, decided before its handler runs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Access {
    /// The granted role.
    pub role: Role,
    /// The districts it is limited to; `None` for everywhere.
    pub districts: Option<Arc<[i64]>>,
    /// Cells (and rows) with fewer appeals than this are left out of every
    /// answer (0: nothing is suppressed).
    pub min_count: u32,
    /// The token's id, if one was presented.
    pub token: Option<i64>,
}

impl Access {
    /// Unrestricted access: what every request gets while auth is off.
    pub fn full() -> Access {
        Access {
            role: Role::Admin,
            districts: None,
            min_count: 0,
            token: None,
        }
    }

    /// An anonymous caller: a viewer of everything with rare cells suppressed
    /// (what `--public-read` grants; without it only public routes are open).
    pub fn anonymous(k_anonymity: u32) -> Access {
        Access {
            role: Role::Viewer,
            districts: None,
            min_count: k_anonymity,
            token: None,
        }
    }

    /// Whether a count may be shown (0 is always safe: it names nobody).
    pub fn shows(&self, count: impl Into<u64>) -> bool {
        let n = count.into();
        n == 0 || n >= u64::from(self.min_count)
    }

    /// Whether `district` is within reach.
    pub fn reaches(&self, district: i64) -> bool {
        self.districts
            .as_ref()
            .is_none_or(|ds| ds.contains(&district))
    }
}
