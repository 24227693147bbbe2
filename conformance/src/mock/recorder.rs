//! Bounded recording of exchanges: the last N kept, all counted, and each
//! kept one findable by the `client-request-id` its request carried, so
//! that a caller with several calls in flight can tell its own exchanges
//! from the others' (see [`Recorder::exchanges_of`]).

use std::collections::{BTreeMap, HashMap};
use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use tokio::sync::Notify;

use crate::exchange::Exchange;

/// How many exchanges a mock keeps unless told otherwise.
pub const DEFAULT_CAPACITY: usize = 1024;

/// The request header that ties an exchange to the call that sent it.
pub const CLIENT_REQUEST_ID: &str = "client-request-id";

/// The last `capacity` exchanges and a count of all of them.
#[derive(Debug)]
pub struct Recorder {
    capacity: usize,
    kept: Mutex<Kept>,
    total: AtomicU64,
    /// Exchanges stored so far (kept or not), and a signal on each.
    stored: AtomicU64,
    stored_signal: Notify,
}

/// The kept exchanges by sequence number (so the oldest is the first to
/// go, whatever order concurrent handlers stored them in), and the
/// sequence numbers of each `client-request-id`.
#[derive(Debug, Default)]
struct Kept {
    by_seq: BTreeMap<u64, Exchange>,
    by_client_request_id: HashMap<String, Vec<u64>>,
}

impl Kept {
    fn forget_oldest(&mut self) {
        let Some((seq, exchange)) = self.by_seq.pop_first() else {
            return;
        };
        for id in exchange.request.headers.get_all(CLIENT_REQUEST_ID) {
            if let Some(seqs) = self.by_client_request_id.get_mut(id) {
                seqs.retain(|s| *s != seq);
                if seqs.is_empty() {
                    self.by_client_request_id.remove(id);
                }
            }
        }
    }
}

impl Recorder {
    /// A recorder keeping at most `capacity` exchanges (0 keeps none but
    /// still counts; `usize::MAX` keeps every one).
    pub fn new(capacity: usize) -> Recorder {
        Recorder {
            capacity,
            kept: Mutex::new(Kept::default()),
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
            while kept.by_seq.len() >= self.capacity {
                kept.forget_oldest();
            }
            let seq = exchange.seq;
            // Each distinct value once: a request that repeats the header
            // is still one exchange.
            let mut ids: Vec<String> = exchange
                .request
                .headers
                .get_all(CLIENT_REQUEST_ID)
                .map(str::to_string)
                .collect();
            ids.dedup();
            for id in ids {
                kept.by_client_request_id.entry(id).or_default().push(seq);
            }
            kept.by_seq.insert(seq, exchange);
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

    /// The kept exchanges whose request carried one of `ids` as its
    /// `client-request-id`, by sequence number, once there are `expected`
    /// of them.
    ///
    /// A client can have its result before the exchange is stored (the
    /// `slow` scenario's client gives up while the mock still waits; a
    /// dropped connection fails the client before the mock records), so
    /// this waits: until `expected` are there, or until every exchange
    /// the recorder has counted is stored and some are still missing (the
    /// request never reached it), or at most `limit`. Unlike
    /// [`Recorder::since`], it does not care what else is in flight.
    pub async fn exchanges_of(
        &self,
        ids: &[String],
        expected: usize,
        limit: Duration,
    ) -> Vec<Exchange> {
        let deadline = tokio::time::Instant::now() + limit;
        loop {
            let signal = self.stored_signal.notified();
            let mut signal = std::pin::pin!(signal);
            signal.as_mut().enable();
            let found = self.with_client_request_ids(ids);
            let settled = self.stored.load(Ordering::Acquire) >= self.total();
            if found.len() >= expected || settled {
                return found;
            }
            if tokio::time::timeout_at(deadline, signal).await.is_err() {
                return self.with_client_request_ids(ids);
            }
        }
    }

    /// The kept exchanges whose request carried one of `ids` as its
    /// `client-request-id`, by sequence number.
    pub fn with_client_request_ids(&self, ids: &[String]) -> Vec<Exchange> {
        let kept = self.kept.lock().unwrap_or_else(|e| e.into_inner());
        let mut seqs: Vec<u64> = ids
            .iter()
            .filter_map(|id| kept.by_client_request_id.get(id))
            .flatten()
            .copied()
            .collect();
        seqs.sort_unstable();
        seqs.dedup();
        seqs.iter()
            .filter_map(|seq| kept.by_seq.get(seq).cloned())
            .collect()
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
        let kept = self.kept.lock().unwrap_or_else(|e| e.into_inner());
        kept.by_seq.values().cloned().collect()
    }

    /// Kept exchanges with a sequence number above `seq` (those recorded
    /// after [`Recorder::total`] returned `seq`). Only right when nothing
    /// else was sent meanwhile; see [`Recorder::exchanges_of`].
    pub fn since(&self, seq: u64) -> Vec<Exchange> {
        let kept = self.kept.lock().unwrap_or_else(|e| e.into_inner());
        kept.by_seq
            .range(seq.saturating_add(1)..)
            .map(|(_, e)| e.clone())
            .collect()
    }

    /// Forgets the kept exchanges (the count stays).
    pub fn clear(&self) {
        let mut kept = self.kept.lock().unwrap_or_else(|e| e.into_inner());
        kept.by_seq.clear();
        kept.by_client_request_id.clear();
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::exchange::{Body, Headers, Request};

    fn exchange(seq: u64) -> Exchange {
        tagged(seq, None)
    }

    fn tagged(seq: u64, client_request_id: Option<&str>) -> Exchange {
        let mut headers = Headers::default();
        if let Some(id) = client_request_id {
            headers.push(CLIENT_REQUEST_ID, id.to_string());
        }
        Exchange {
            seq,
            request: Request {
                method: "POST".into(),
                path: "/".into(),
                query: None,
                headers,
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

    /// Two calls in flight, their exchanges stored interleaved and out of
    /// order: each call finds its own by its id, waiting for the one not
    /// stored yet, and an evicted exchange leaves the index too.
    #[tokio::test]
    async fn exchanges_are_found_by_client_request_id_whatever_else_is_in_flight() {
        let recorder = std::sync::Arc::new(Recorder::new(3));
        let seqs: Vec<u64> = (0..4).map(|_| recorder.next_seq()).collect();
        recorder.store(tagged(seqs[1], Some("b")));
        recorder.store(tagged(seqs[0], Some("a")));
        recorder.store(tagged(seqs[2], Some("b")));
        let found = recorder.with_client_request_ids(&["b".into()]);
        assert_eq!(found.iter().map(|e| e.seq).collect::<Vec<_>>(), [2, 3]);
        // `a` expects a second exchange (a retry), not stored yet.
        let waiting = recorder.clone();
        let waiter = tokio::spawn(async move {
            waiting
                .exchanges_of(&["a".into()], 2, Duration::from_secs(30))
                .await
        });
        tokio::task::yield_now().await;
        assert!(
            !waiter.is_finished(),
            "returned before the retry was stored"
        );
        recorder.store(tagged(seqs[3], Some("a")));
        let found = waiter.await.unwrap();
        // Capacity 3: seq 1 (`a`'s first) was forgotten for seq 4.
        assert_eq!(found.iter().map(|e| e.seq).collect::<Vec<_>>(), [4]);
        // Everything counted is stored: a missing one is not waited for.
        let none = recorder
            .exchanges_of(&["never-sent".into()], 1, Duration::from_secs(30))
            .await;
        assert!(none.is_empty());
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
