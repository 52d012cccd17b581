//! A small append-only JSON writer for large responses: building a
//! `serde_json::Value` per feature costs more than the aggregation itself.

/// Appends JSON text to a byte buffer.
#[derive(Debug, Default)]
pub struct JsonWriter {
    /// The text so far.
    pub buf: Vec<u8>,
}

impl JsonWriter {
    /// A writer with room for `n` bytes.
    pub fn with_capacity(n: usize) -> Self {
        JsonWriter {
            buf: Vec::with_capacity(n),
        }
    }

    /// Raw JSON text (already valid).
    pub fn raw(&mut self, s: &str) -> &mut Self {
        self.buf.extend_from_slice(s.as_bytes());
        self
    }

    /// A string literal, escaped.
    pub fn str(&mut self, s: &str) -> &mut Self {
        // serde_json's escaping is correct for every input; writing into a Vec cannot fail.
        let _ = serde_json::to_writer(&mut self.buf, s);
        self
    }

    /// An unsigned integer.
    pub fn uint(&mut self, v: u64) -> &mut Self {
        self.buf
            .extend_from_slice(itoa::Buffer::new().format(v).as_bytes());
        self
    }

    /// The finished text.
    pub fn into_bytes(self) -> Vec<u8> {
        self.buf
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn writes_valid_json() {
        let mut w = JsonWriter::default();
        w.raw("{\"a\":")
            .str("q\"\\\n")
            .raw(",\"b\":")
            .uint(42)
            .raw("}");
        let v: serde_json::Value = serde_json::from_slice(&w.into_bytes()).expect("valid");
        assert_eq!(v, serde_json::json!({"a": "q\"\\\n", "b": 42}));
    }
}
