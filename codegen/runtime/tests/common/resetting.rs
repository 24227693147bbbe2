//! A raw loopback server that resets connections, for the tests that show
//! a dropped connection is retried: the runtime's (through `common`) and
//! the `autopilot` CLI's (included by path from `generated/tests`).

use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use tokio::io::{AsyncReadExt as _, AsyncWriteExt as _};

/// Resets the first `resets` connections after reading their request
/// (linger 0: closing sends RST, a "connection reset by peer"), then
/// answers `204` with `request-id: r-2` on every later one; it counts
/// connections.
pub async fn serve(resets: usize) -> (SocketAddr, Arc<Mutex<usize>>) {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let count = Arc::new(Mutex::new(0));
    let seen = count.clone();
    tokio::spawn(async move {
        loop {
            let (mut socket, _) = listener.accept().await.unwrap();
            let n = {
                let mut count = seen.lock().unwrap();
                *count += 1;
                *count
            };
            let mut buffer = vec![0; 64 * 1024];
            let _ = socket.read(&mut buffer).await;
            if n <= resets {
                // A zero linger blocks nothing.
                #[allow(deprecated)]
                socket.set_linger(Some(Duration::ZERO)).unwrap();
                drop(socket);
            } else {
                let _ = socket
                    .write_all(b"HTTP/1.1 204 No Content\r\nrequest-id: r-2\r\n\r\n")
                    .await;
            }
        }
    });
    (addr, count)
}
