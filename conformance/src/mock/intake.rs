//! Reading a request body with a limit the mock answers for itself.
//!
//! axum's `Bytes` extractor refuses bodies over 2 MiB with its own
//! `413` in plain text, without `request-id`, and the mock never sees or
//! records the request. A spec-valid request can be that large (the spec
//! bounds neither `deviceIds` nor its items), so the mock reads the body
//! itself: up to [`DEFAULT_BODY_LIMIT`] (or the configured limit) it is
//! judged as usual; past it the mock answers a Graph-shaped `413` (which
//! the spec documents through `default`).

use std::pin::Pin;

use axum::body::{Body, Bytes, HttpBody};

/// The default largest body the mock judges: 16 MiB, far above anything
/// the assign action needs, small enough to keep the mock's memory
/// bounded.
pub const DEFAULT_BODY_LIMIT: usize = 16 * 1024 * 1024;

/// Past the limit the rest of the body is read and dropped, so that the
/// client, still writing, gets to read the `413`; up to this many bytes in
/// all, after which the connection is given up.
const DRAIN_CAP: usize = 256 * 1024 * 1024;

/// A body as read.
#[derive(Debug)]
pub enum Intake {
    /// The whole body.
    Whole(Bytes),
    /// The body was longer than the limit: its first bytes (up to the
    /// limit) and how many arrived in all (at least).
    TooLarge {
        /// The bytes kept.
        head: Bytes,
        /// Bytes received in all.
        length: usize,
    },
    /// The body could not be read (the client went away mid-body).
    Broken(String),
}

/// Reads `body`, keeping at most `limit` bytes.
pub async fn read(mut body: Body, limit: usize) -> Intake {
    let mut kept: Vec<u8> = Vec::new();
    let mut length = 0usize;
    loop {
        let frame = std::future::poll_fn(|cx| Pin::new(&mut body).poll_frame(cx)).await;
        let data = match frame {
            None => break,
            Some(Err(e)) => return Intake::Broken(e.to_string()),
            Some(Ok(frame)) => match frame.into_data() {
                Ok(data) => data,
                // Trailers carry no body bytes.
                Err(_) => continue,
            },
        };
        length += data.len();
        if length <= limit {
            if kept.is_empty() && length == data.len() && body.is_end_stream() {
                // One frame, the whole body: no copy.
                return Intake::Whole(data);
            }
            kept.extend_from_slice(&data);
        } else {
            let room = limit.saturating_sub(kept.len());
            kept.extend_from_slice(&data[..room.min(data.len())]);
            if length > DRAIN_CAP {
                break;
            }
        }
    }
    if length > limit {
        Intake::TooLarge {
            head: Bytes::from(kept),
            length,
        }
    } else {
        Intake::Whole(Bytes::from(kept))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn bodies_up_to_the_limit_are_whole() {
        match read(Body::from("0123456789"), 10).await {
            Intake::Whole(b) => assert_eq!(&b[..], b"0123456789"),
            other => panic!("{other:?}"),
        }
        match read(Body::empty(), 10).await {
            Intake::Whole(b) => assert!(b.is_empty()),
            other => panic!("{other:?}"),
        }
    }

    #[tokio::test]
    async fn longer_bodies_are_counted_and_cut() {
        match read(Body::from("0123456789x"), 10).await {
            Intake::TooLarge { head, length } => {
                assert_eq!(&head[..], b"0123456789");
                assert_eq!(length, 11);
            }
            other => panic!("{other:?}"),
        }
    }
}
