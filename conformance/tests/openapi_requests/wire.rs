//! A small HTTP/1.1 client over a plain loopback socket.
//!
//! reqwest (through `url`) would normalise what it is given: dot segments,
//! the case of percent-escapes, raw bytes in header values. A generic
//! testing tool's requests must reach the mock byte for byte, so requests
//! are written by hand here. One keep-alive connection is reused (tens of
//! thousands of cases must not exhaust the ephemeral ports with
//! `TIME_WAIT`); a new one is opened when the mock closes it.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::time::Duration;

/// A request exactly as it goes on the wire.
#[derive(Debug, Clone, Default)]
pub struct WireRequest {
    /// The method token.
    pub method: String,
    /// The request target (origin form: path and query).
    pub target: String,
    /// Header fields in order, values as raw bytes (`Host` and the framing
    /// headers are added when the request is written).
    pub headers: Vec<(String, Vec<u8>)>,
    /// The body.
    pub body: Vec<u8>,
    /// Frame the body with `Transfer-Encoding: chunked` instead of
    /// `Content-Length`.
    pub chunked: bool,
    /// Announce an empty body with `Content-Length: 0` (otherwise an empty
    /// body is sent with no framing header at all).
    pub announce_empty: bool,
}

/// A response as read from the wire.
#[derive(Debug, Clone)]
pub struct WireResponse {
    /// The status code.
    pub status: u16,
    /// Header fields, names lower-cased.
    pub headers: Vec<(String, String)>,
    /// The body (always empty for `HEAD`, `204` and `304`).
    pub body: Vec<u8>,
}

impl WireResponse {
    /// Every value of header `name` (lower-case).
    pub fn header_all(&self, name: &str) -> Vec<&str> {
        self.headers
            .iter()
            .filter(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
            .collect()
    }

    /// The first value of header `name` (lower-case).
    pub fn header(&self, name: &str) -> Option<&str> {
        self.header_all(name).into_iter().next()
    }
}

/// One reusable connection to the mock.
pub struct Wire {
    addr: SocketAddr,
    conn: Option<BufReader<TcpStream>>,
    /// Connections opened so far.
    pub connections: u64,
}

impl Wire {
    /// A client for the server at `addr` (connects lazily).
    pub fn new(addr: SocketAddr) -> Wire {
        Wire {
            addr,
            conn: None,
            connections: 0,
        }
    }

    /// Sends `request` and reads the answer. A request that finds the kept
    /// connection closed by the server (before any byte of an answer came)
    /// is sent once more on a new connection.
    pub fn send(&mut self, request: &WireRequest) -> Result<WireResponse, String> {
        let bytes = serialise(request, self.addr);
        let head = request.method == "HEAD";
        let reused = self.conn.is_some();
        match self.exchange(&bytes, head) {
            Ok(response) => Ok(response),
            Err(Failure::Stale(_)) if reused => {
                self.conn = None;
                self.exchange(&bytes, head).map_err(|f| f.to_string())
            }
            Err(f) => {
                self.conn = None;
                Err(f.to_string())
            }
        }
    }

    fn exchange(&mut self, bytes: &[u8], head: bool) -> Result<WireResponse, Failure> {
        if self.conn.is_none() {
            let stream = TcpStream::connect(self.addr)
                .map_err(|e| Failure::Broken(format!("connect: {e}")))?;
            stream.set_nodelay(true).ok();
            // A mock that hangs fails the case instead of the whole run.
            stream.set_read_timeout(Some(Duration::from_secs(60))).ok();
            self.connections += 1;
            self.conn = Some(BufReader::new(stream));
        }
        let conn = self.conn.as_mut().expect("connected above");
        conn.get_mut()
            .write_all(bytes)
            .map_err(|e| Failure::Stale(format!("write: {e}")))?;
        let response = read_response(conn, head)?;
        let close = response
            .header_all("connection")
            .iter()
            .any(|v| v.eq_ignore_ascii_case("close"));
        if close {
            self.conn = None;
        }
        Ok(response)
    }
}

enum Failure {
    /// Nothing came back: the server had closed the kept connection.
    Stale(String),
    /// The answer was broken or cut short.
    Broken(String),
}

impl std::fmt::Display for Failure {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Failure::Stale(e) | Failure::Broken(e) => f.write_str(e),
        }
    }
}

fn serialise(request: &WireRequest, addr: SocketAddr) -> Vec<u8> {
    let mut out = format!(
        "{} {} HTTP/1.1\r\nhost: {addr}\r\n",
        request.method, request.target
    )
    .into_bytes();
    for (name, value) in &request.headers {
        out.extend_from_slice(name.as_bytes());
        out.extend_from_slice(b": ");
        out.extend_from_slice(value);
        out.extend_from_slice(b"\r\n");
    }
    if request.chunked {
        out.extend_from_slice(b"transfer-encoding: chunked\r\n\r\n");
        // Uneven chunks, so that the server really reassembles them.
        let mut rest = &request.body[..];
        let mut size = 1;
        while !rest.is_empty() {
            let take = size.min(rest.len());
            out.extend_from_slice(format!("{take:x}\r\n").as_bytes());
            out.extend_from_slice(&rest[..take]);
            out.extend_from_slice(b"\r\n");
            rest = &rest[take..];
            size = size * 3 + 1;
        }
        out.extend_from_slice(b"0\r\n\r\n");
    } else {
        if !request.body.is_empty() || request.announce_empty {
            out.extend_from_slice(format!("content-length: {}\r\n", request.body.len()).as_bytes());
        }
        out.extend_from_slice(b"\r\n");
        out.extend_from_slice(&request.body);
    }
    out
}

fn read_line(conn: &mut BufReader<TcpStream>, first: bool) -> Result<String, Failure> {
    let mut line = Vec::new();
    match conn.read_until(b'\n', &mut line) {
        Ok(0) if first => Err(Failure::Stale("the connection was closed".into())),
        Ok(0) => Err(Failure::Broken("the answer was cut short".into())),
        Ok(_) => Ok(String::from_utf8_lossy(&line)
            .trim_end_matches(['\r', '\n'])
            .to_string()),
        Err(e) if first => Err(Failure::Stale(format!("read: {e}"))),
        Err(e) => Err(Failure::Broken(format!("read: {e}"))),
    }
}

fn read_response(conn: &mut BufReader<TcpStream>, head: bool) -> Result<WireResponse, Failure> {
    loop {
        let status_line = read_line(conn, true)?;
        let status: u16 = status_line
            .split(' ')
            .nth(1)
            .and_then(|s| s.parse().ok())
            .ok_or_else(|| Failure::Broken(format!("bad status line {status_line:?}")))?;
        let mut headers = Vec::new();
        loop {
            let line = read_line(conn, false)?;
            if line.is_empty() {
                break;
            }
            let (name, value) = line
                .split_once(':')
                .ok_or_else(|| Failure::Broken(format!("bad header line {line:?}")))?;
            headers.push((name.trim().to_ascii_lowercase(), value.trim().to_string()));
        }
        if (100..200).contains(&status) {
            // An interim answer (`100 Continue`); the real one follows.
            continue;
        }
        let mut response = WireResponse {
            status,
            headers,
            body: Vec::new(),
        };
        if head || status == 204 || status == 304 {
            return Ok(response);
        }
        let chunked = response
            .header("transfer-encoding")
            .is_some_and(|v| v.eq_ignore_ascii_case("chunked"));
        if chunked {
            response.body = read_chunked(conn)?;
        } else if let Some(length) = response.header("content-length") {
            let length: usize = length
                .parse()
                .map_err(|_| Failure::Broken(format!("bad content-length {length:?}")))?;
            let mut body = vec![0; length];
            conn.read_exact(&mut body)
                .map_err(|e| Failure::Broken(format!("body: {e}")))?;
            response.body = body;
        } else {
            // No framing: the body runs to the end of the connection.
            conn.read_to_end(&mut response.body)
                .map_err(|e| Failure::Broken(format!("body: {e}")))?;
            response.headers.push(("connection".into(), "close".into()));
        }
        return Ok(response);
    }
}

fn read_chunked(conn: &mut BufReader<TcpStream>) -> Result<Vec<u8>, Failure> {
    let mut body = Vec::new();
    loop {
        let line = read_line(conn, false)?;
        let size = usize::from_str_radix(line.split(';').next().unwrap_or("").trim(), 16)
            .map_err(|_| Failure::Broken(format!("bad chunk size {line:?}")))?;
        if size == 0 {
            // Trailers, then the empty line.
            while !read_line(conn, false)?.is_empty() {}
            return Ok(body);
        }
        let start = body.len();
        body.resize(start + size, 0);
        conn.read_exact(&mut body[start..])
            .map_err(|e| Failure::Broken(format!("chunk: {e}")))?;
        read_line(conn, false)?;
    }
}
