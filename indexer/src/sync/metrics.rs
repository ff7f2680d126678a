//! Counters the sync loop updates and `/metrics` renders in the Prometheus text format.
//!
//! A handful of atomics is all the indexer needs; a metrics framework would add a registry,
//! macros and a dependency tree for the same dozen lines of output.

use std::{
    fmt::Write,
    sync::{
        Arc,
        atomic::{AtomicBool, AtomicU64, Ordering},
    },
    time::Duration,
};

use super::rpc::Fault;

#[derive(Debug, Default)]
struct Inner {
    head: AtomicU64,
    indexed: AtomicU64,
    events: AtomicU64,
    blocks: AtomicU64,
    reorgs: AtomicU64,
    rolled_back_events: AtomicU64,
    rpc_errors_rate_limited: AtomicU64,
    rpc_errors_range: AtomicU64,
    rpc_errors_transient: AtomicU64,
    rpc_errors_permanent: AtomicU64,
    rpc_micros: AtomicU64,
    decode_micros: AtomicU64,
    db_micros: AtomicU64,
    /// Events per second over the last batch, as f64 bits.
    rate_bits: AtomicU64,
    caught_up: AtomicBool,
}

/// Shared indexer metrics; clones share the same counters.
#[derive(Debug, Clone, Default)]
pub struct Metrics(Arc<Inner>);

/// A copy of the counters at one instant.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Snapshot {
    /// Chain head last seen.
    pub head: u64,
    /// Last block indexed.
    pub indexed: u64,
    /// Events stored since start.
    pub events: u64,
    /// Blocks covered since start.
    pub blocks: u64,
    /// Reorgs handled since start.
    pub reorgs: u64,
    /// RPC errors by kind: rate limited, range too large, transient, permanent.
    pub rpc_errors: [u64; 4],
    /// Time in RPC calls, decoding and database writes.
    pub rpc_seconds: f64,
    /// Time decoding logs.
    pub decode_seconds: f64,
    /// Time writing to the database.
    pub db_seconds: f64,
    /// Recent events per second.
    pub events_per_second: f64,
    /// Whether the indexer has reached the head at least once.
    pub caught_up: bool,
}

fn micros(d: Duration) -> u64 {
    u64::try_from(d.as_micros()).unwrap_or(u64::MAX)
}

impl Metrics {
    pub(crate) fn rpc_time(&self, d: Duration) {
        self.0.rpc_micros.fetch_add(micros(d), Ordering::Relaxed);
    }

    pub(crate) fn decode_time(&self, d: Duration) {
        self.0.decode_micros.fetch_add(micros(d), Ordering::Relaxed);
    }

    pub(crate) fn db_time(&self, d: Duration) {
        self.0.db_micros.fetch_add(micros(d), Ordering::Relaxed);
    }

    pub(crate) fn rpc_error(&self, fault: &Fault) {
        let c = match fault {
            Fault::RateLimited => &self.0.rpc_errors_rate_limited,
            Fault::RangeTooLarge { .. } => &self.0.rpc_errors_range,
            Fault::Transient => &self.0.rpc_errors_transient,
            Fault::Permanent => &self.0.rpc_errors_permanent,
        };
        c.fetch_add(1, Ordering::Relaxed);
    }

    pub(crate) fn set_head(&self, head: u64) {
        self.0.head.store(head, Ordering::Relaxed);
    }

    pub(crate) fn committed(&self, to_block: u64, blocks: u64, events: u64, elapsed: Duration) {
        self.0.indexed.store(to_block, Ordering::Relaxed);
        self.0.blocks.fetch_add(blocks, Ordering::Relaxed);
        self.0.events.fetch_add(events, Ordering::Relaxed);
        let secs = elapsed.as_secs_f64();
        if secs > 0.0 {
            let rate = events as f64 / secs;
            self.0.rate_bits.store(rate.to_bits(), Ordering::Relaxed);
        }
    }

    pub(crate) fn rolled_back(&self, to_block: u64, events: u64) {
        self.0.reorgs.fetch_add(1, Ordering::Relaxed);
        self.0
            .rolled_back_events
            .fetch_add(events, Ordering::Relaxed);
        self.0.indexed.store(to_block, Ordering::Relaxed);
    }

    pub(crate) fn set_caught_up(&self, yes: bool) {
        self.0.caught_up.store(yes, Ordering::Relaxed);
    }

    /// Whether the indexer has caught up with the head (the `/ready` answer).
    pub fn is_caught_up(&self) -> bool {
        self.0.caught_up.load(Ordering::Relaxed)
    }

    /// The counters now.
    pub fn snapshot(&self) -> Snapshot {
        let l = |a: &AtomicU64| a.load(Ordering::Relaxed);
        let s = |a: &AtomicU64| l(a) as f64 / 1e6;
        Snapshot {
            head: l(&self.0.head),
            indexed: l(&self.0.indexed),
            events: l(&self.0.events),
            blocks: l(&self.0.blocks),
            reorgs: l(&self.0.reorgs),
            rpc_errors: [
                l(&self.0.rpc_errors_rate_limited),
                l(&self.0.rpc_errors_range),
                l(&self.0.rpc_errors_transient),
                l(&self.0.rpc_errors_permanent),
            ],
            rpc_seconds: s(&self.0.rpc_micros),
            decode_seconds: s(&self.0.decode_micros),
            db_seconds: s(&self.0.db_micros),
            events_per_second: f64::from_bits(l(&self.0.rate_bits)),
            caught_up: self.0.caught_up.load(Ordering::Relaxed),
        }
    }

    /// The Prometheus text exposition of every counter.
    pub fn render(&self) -> String {
        let s = self.snapshot();
        let mut out = String::new();
        let mut metric = |name: &str, kind: &str, help: &str, samples: &[(&str, f64)]| {
            let _ = writeln!(out, "# HELP openledger_indexer_{name} {help}");
            let _ = writeln!(out, "# TYPE openledger_indexer_{name} {kind}");
            for (labels, v) in samples {
                let _ = writeln!(out, "openledger_indexer_{name}{labels} {v}");
            }
        };
        metric(
            "head_block",
            "gauge",
            "Latest block number seen on the chain.",
            &[("", s.head as f64)],
        );
        metric(
            "indexed_block",
            "gauge",
            "Last block committed to the database.",
            &[("", s.indexed as f64)],
        );
        metric(
            "lag_blocks",
            "gauge",
            "Blocks between the head and the last indexed block.",
            &[("", s.head.saturating_sub(s.indexed) as f64)],
        );
        metric(
            "events_total",
            "counter",
            "Events stored since start.",
            &[("", s.events as f64)],
        );
        metric(
            "events_per_second",
            "gauge",
            "Events per second over the last committed batch.",
            &[("", s.events_per_second)],
        );
        metric(
            "reorgs_total",
            "counter",
            "Chain reorganisations rolled back.",
            &[("", s.reorgs as f64)],
        );
        metric(
            "rpc_errors_total",
            "counter",
            "Failed RPC calls by kind.",
            &[
                ("{kind=\"rate_limited\"}", s.rpc_errors[0] as f64),
                ("{kind=\"range_too_large\"}", s.rpc_errors[1] as f64),
                ("{kind=\"transient\"}", s.rpc_errors[2] as f64),
                ("{kind=\"permanent\"}", s.rpc_errors[3] as f64),
            ],
        );
        metric(
            "seconds_total",
            "counter",
            "Time spent by stage.",
            &[
                ("{stage=\"rpc\"}", s.rpc_seconds),
                ("{stage=\"decode\"}", s.decode_seconds),
                ("{stage=\"db\"}", s.db_seconds),
            ],
        );
        metric(
            "ready",
            "gauge",
            "1 once the indexer has caught up with the head.",
            &[("", f64::from(u8::from(s.caught_up)))],
        );
        out
    }
}
