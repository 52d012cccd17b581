//! The real server as a child process: started with `serve ARGS`, its
//! address read from the log, the rest of the log drained (and kept) by a
//! thread so the server never blocks on a full pipe.

#![allow(dead_code)]

use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

/// A started server: the process, its `host:port`, and its later log lines.
pub struct Server {
    pub child: Child,
    pub addr: String,
    pub log: JoinHandle<Vec<String>>,
}

/// Starts `hexwatch serve` with `args` (and `RUST_LOG=info`); waits up to 2 minutes for it to listen.
pub fn start(args: &[&str]) -> Server {
    let mut child = Command::new(env!("CARGO_BIN_EXE_hexwatch"))
        .arg("serve")
        .args(args)
        .env("RUST_LOG", "info")
        .stderr(Stdio::piped())
        .stdout(Stdio::null())
        .spawn()
        .expect("spawn hexwatch");
    let mut lines = BufReader::new(child.stderr.take().expect("stderr")).lines();
    let deadline = Instant::now() + Duration::from_secs(120);
    let addr = loop {
        assert!(Instant::now() < deadline, "server did not start");
        let line = lines.next().expect("server exited early").expect("line");
        if let Some(rest) = line.split("listening on http://").nth(1) {
            break rest.split_whitespace().next().expect("addr").to_owned();
        }
    };
    let log = std::thread::spawn(move || lines.map_while(Result::ok).collect());
    Server { child, addr, log }
}
