//! Bounded recording of exchanges: the last N kept, all counted.

use std::collections::VecDeque;
use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, Ordering};

use tokio::sync::Notify;

use crate::exchange::Exchange;

/// How many exchanges a mock keeps unless told otherwise.
pub const DEFAULT_CAPACITY: usize = 1024;

/// The last `capacity` exchanges and a count of all of them.
#[derive(Debug)]
pub struct Recorder {
    capacity: usize,
    kept: Mutex<VecDeque<Exchange>>,
    total: AtomicU64,
    /// Exchanges stored so far (kept or not), and a signal on each.
    stored: AtomicU64,
    stored_signal: Notify,
}

impl Recorder {
    /// A recorder keeping at most `capacity` exchanges (0 keeps none but
    /// still counts).
    pub fn new(capacity: usize) -> Recorder {
        Recorder {
            capacity,
            kept: Mutex::new(VecDeque::with_capacity(capacity.min(DEFAULT_CAPACITY))),
            total: AtomicU64::new(0),
            stored: AtomicU64::new(0),
            stored_signal: Notify::new(),
        }
    }

    /// The next sequence number (1-based), counting the exchange.
    pub(crate) fn next_seq(&self) -> u64 {
        self.total.fetch_add(1, Ordering::Relaxed) + 1
    }

    /// Stores an exchange, forgetting the oldest beyond capacity.
    pub(crate) fn store(&self, exchange: Exchange) {
        if self.capacity > 0 {
            let mut kept = self.kept.lock().unwrap_or_else(|e| e.into_inner());
            while kept.len() >= self.capacity {
                kept.pop_front();
            }
            kept.push_back(exchange);
        }
        self.stored.fetch_add(1, Ordering::Release);
        self.stored_signal.notify_waiters();
    }

    /// Returns once every exchange counted so far is stored: the mock has
    /// answered it (or dropped its connection) and recorded it. A client
    /// can see its answer, or give up, before that: the mock records after
    /// it answers, and keeps working on a request whose client left.
    pub async fn settled(&self) {
        let counted = self.total();
        loop {
            let signal = self.stored_signal.notified();
            let mut signal = std::pin::pin!(signal);
            // Registered before the check, so a store in between wakes us.
            signal.as_mut().enable();
            if self.stored.load(Ordering::Acquire) >= counted {
                return;
            }
            signal.await;
        }
    }

    /// How many exchanges were seen in all.
    pub fn total(&self) -> u64 {
        self.total.load(Ordering::Relaxed)
    }

    /// How many are kept.
    pub fn capacity(&self) -> usize {
        self.capacity
    }

    /// The kept exchanges, oldest first, sorted by sequence number.
    pub fn exchanges(&self) -> Vec<Exchange> {
        let mut out: Vec<Exchange> = self
            .kept
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .iter()
            .cloned()
            .collect();
        // Concurrent handlers may store out of order.
        out.sort_by_key(|e| e.seq);
        out
    }

    /// Kept exchanges with a sequence number above `seq` (those recorded
    /// after [`Recorder::total`] returned `seq`).
    pub fn since(&self, seq: u64) -> Vec<Exchange> {
        let mut out = self.exchanges();
        out.retain(|e| e.seq > seq);
        out
    }

    /// Forgets the kept exchanges (the count stays).
    pub fn clear(&self) {
        self.kept.lock().unwrap_or_else(|e| e.into_inner()).clear();
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::exchange::{Body, Headers, Request};

    fn exchange(seq: u64) -> Exchange {
        Exchange {
            seq,
            request: Request {
                method: "POST".into(),
                path: "/".into(),
                query: None,
                headers: Headers::default(),
                body: Body::default(),
            },
            response: None,
            scenario: None,
        }
    }

    #[tokio::test]
    async fn settled_waits_until_every_counted_exchange_is_stored() {
        let recorder = std::sync::Arc::new(Recorder::new(0));
        recorder.settled().await; // nothing counted
        let seq = recorder.next_seq();
        let waiting = recorder.clone();
        let waiter = tokio::spawn(async move { waiting.settled().await });
        // On this single-threaded runtime the waiter runs until it waits.
        tokio::task::yield_now().await;
        assert!(
            !waiter.is_finished(),
            "settled before the exchange was stored"
        );
        recorder.store(exchange(seq));
        waiter.await.unwrap();
    }

    #[test]
    fn keeps_the_last_n_and_counts_all() {
        let recorder = Recorder::new(3);
        for _ in 0..10 {
            let seq = recorder.next_seq();
            recorder.store(exchange(seq));
        }
        assert_eq!(recorder.total(), 10);
        let seqs: Vec<u64> = recorder.exchanges().iter().map(|e| e.seq).collect();
        assert_eq!(seqs, [8, 9, 10]);
        assert_eq!(recorder.since(9).len(), 1);
        let none = Recorder::new(0);
        let seq = none.next_seq();
        none.store(exchange(seq));
        assert_eq!((none.total(), none.exchanges().len()), (1, 0));
    }
}
