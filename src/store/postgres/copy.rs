//! Bulk inserts for `hexwatch import`: `COPY … FROM STDIN (FORMAT binary)`
//! into a session-local staging table, then one `INSERT … SELECT … ON
//! CONFLICT DO NOTHING`, so an import keeps the batch semantics (re-sent
//! appeals are duplicates) while the rows travel in PostgreSQL's own binary
//! row format.

use crate::store::StoreError;
use crate::store::batch::Unit;
use crate::store::rows::responsible_column;
use sqlx::PgConnection;

const HEADER: &[u8] = b"PGCOPY\n\xff\r\n\0\0\0\0\0\0\0\0\0";
const COLUMNS: i16 = 17;

/// Inserts `appeals` with ids `first_id..`; returns the ids inserted.
pub(super) async fn insert(
    conn: &mut PgConnection,
    appeals: &[Unit<'_>],
    first_id: i64,
    seq: u64,
) -> Result<Vec<i64>, StoreError> {
    // Temporary: per connection, emptied at commit; LIKE keeps the column
    // order and the "C" collation of the keys.
    sqlx::query("CREATE TEMP TABLE IF NOT EXISTS appeals_in (LIKE appeals) ON COMMIT DELETE ROWS")
        .execute(&mut *conn)
        .await?;
    let mut copy = conn
        .copy_in_raw(
            "COPY appeals_in (id, source, external_id, sector_id, category, lat, lon, cell, \
             created_at, status, resolved_at, address, text, seq, responsible_id, due_at, \
             first_response_at) FROM STDIN (FORMAT binary)",
        )
        .await?;
    copy.send(encode(appeals, first_id, seq)).await?;
    copy.finish().await?;
    let ids: Vec<i64> = sqlx::query_scalar(
        "INSERT INTO appeals SELECT * FROM appeals_in \
         ON CONFLICT (source, external_id) DO NOTHING RETURNING id",
    )
    .fetch_all(&mut *conn)
    .await?;
    // The next chunk of the same transaction stages afresh.
    sqlx::query("TRUNCATE appeals_in")
        .execute(&mut *conn)
        .await?;
    Ok(ids)
}

/// The rows in COPY's binary format: a header, per row the field count and
/// each field as a big-endian length (-1 for NULL) and bytes, a trailer.
fn encode(appeals: &[Unit<'_>], first_id: i64, seq: u64) -> Vec<u8> {
    let mut b = Vec::with_capacity(HEADER.len() + appeals.len() * 200);
    b.extend_from_slice(HEADER);
    for (k, &(a, unit)) in appeals.iter().enumerate() {
        b.extend_from_slice(&COLUMNS.to_be_bytes());
        int8(&mut b, first_id + k as i64);
        text(&mut b, Some(&a.source));
        text(&mut b, Some(&a.external_id));
        int8(&mut b, i64::from(a.sector));
        text(&mut b, a.category.as_deref());
        float8(&mut b, a.lat);
        float8(&mut b, a.lon);
        int8(&mut b, u64::from(a.cell) as i64);
        int8(&mut b, a.created_at);
        int8(&mut b, i64::from(a.status.code()));
        opt_int8(&mut b, a.resolved_at);
        text(&mut b, a.address.as_deref());
        text(&mut b, a.text.as_deref());
        int8(&mut b, seq as i64);
        opt_int8(&mut b, responsible_column(unit));
        opt_int8(&mut b, a.due_at);
        opt_int8(&mut b, a.first_response_at);
    }
    b.extend_from_slice(&(-1i16).to_be_bytes());
    b
}

fn int8(b: &mut Vec<u8>, v: i64) {
    b.extend_from_slice(&8i32.to_be_bytes());
    b.extend_from_slice(&v.to_be_bytes());
}

fn opt_int8(b: &mut Vec<u8>, v: Option<i64>) {
    match v {
        Some(v) => int8(b, v),
        None => b.extend_from_slice(&(-1i32).to_be_bytes()),
    }
}

fn float8(b: &mut Vec<u8>, v: f64) {
    b.extend_from_slice(&8i32.to_be_bytes());
    b.extend_from_slice(&v.to_bits().to_be_bytes());
}

fn text(b: &mut Vec<u8>, v: Option<&str>) {
    match v {
        Some(s) => {
            // Appeal fields are far below 2 GiB (the body limit is 64 MiB).
            b.extend_from_slice(&(s.len() as i32).to_be_bytes());
            b.extend_from_slice(s.as_bytes());
        }
        None => b.extend_from_slice(&(-1i32).to_be_bytes()),
    }
}
