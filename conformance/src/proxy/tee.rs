//! A body that passes every frame through unchanged and keeps a copy of
//! at most `limit` bytes for the oracle, so that a body of any size
//! streams through the proxy while the proxy holds no more than the limit
//! of it.

use std::pin::Pin;
use std::task::{Context, Poll, ready};

use axum::body::Bytes;
use http_body::{Body, Frame, SizeHint};
use tokio::sync::oneshot;

/// The error type of a forwarded body.
pub type BoxError = Box<dyn std::error::Error + Send + Sync>;

/// What passed through one body.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Captured {
    /// The first bytes, at most the limit.
    pub bytes: Vec<u8>,
    /// How many bytes passed in all.
    pub length: u64,
    /// Whether the body reached its end (rather than being cut off by an
    /// error or by one side going away).
    pub finished: bool,
    /// The error that cut it off, if one did.
    pub error: Option<String>,
}

/// A pass-through body; what it saw goes to `done` when it ends or is
/// dropped, whichever comes first.
pub struct Tee<B> {
    inner: B,
    limit: usize,
    captured: Captured,
    done: Option<oneshot::Sender<Captured>>,
}

impl<B: Body> Tee<B> {
    /// Wraps `inner`, keeping up to `limit` bytes.
    pub fn new(inner: B, limit: usize) -> (Tee<B>, oneshot::Receiver<Captured>) {
        let (done, receiver) = oneshot::channel();
        // A body that is empty from the start may never be polled.
        let finished = inner.is_end_stream();
        let tee = Tee {
            inner,
            limit,
            captured: Captured {
                finished,
                ..Captured::default()
            },
            done: Some(done),
        };
        (tee, receiver)
    }
}

impl<B> Tee<B> {
    fn finish(&mut self) {
        if let Some(done) = self.done.take() {
            let _ = done.send(std::mem::take(&mut self.captured));
        }
    }
}

impl<B> Body for Tee<B>
where
    B: Body<Data = Bytes> + Unpin,
    B::Error: Into<BoxError>,
{
    type Data = Bytes;
    type Error = BoxError;

    fn poll_frame(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, BoxError>>> {
        let this = &mut *self;
        match ready!(Pin::new(&mut this.inner).poll_frame(cx)) {
            Some(Ok(frame)) => {
                if let Some(data) = frame.data_ref() {
                    let room = this.limit.saturating_sub(this.captured.bytes.len());
                    this.captured
                        .bytes
                        .extend_from_slice(&data[..room.min(data.len())]);
                    this.captured.length += data.len() as u64;
                }
                // A body of known length ends with its last byte; its
                // reader need not poll once more to see the end.
                if this.inner.is_end_stream() {
                    this.captured.finished = true;
                }
                Poll::Ready(Some(Ok(frame)))
            }
            Some(Err(e)) => {
                let e: BoxError = e.into();
                this.captured.error = Some(e.to_string());
                this.finish();
                Poll::Ready(Some(Err(e)))
            }
            None => {
                this.captured.finished = true;
                this.finish();
                Poll::Ready(None)
            }
        }
    }

    fn is_end_stream(&self) -> bool {
        self.inner.is_end_stream()
    }

    fn size_hint(&self) -> SizeHint {
        self.inner.size_hint()
    }
}

impl<B> Drop for Tee<B> {
    fn drop(&mut self) {
        self.finish();
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use http_body_util_lite::collect;

    /// Polls a body to its end, counting the bytes.
    mod http_body_util_lite {
        use super::*;
        pub async fn collect<B: Body<Data = Bytes> + Unpin>(mut body: B) -> usize
        where
            B::Error: std::fmt::Debug,
        {
            let mut n = 0;
            while let Some(frame) =
                std::future::poll_fn(|cx| Pin::new(&mut body).poll_frame(cx)).await
            {
                if let Ok(data) = frame.unwrap().into_data() {
                    n += data.len();
                }
            }
            n
        }
    }

    #[tokio::test]
    async fn passes_everything_and_keeps_at_most_the_limit() {
        let (tee, done) = Tee::new(axum::body::Body::from("0123456789"), 4);
        assert_eq!(collect(tee).await, 10);
        let captured = done.await.unwrap();
        assert_eq!(captured.bytes, b"0123");
        assert_eq!((captured.length, captured.finished), (10, true));
    }

    #[tokio::test]
    async fn an_empty_body_is_finished_and_a_dropped_one_is_not() {
        let (tee, done) = Tee::new(axum::body::Body::empty(), 4);
        drop(tee);
        assert!(done.await.unwrap().finished);
        let (tee, done) = Tee::new(axum::body::Body::from("abc"), 4);
        drop(tee);
        let captured = done.await.unwrap();
        assert!(!captured.finished && captured.length == 0);
    }
}
