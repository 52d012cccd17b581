//! JSON records read straight from the body: (key, value) pairs that borrow
//! the body's text where it has no escapes, instead of a `serde_json::Map`
//! (a B-tree and an owned string per field) for every appeal.

use super::fields::{Fields, Val};
use serde::Deserialize;
use serde::de::{self, Deserializer, IgnoredAny, MapAccess, SeqAccess, Visitor};
use serde_json::Number;
use std::borrow::Cow;
use std::fmt;

/// One field's value as read.
#[derive(Debug)]
enum Raw<'a> {
    Null,
    Str(Cow<'a, str>),
    Num(Number),
    Other(&'static str),
}

/// A record of a JSON array or NDJSON line.
#[derive(Debug, Default)]
pub struct JsonRecord<'a> {
    pairs: Vec<(Cow<'a, str>, Raw<'a>)>,
}

impl Fields for JsonRecord<'_> {
    fn get(&self, name: &str) -> Val<'_> {
        // Later keys win, as in a JSON object read into a map.
        match self
            .pairs
            .iter()
            .rev()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v)
        {
            None | Some(Raw::Null) => Val::Null,
            Some(Raw::Str(s)) => Val::Str(s),
            Some(Raw::Num(n)) => Val::Num(n),
            Some(Raw::Other(kind)) => Val::Other(kind),
        }
    }
}

struct Key<'a>(Cow<'a, str>);

impl<'de> Deserialize<'de> for Key<'de> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = Key<'de>;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a field name")
            }
            fn visit_borrowed_str<E>(self, v: &'de str) -> Result<Self::Value, E> {
                Ok(Key(Cow::Borrowed(v)))
            }
            fn visit_str<E>(self, v: &str) -> Result<Self::Value, E> {
                Ok(Key(Cow::Owned(v.to_owned())))
            }
        }
        d.deserialize_str(V)
    }
}

impl<'de> Deserialize<'de> for Raw<'de> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = Raw<'de>;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a JSON value")
            }
            fn visit_borrowed_str<E>(self, v: &'de str) -> Result<Self::Value, E> {
                Ok(Raw::Str(Cow::Borrowed(v)))
            }
            fn visit_str<E>(self, v: &str) -> Result<Self::Value, E> {
                Ok(Raw::Str(Cow::Owned(v.to_owned())))
            }
            fn visit_u64<E>(self, v: u64) -> Result<Self::Value, E> {
                Ok(Raw::Num(v.into()))
            }
            fn visit_i64<E>(self, v: i64) -> Result<Self::Value, E> {
                Ok(Raw::Num(v.into()))
            }
            fn visit_f64<E>(self, v: f64) -> Result<Self::Value, E> {
                Ok(Number::from_f64(v).map_or(Raw::Other("a non-finite number"), Raw::Num))
            }
            fn visit_bool<E>(self, _: bool) -> Result<Self::Value, E> {
                Ok(Raw::Other("a boolean"))
            }
            fn visit_unit<E>(self) -> Result<Self::Value, E> {
                Ok(Raw::Null)
            }
            fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Self::Value, A::Error> {
                while seq.next_element::<IgnoredAny>()?.is_some() {}
                Ok(Raw::Other("an array"))
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
                while map.next_entry::<IgnoredAny, IgnoredAny>()?.is_some() {}
                Ok(Raw::Other("an object"))
            }
        }
        d.deserialize_any(V)
    }
}

impl<'de> Deserialize<'de> for JsonRecord<'de> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = JsonRecord<'de>;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("an appeal object")
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
                let mut pairs = Vec::with_capacity(12);
                while let Some(Key(k)) = map.next_key()? {
                    pairs.push((k, map.next_value()?));
                }
                Ok(JsonRecord { pairs })
            }
            // A record that is not an object has no fields; the validator names
            // every required one as missing, with the record's index.
            fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Self::Value, A::Error> {
                while seq.next_element::<IgnoredAny>()?.is_some() {}
                Ok(JsonRecord::default())
            }
            fn visit_str<E: de::Error>(self, _: &str) -> Result<Self::Value, E> {
                Ok(JsonRecord::default())
            }
            fn visit_u64<E>(self, _: u64) -> Result<Self::Value, E> {
                Ok(JsonRecord::default())
            }
            fn visit_i64<E>(self, _: i64) -> Result<Self::Value, E> {
                Ok(JsonRecord::default())
            }
            fn visit_f64<E>(self, _: f64) -> Result<Self::Value, E> {
                Ok(JsonRecord::default())
            }
            fn visit_bool<E>(self, _: bool) -> Result<Self::Value, E> {
                Ok(JsonRecord::default())
            }
            fn visit_unit<E>(self) -> Result<Self::Value, E> {
                Ok(JsonRecord::default())
            }
        }
        d.deserialize_any(V)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_fields_borrowing_unescaped_text() {
        let body = r#"[{"source":"vk","lat":55.5,"id":7,"text":"a \"q\"","x":[1,{"y":2}],"b":true,"n":null},3]"#;
        let recs: Vec<JsonRecord> = serde_json::from_str(body).expect("parse");
        let r = &recs[0];
        assert!(matches!(r.get("source"), Val::Str("vk")));
        assert!(matches!(r.pairs[0].1, Raw::Str(Cow::Borrowed(_))));
        assert!(matches!(r.get("lat"), Val::Num(n) if n.as_f64() == Some(55.5)));
        assert!(matches!(r.get("id"), Val::Num(n) if n.as_u64() == Some(7)));
        assert!(matches!(r.get("text"), Val::Str("a \"q\"")));
        assert!(matches!(r.get("x"), Val::Other("an array")));
        assert!(matches!(r.get("b"), Val::Other("a boolean")));
        assert!(matches!(r.get("n"), Val::Null));
        assert!(matches!(r.get("missing"), Val::Null));
        assert!(recs[1].pairs.is_empty());
    }
}
