//! A read-only view of one record's fields, whatever the wire format, so one
//! validator serves JSON objects and CSV rows without copying CSV cells into
//! a map first.

use serde_json::{Map, Number, Value};

/// One field's raw value.
#[derive(Debug, Clone, Copy)]
pub enum Val<'a> {
    /// Absent, null, or an empty CSV cell.
    Null,
    /// A string (every CSV cell is one).
    Str(&'a str),
    /// A JSON number.
    Num(&'a Number),
    /// Some other JSON value, named for the error message.
    Other(&'static str),
}

/// Field access by name.
pub trait Fields {
    /// The value of `name`.
    fn get(&self, name: &str) -> Val<'_>;
}

impl Fields for Map<String, Value> {
    fn get(&self, name: &str) -> Val<'_> {
        match Map::get(self, name) {
            None | Some(Value::Null) => Val::Null,
            Some(Value::String(s)) => Val::Str(s),
            Some(Value::Number(n)) => Val::Num(n),
            Some(Value::Bool(_)) => Val::Other("a boolean"),
            Some(Value::Array(_)) => Val::Other("an array"),
            Some(Value::Object(_)) => Val::Other("an object"),
        }
    }
}

/// A CSV row seen through its header.
pub struct CsvRow<'a> {
    /// Column names, in file order.
    pub headers: &'a [String],
    /// The row's cells.
    pub record: &'a csv::StringRecord,
}

impl Fields for CsvRow<'_> {
    fn get(&self, name: &str) -> Val<'_> {
        // A dozen columns: a linear search beats hashing.
        match self
            .headers
            .iter()
            .position(|h| h == name)
            .and_then(|i| self.record.get(i))
        {
            None | Some("") => Val::Null,
            Some(s) => Val::Str(s),
        }
    }
}

/// Copies the named fields into a JSON map (for tests).
#[cfg(test)]
pub fn to_map(f: &dyn Fields, names: &[&str]) -> Map<String, Value> {
    names
        .iter()
        .filter_map(|&n| {
            let v = match f.get(n) {
                Val::Null => return None,
                Val::Str(s) => Value::String(s.to_owned()),
                Val::Num(x) => Value::Number(x.clone()),
                Val::Other(kind) => Value::String(format!("<{kind}>")),
            };
            Some((n.to_owned(), v))
        })
        .collect()
}
