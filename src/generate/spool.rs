//! A file written by a background thread.
//!
//! Copying gigabytes into the kernel costs about as much CPU as generating them;
//! handing full chunks to a second thread lets the two overlap on a two-core
//! machine. Chunks come back for reuse, so memory stays at a few chunks.

use std::fs::File;
use std::io::{self, Write};
use std::sync::mpsc::{Receiver, SyncSender, channel, sync_channel};
use std::thread::JoinHandle;

/// Bytes gathered before a chunk is handed over.
const CHUNK: usize = 4 << 20;
/// Full chunks that may wait for the writer thread before the producer blocks.
const QUEUE: usize = 2;

/// A buffered writer whose writes to the file happen on another thread.
pub(crate) struct Spool {
    buf: Vec<u8>,
    full: Option<SyncSender<Vec<u8>>>,
    empty: Receiver<Vec<u8>>,
    thread: Option<JoinHandle<io::Result<File>>>,
}

impl Spool {
    /// Starts the writer thread for `file`.
    pub(crate) fn new(mut file: File) -> Spool {
        let (full, full_rx) = sync_channel::<Vec<u8>>(QUEUE);
        let (empty_tx, empty) = channel::<Vec<u8>>();
        let thread = std::thread::spawn(move || {
            for mut chunk in full_rx {
                file.write_all(&chunk)?;
                chunk.clear();
                // The producer may have finished and dropped its end; nothing to return then.
                let _ = empty_tx.send(chunk);
            }
            file.flush()?;
            Ok(file)
        });
        Spool {
            buf: Vec::with_capacity(CHUNK + (CHUNK >> 4)),
            full: Some(full),
            empty,
            thread: Some(thread),
        }
    }

    fn hand_over(&mut self) -> io::Result<()> {
        let next = self
            .empty
            .try_recv()
            .unwrap_or_else(|_| Vec::with_capacity(CHUNK + (CHUNK >> 4)));
        let chunk = std::mem::replace(&mut self.buf, next);
        let sent = self.full.as_ref().map(|tx| tx.send(chunk));
        match sent {
            Some(Ok(())) => Ok(()),
            // The thread stopped, so it failed: its error is the one to report.
            _ => Err(self
                .join()
                .err()
                .unwrap_or_else(|| io::Error::other("writer thread stopped"))),
        }
    }

    fn join(&mut self) -> io::Result<File> {
        self.full = None;
        match self.thread.take() {
            Some(t) => t
                .join()
                .unwrap_or_else(|_| Err(io::Error::other("writer thread panicked"))),
            None => Err(io::Error::other("spool already finished")),
        }
    }

    /// Writes what is left, waits for the thread and returns the file.
    pub(crate) fn finish(mut self) -> io::Result<File> {
        if !self.buf.is_empty() {
            self.hand_over()?;
        }
        self.join()
    }
}

impl Write for Spool {
    fn write(&mut self, data: &[u8]) -> io::Result<usize> {
        self.buf.extend_from_slice(data);
        if self.buf.len() >= CHUNK {
            self.hand_over()?;
        }
        Ok(data.len())
    }

    /// Buffered data goes out in whole chunks; [`Spool::finish`] writes the rest.
    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

impl Drop for Spool {
    fn drop(&mut self) {
        // Let the thread end when a run is abandoned mid-way (an error upstream).
        self.full = None;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Read;

    #[test]
    fn writes_everything_in_order() {
        let path = std::env::temp_dir().join(format!("gen_helper_spool_{}", std::process::id()));
        let mut s = Spool::new(File::create(&path).unwrap());
        let mut want = Vec::new();
        for i in 0..3_000_000u32 {
            let line = format!("{i}\n");
            s.write_all(line.as_bytes()).unwrap();
            want.extend_from_slice(line.as_bytes());
        }
        s.finish().unwrap();
        let mut got = Vec::new();
        File::open(&path).unwrap().read_to_end(&mut got).unwrap();
        std::fs::remove_file(&path).unwrap();
        assert!(got == want);
    }
}
