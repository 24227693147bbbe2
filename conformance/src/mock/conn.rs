//! The mock's sockets: a TCP listener whose connections a handler can drop
//! or answer with raw bytes.
//!
//! Two fault scenarios cannot be expressed as an HTTP response that hyper
//! would send as asked: a dropped connection (no response at all) and a
//! `204` that carries a body (hyper, rightly, never writes a body on a
//! `204`). The handler arms the connection's [`ConnControl`]; the socket
//! wrapper [`MockIo`] then either fails hyper's next write, so hyper closes
//! the connection without a response, or writes the raw bytes in place of
//! whatever hyper writes and closes the write side.

use std::io;
use std::pin::Pin;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll, ready};

use axum::extract::connect_info::Connected;
use axum::serve::{IncomingStream, Listener};
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::net::{TcpListener, TcpStream};

/// What a handler asked of its connection.
#[derive(Debug, Clone)]
enum Override {
    /// Close without sending a response.
    Drop,
    /// Send these bytes instead of hyper's response, then close.
    Raw(Vec<u8>),
}

/// Per-connection switch a handler reaches through `ConnectInfo`.
#[derive(Debug, Default)]
pub struct ConnControl {
    /// Fast path: nothing asked (checked on every write).
    armed: AtomicBool,
    action: Mutex<Option<Override>>,
}

impl ConnControl {
    /// Closes the connection instead of sending the response.
    pub fn drop_connection(&self) {
        self.arm(Override::Drop);
    }

    /// Sends `bytes` (a whole HTTP response) instead of the response the
    /// handler returns, then closes the connection.
    pub fn send_raw(&self, bytes: Vec<u8>) {
        self.arm(Override::Raw(bytes));
    }

    fn arm(&self, action: Override) {
        *self.action.lock().unwrap_or_else(|e| e.into_inner()) = Some(action);
        self.armed.store(true, Ordering::Release);
    }

    fn take(&self) -> Option<Override> {
        if !self.armed.load(Ordering::Acquire) {
            return None;
        }
        self.armed.store(false, Ordering::Release);
        self.action.lock().unwrap_or_else(|e| e.into_inner()).take()
    }
}

/// The handle the handler extracts (`ConnectInfo<Conn>`).
#[derive(Debug, Clone)]
pub struct Conn(pub Arc<ConnControl>);

impl Connected<IncomingStream<'_, MockListener>> for Conn {
    fn connect_info(stream: IncomingStream<'_, MockListener>) -> Self {
        Conn(stream.io().control.clone())
    }
}

/// A TCP listener handing out [`MockIo`] sockets.
#[derive(Debug)]
pub struct MockListener(pub TcpListener);

impl Listener for MockListener {
    type Io = MockIo;
    type Addr = std::net::SocketAddr;

    async fn accept(&mut self) -> (Self::Io, Self::Addr) {
        loop {
            match self.0.accept().await {
                Ok((stream, addr)) => {
                    // Small request/response pairs: do not let Nagle hold
                    // them back.
                    let _ = stream.set_nodelay(true);
                    let io = MockIo {
                        inner: stream,
                        control: Arc::new(ConnControl::default()),
                        state: State::Normal,
                    };
                    return (io, addr);
                }
                // Out of file descriptors or a reset during accept: wait a
                // moment and go on, as axum's own listener does.
                Err(_) => tokio::time::sleep(std::time::Duration::from_millis(20)).await,
            }
        }
    }

    fn local_addr(&self) -> io::Result<Self::Addr> {
        self.0.local_addr()
    }
}

#[derive(Debug)]
enum State {
    Normal,
    /// Writing raw bytes; `usize` of them are out.
    Raw(Vec<u8>, usize),
    /// The raw response is out; hyper's bytes are swallowed.
    Done,
}

/// A TCP stream that obeys its [`ConnControl`].
#[derive(Debug)]
pub struct MockIo {
    inner: TcpStream,
    control: Arc<ConnControl>,
    state: State,
}

impl AsyncRead for MockIo {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        Pin::new(&mut self.inner).poll_read(cx, buf)
    }
}

impl AsyncWrite for MockIo {
    fn poll_write(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        let this = &mut *self;
        if matches!(this.state, State::Normal) {
            match this.control.take() {
                None => return Pin::new(&mut this.inner).poll_write(cx, buf),
                Some(Override::Drop) => {
                    return Poll::Ready(Err(io::Error::new(
                        io::ErrorKind::ConnectionAborted,
                        "mock scenario: connection dropped",
                    )));
                }
                Some(Override::Raw(bytes)) => this.state = State::Raw(bytes, 0),
            }
        }
        loop {
            match &mut this.state {
                State::Raw(bytes, written) => {
                    if *written == bytes.len() {
                        ready!(Pin::new(&mut this.inner).poll_flush(cx))?;
                        // Close our side so the client sees the end of
                        // the response; hyper's own bytes go nowhere.
                        let _ = ready!(Pin::new(&mut this.inner).poll_shutdown(cx));
                        this.state = State::Done;
                        continue;
                    }
                    let n = ready!(Pin::new(&mut this.inner).poll_write(cx, &bytes[*written..]))?;
                    if n == 0 {
                        return Poll::Ready(Err(io::ErrorKind::WriteZero.into()));
                    }
                    *written += n;
                }
                State::Done => return Poll::Ready(Ok(buf.len())),
                State::Normal => unreachable!("left above"),
            }
        }
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        match self.state {
            State::Done => Poll::Ready(Ok(())),
            _ => Pin::new(&mut self.inner).poll_flush(cx),
        }
    }

    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        match self.state {
            State::Done => Poll::Ready(Ok(())),
            _ => Pin::new(&mut self.inner).poll_shutdown(cx),
        }
    }
}
