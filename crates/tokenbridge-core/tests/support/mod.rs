//! Tiny loopback HTTP stubs on plain `std::net`, for answers the real emulator cannot give
//! (endless chunked bodies, lying `Content-Length`, silence) and for the raw request bytes.

#![allow(dead_code)]

use std::io::{Read, Write};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::sync::mpsc;
use std::thread;
use std::time::Duration;

/// Reads one HTTP/1.1 request (headers and a `Content-Length` body) and returns its bytes.
pub(crate) fn read_request(stream: &mut TcpStream) -> Vec<u8> {
    let mut buf = Vec::new();
    let mut chunk = [0u8; 4096];
    loop {
        let n = match stream.read(&mut chunk) {
            Ok(0) | Err(_) => return buf,
            Ok(n) => n,
        };
        buf.extend_from_slice(&chunk[..n]);
        if let Some(end) = buf.windows(4).position(|w| w == b"\r\n\r\n") {
            let head = String::from_utf8_lossy(&buf[..end]).to_ascii_lowercase();
            let len = head
                .lines()
                .find_map(|l| l.strip_prefix("content-length:"))
                .and_then(|v| v.trim().parse::<usize>().ok())
                .unwrap_or(0);
            if buf.len() >= end + 4 + len {
                return buf;
            }
        }
    }
}

/// A stub that accepts connections one after another; for each it reads the request, sends
/// the raw request bytes on the returned channel, and hands the stream to `respond`.
pub(crate) fn stub(
    respond: impl Fn(TcpStream) + Send + 'static,
) -> (SocketAddr, mpsc::Receiver<Vec<u8>>) {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap();
    let (tx, rx) = mpsc::channel();
    thread::spawn(move || {
        for stream in listener.incoming() {
            let Ok(mut stream) = stream else { return };
            let request = read_request(&mut stream);
            // The test may not care about the requests; answer anyway.
            let _ = tx.send(request);
            respond(stream);
        }
    });
    (addr, rx)
}

/// A stub answering every request with `response` (raw HTTP bytes).
pub(crate) fn stub_reply(response: Vec<u8>) -> (SocketAddr, mpsc::Receiver<Vec<u8>>) {
    stub(move |mut stream| {
        let _ = stream.write_all(&response);
        let _ = stream.flush();
    })
}

/// A complete `HTTP/1.1` response with a `Content-Length`.
pub(crate) fn http_response(status_line: &str, headers: &[(&str, &str)], body: &[u8]) -> Vec<u8> {
    let mut out = format!("HTTP/1.1 {status_line}\r\n");
    for (name, value) in headers {
        out.push_str(&format!("{name}: {value}\r\n"));
    }
    out.push_str(&format!(
        "content-length: {}\r\nconnection: close\r\n\r\n",
        body.len()
    ));
    let mut bytes = out.into_bytes();
    bytes.extend_from_slice(body);
    bytes
}

/// A stub that reads the request and then says nothing for `silence`.
pub(crate) fn stub_silent(silence: Duration) -> (SocketAddr, mpsc::Receiver<Vec<u8>>) {
    stub(move |stream| {
        thread::sleep(silence);
        drop(stream);
    })
}

/// A loopback port with nothing listening on it.
pub(crate) fn closed_port() -> SocketAddr {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap();
    drop(listener);
    addr
}

/// A stub that accepts every connection at once (each on its own thread), counts them, sends
/// each request's bytes on the channel and then keeps the connection silent for `silence`.
/// Unlike [`stub_silent`], a second request is seen even while the first is held.
pub(crate) fn stub_silent_concurrent(
    silence: Duration,
) -> (
    SocketAddr,
    std::sync::Arc<std::sync::atomic::AtomicUsize>,
    mpsc::Receiver<Vec<u8>>,
) {
    use std::sync::atomic::{AtomicUsize, Ordering};
    use std::sync::Arc;
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap();
    let accepted = Arc::new(AtomicUsize::new(0));
    let (tx, rx) = mpsc::channel();
    let counter = Arc::clone(&accepted);
    thread::spawn(move || {
        for stream in listener.incoming() {
            let Ok(mut stream) = stream else { return };
            counter.fetch_add(1, Ordering::SeqCst);
            let tx = tx.clone();
            thread::spawn(move || {
                let request = read_request(&mut stream);
                let _ = tx.send(request);
                thread::sleep(silence);
                drop(stream);
            });
        }
    });
    (addr, accepted, rx)
}
