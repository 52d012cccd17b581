//! Token rows and whole-appeal pages (issue 7), the SQL and decoding both
//! backends share: `$n` placeholders, which SQLite reads positionally too,
//! and a query builder generic over the database for the filtered pages.

use super::{RequestPage, RequestRow, StoreError, TokenRow};
use sqlx::{Database, Encode, QueryBuilder, Type};

/// Stores a token; binds hash, name, role, districts, created_at.
pub(super) const INSERT_TOKEN_SQL: &str = "INSERT INTO tokens (hash, name, role, districts, created_at) \
     VALUES ($1, $2, $3, $4, $5) RETURNING id";

/// One token by its hash.
pub(super) const TOKEN_BY_HASH_SQL: &str =
    "SELECT id, name, role, districts, created_at, revoked_at FROM tokens WHERE hash = $1";

/// Every token, by id.
pub(super) const TOKENS_SQL: &str =
    "SELECT id, name, role, districts, created_at, revoked_at FROM tokens ORDER BY id";

/// Revokes a valid token; binds revoked_at, id.
pub(super) const REVOKE_TOKEN_SQL: &str =
    "UPDATE tokens SET revoked_at = $1 WHERE id = $2 AND revoked_at IS NULL";

/// A `tokens` row as both backends select it.
#[derive(Debug, sqlx::FromRow)]
pub(super) struct TokenRecord {
    id: i64,
    name: Option<String>,
    role: String,
    districts: Option<String>,
    created_at: i64,
    revoked_at: Option<i64>,
}

impl From<TokenRecord> for TokenRow {
    fn from(r: TokenRecord) -> Self {
        TokenRow {
            id: r.id,
            name: r.name,
            role: r.role,
            districts: r.districts,
            created_at: r.created_at,
            revoked_at: r.revoked_at,
        }
    }
}

/// A whole appeal as both backends select it for a page of requests.
#[derive(Debug, sqlx::FromRow)]
pub(super) struct RequestRecord {
    id: i64,
    code: String,
    lat: f64,
    lon: f64,
    created_at: i64,
    status: i64,
    resolved_at: Option<i64>,
    address: Option<String>,
    text: Option<String>,
    responsible: Option<String>,
    due_at: Option<i64>,
}

impl RequestRecord {
    /// The page row; status codes are 0..=3 by the schema.
    pub(super) fn into_row(self) -> Result<RequestRow, StoreError> {
        Ok(RequestRow {
            id: self.id,
            sector: self.code,
            lat: self.lat,
            lon: self.lon,
            created_at: self.created_at,
            status: u8::try_from(self.status)
                .map_err(|_| StoreError::Corrupt(format!("appeal {} status", self.id)))?,
            resolved_at: self.resolved_at,
            address: self.address,
            text: self.text,
            responsible: self.responsible,
            due_at: self.due_at,
        })
    }
}

/// The filtered, newest-first page `q` as one query for either backend.
pub(super) fn request_query<DB>(q: &RequestPage) -> QueryBuilder<DB>
where
    DB: Database,
    <DB as Database>::Arguments: Default,
    for<'t> i64: Encode<'t, DB> + Type<DB>,
    for<'t> f64: Encode<'t, DB> + Type<DB>,
    for<'t> String: Encode<'t, DB> + Type<DB>,
{
    let mut qb = QueryBuilder::new(
        "SELECT a.id, s.code, a.lat, a.lon, a.created_at, a.status, a.resolved_at, \
         a.address, a.text, r.code AS responsible, a.due_at FROM appeals a \
         JOIN sectors s ON s.id = a.sector_id \
         LEFT JOIN responsible r ON r.id = a.responsible_id WHERE 1 = 1",
    );
    if !q.ids.is_empty() {
        qb.push(" AND a.id IN (");
        let mut ids = qb.separated(", ");
        for id in &q.ids {
            ids.push_bind(*id);
        }
        qb.push(")");
    }
    if let Some((source, external_id)) = &q.key {
        qb.push(" AND a.source = ").push_bind(source.clone());
        qb.push(" AND a.external_id = ")
            .push_bind(external_id.clone());
    }
    if let Some(s) = q.sector {
        qb.push(" AND a.sector_id = ").push_bind(i64::from(s));
    }
    if let Some(t) = q.from {
        qb.push(" AND a.created_at >= ").push_bind(t);
    }
    if let Some(t) = q.to {
        qb.push(" AND a.created_at < ").push_bind(t);
    }
    if let Some(statuses) = &q.statuses {
        qb.push(" AND a.status IN (");
        let mut list = qb.separated(", ");
        for s in statuses {
            list.push_bind(i64::from(*s));
        }
        qb.push(")");
    }
    if let Some([w, s, e, n]) = q.bbox {
        qb.push(" AND a.lat >= ").push_bind(s);
        qb.push(" AND a.lat <= ").push_bind(n);
        // West beyond east: the box crosses the antimeridian.
        if w <= e {
            qb.push(" AND a.lon >= ").push_bind(w);
            qb.push(" AND a.lon <= ").push_bind(e);
        } else {
            qb.push(" AND (a.lon >= ").push_bind(w);
            qb.push(" OR a.lon <= ").push_bind(e).push(")");
        }
    }
    qb.push(" ORDER BY a.created_at DESC, a.id DESC LIMIT ")
        .push_bind(q.limit as i64)
        .push(" OFFSET ")
        .push_bind(q.offset as i64);
    qb
}

/// The token and request methods of a backend store with a `pool` field:
/// the same statements on either database.
macro_rules! trust_methods {
    ($store:ty) => {
        impl $store {
            pub(in crate::store) async fn insert_token(
                &self,
                t: &$crate::store::NewToken,
            ) -> Result<i64, StoreError> {
                let id = sqlx::query_scalar(INSERT_TOKEN_SQL)
                    .bind(&t.hash)
                    .bind(t.name.as_deref())
                    .bind(&t.role)
                    .bind(t.districts.as_deref())
                    .bind(t.created_at)
                    .fetch_one(&self.pool)
                    .await?;
                Ok(id)
            }

            pub(in crate::store) async fn token_by_hash(
                &self,
                hash: &str,
            ) -> Result<Option<TokenRow>, StoreError> {
                let r: Option<TokenRecord> = sqlx::query_as(TOKEN_BY_HASH_SQL)
                    .bind(hash)
                    .fetch_optional(&self.pool)
                    .await?;
                Ok(r.map(TokenRow::from))
            }

            pub(in crate::store) async fn tokens(&self) -> Result<Vec<TokenRow>, StoreError> {
                let rows: Vec<TokenRecord> =
                    sqlx::query_as(TOKENS_SQL).fetch_all(&self.pool).await?;
                Ok(rows.into_iter().map(TokenRow::from).collect())
            }

            pub(in crate::store) async fn revoke_token(
                &self,
                id: i64,
                at: i64,
            ) -> Result<bool, StoreError> {
                let done = sqlx::query(REVOKE_TOKEN_SQL)
                    .bind(at)
                    .bind(id)
                    .execute(&self.pool)
                    .await?;
                Ok(done.rows_affected() == 1)
            }

            pub(in crate::store) async fn requests(
                &self,
                q: &RequestPage,
            ) -> Result<Vec<RequestRow>, StoreError> {
                let records: Vec<RequestRecord> = request_query(q)
                    .build_query_as()
                    .fetch_all(&self.pool)
                    .await?;
                records.into_iter().map(RequestRecord::into_row).collect()
            }
        }
    };
}

trust_methods!(super::SqliteStore);
trust_methods!(super::postgres::PgStore);
