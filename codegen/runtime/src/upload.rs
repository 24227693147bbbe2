//! Binary request bodies (`application/octet-stream`, `image/png`...) that
//! need not sit in memory: bytes, a file, or any stream of chunks.
//!
//! A generated method for a binary body takes `impl Into<Upload>`, so a
//! `&[u8]` or a `Vec<u8>` works as before, and [`Upload::file`] or
//! [`Upload::stream`] sends a body of any size in chunks. A raw body
//! ([`crate::RawBody`]) and a file part of a multipart form
//! ([`crate::multipart::FilePart`]) hold an `Upload` too.
//!
//! Retries (`429`, `503`, `504`, a dropped connection) send the body
//! again, so each source says whether it can be sent twice: bytes and a
//! file can (a file is opened and read again), a stream cannot. When a
//! request with a stream would be retried, the client stops instead and
//! hands back what it got, with [`GaveUp::BodySentOnce`] in
//! [`Response::attempts`] for a status.
//!
//! [`GaveUp::BodySentOnce`]: crate::retry::GaveUp::BodySentOnce
//! [`Response::attempts`]: crate::Response::attempts

use std::fmt;
use std::path::Path;
use std::sync::{Arc, Mutex};

use bytes::Bytes;

use crate::multipart::Multipart;

/// A binary request body: bytes in memory, a file read in chunks, or a
/// stream of chunks. Its `Debug` shows what it is and its length, never
/// its content.
#[derive(Clone)]
pub struct Upload {
    source: Source,
    /// Sent as `Content-Length` when known; without it a streamed body
    /// goes out with `Transfer-Encoding: chunked`.
    length: Option<u64>,
}

#[derive(Clone)]
enum Source {
    Bytes(Bytes),
    /// A file, opened again by each attempt (a handle an earlier attempt
    /// may still be reading is never shared).
    File(Arc<Path>),
    /// A stream: the first attempt takes it.
    Once(Arc<Mutex<Option<reqwest::Body>>>),
    /// A `multipart/form-data` form, whose parts (and boundary) are made
    /// again for each attempt (see [`crate::multipart`]).
    Form(Arc<Multipart>),
}

impl Upload {
    /// Bytes in memory (sent again as they are by a retry).
    pub fn bytes(bytes: impl Into<Bytes>) -> Upload {
        let bytes = bytes.into();
        Upload {
            length: Some(bytes.len() as u64),
            source: Source::Bytes(bytes),
        }
    }

    /// The file at `path`, read in chunks as the request is sent (and from
    /// its start again by a retry), with its length as `Content-Length`.
    /// The file is opened now, so a missing or unreadable file is an error
    /// here and nothing is sent.
    pub fn file(path: impl AsRef<Path>) -> std::io::Result<Upload> {
        let path = path.as_ref();
        let length = std::fs::File::open(path)
            .and_then(|file| file.metadata())
            .map_err(|e| std::io::Error::new(e.kind(), format!("{}: {e}", path.display())))?
            .len();
        Ok(Upload {
            source: Source::File(Arc::from(path)),
            length: Some(length),
        })
    }

    /// A stream of chunks, sent as it yields them. It can be sent only
    /// once, so the request is not retried after it has gone out. An
    /// error from the stream ends the request as a transport error.
    pub fn stream<S, O, E>(stream: S) -> Upload
    where
        S: futures_core::Stream<Item = Result<O, E>> + Send + 'static,
        Bytes: From<O>,
        O: 'static,
        E: Into<Box<dyn std::error::Error + Send + Sync>> + 'static,
    {
        Upload {
            source: Source::Once(Arc::new(Mutex::new(Some(reqwest::Body::wrap_stream(
                stream,
            ))))),
            length: None,
        }
    }

    /// The same body, declaring its length: it is sent as
    /// `Content-Length` (some services refuse chunked uploads). The
    /// stream must then yield exactly that many bytes, or the request
    /// fails.
    pub fn with_length(mut self, length: u64) -> Upload {
        self.length = Some(length);
        self
    }

    /// The length, when known.
    pub fn length(&self) -> Option<u64> {
        self.length
    }

    /// The bytes, for a body held in memory.
    pub fn as_bytes(&self) -> Option<&[u8]> {
        match &self.source {
            Source::Bytes(bytes) => Some(bytes),
            _ => None,
        }
    }

    /// Whether a retry can send the body again.
    pub fn replayable(&self) -> bool {
        match &self.source {
            Source::Once(_) => false,
            Source::Form(form) => form.replayable(),
            Source::Bytes(_) | Source::File(_) => true,
        }
    }

    /// A checked `multipart/form-data` form, sent as the body.
    pub(crate) fn form(form: Multipart) -> Upload {
        Upload {
            source: Source::Form(Arc::new(form)),
            length: None,
        }
    }

    /// The form, for a body that is one: the transport sends it with its
    /// own boundary rather than through [`Upload::for_attempt`].
    pub(crate) fn multipart(&self) -> Option<&Multipart> {
        match &self.source {
            Source::Form(form) => Some(form),
            _ => None,
        }
    }

    /// The body for one attempt; `None` when a stream was already taken
    /// by an earlier attempt. A file that cannot be opened again gives a body
    /// that fails with that error.
    pub(crate) fn for_attempt(&self) -> Option<reqwest::Body> {
        match &self.source {
            Source::Bytes(bytes) => Some(reqwest::Body::from(bytes.clone())),
            Source::Once(slot) => slot.lock().ok()?.take(),
            // Sent through `multipart` with the boundary it names.
            Source::Form(_) => None,
            Source::File(path) => Some(match std::fs::File::open(path) {
                Ok(file) => reqwest::Body::from(tokio::fs::File::from_std(file)),
                Err(e) => reqwest::Body::wrap_stream(Failing(Some(std::io::Error::new(
                    e.kind(),
                    format!("{}: {e}", path.display()),
                )))),
            }),
        }
    }
}

/// A stream that yields one error: how a file that cannot be read again
/// fails its attempt.
struct Failing(Option<std::io::Error>);

impl futures_core::Stream for Failing {
    type Item = Result<Bytes, std::io::Error>;

    fn poll_next(
        mut self: std::pin::Pin<&mut Self>,
        _: &mut std::task::Context<'_>,
    ) -> std::task::Poll<Option<Self::Item>> {
        std::task::Poll::Ready(self.0.take().map(Err))
    }
}

impl fmt::Debug for Upload {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let kind = match self.source {
            Source::Bytes(_) => "bytes",
            Source::File(_) => "file",
            Source::Once(_) => "stream",
            Source::Form(_) => "form",
        };
        f.debug_struct("Upload")
            .field("source", &kind)
            .field("length", &self.length)
            .finish()
    }
}

impl From<Vec<u8>> for Upload {
    fn from(bytes: Vec<u8>) -> Upload {
        Upload::bytes(bytes)
    }
}

impl From<&Vec<u8>> for Upload {
    fn from(bytes: &Vec<u8>) -> Upload {
        Upload::bytes(bytes.clone())
    }
}

impl From<&[u8]> for Upload {
    fn from(bytes: &[u8]) -> Upload {
        Upload::bytes(Bytes::copy_from_slice(bytes))
    }
}

impl<const N: usize> From<&[u8; N]> for Upload {
    fn from(bytes: &[u8; N]) -> Upload {
        Upload::bytes(Bytes::copy_from_slice(bytes))
    }
}

impl From<Bytes> for Upload {
    fn from(bytes: Bytes) -> Upload {
        Upload::bytes(bytes)
    }
}
