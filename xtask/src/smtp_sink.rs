//! A minimal SMTP server for the browser tests' SMTP run: it accepts every message on a
//! loopback port and counts them, so the portal's real SMTP delivery is exercised.

use std::io::{BufRead, BufReader, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

/// A running sink; messages received so far in `received`.
pub struct SmtpSink {
    pub port: u16,
    pub received: Arc<AtomicUsize>,
}

impl SmtpSink {
    pub fn start() -> std::io::Result<Self> {
        let listener = TcpListener::bind("127.0.0.1:0")?;
        let port = listener.local_addr()?.port();
        let received = Arc::new(AtomicUsize::new(0));
        let count = received.clone();
        std::thread::spawn(move || {
            for stream in listener.incoming().flatten() {
                let count = count.clone();
                std::thread::spawn(move || {
                    let _ = session(stream, &count);
                });
            }
        });
        Ok(Self { port, received })
    }

    pub fn count(&self) -> usize {
        self.received.load(Ordering::SeqCst)
    }
}

fn session(stream: TcpStream, count: &AtomicUsize) -> std::io::Result<()> {
    let mut out = stream.try_clone()?;
    let mut lines = BufReader::new(stream).lines();
    out.write_all(b"220 xtask-sink ESMTP\r\n")?;
    while let Some(line) = lines.next().transpose()? {
        let upper = line.to_ascii_uppercase();
        let reply: &[u8] = if upper.starts_with("EHLO") || upper.starts_with("HELO") {
            b"250-xtask-sink\r\n250 8BITMIME\r\n"
        } else if upper == "DATA" {
            out.write_all(b"354 go ahead\r\n")?;
            for l in lines.by_ref() {
                if l? == "." {
                    break;
                }
            }
            count.fetch_add(1, Ordering::SeqCst);
            b"250 queued\r\n"
        } else if upper == "QUIT" {
            out.write_all(b"221 bye\r\n")?;
            return Ok(());
        } else if upper.starts_with("MAIL") || upper.starts_with("RCPT") || upper == "RSET" || upper == "NOOP"
        {
            b"250 OK\r\n"
        } else {
            b"502 not implemented\r\n"
        };
        out.write_all(reply)?;
    }
    Ok(())
}
