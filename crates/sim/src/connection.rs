//! Accepting connections: each is served by hyper's HTTP/1 with a header-read timeout, so idle
//! keep-alive sockets and slow-header senders (slowloris) are closed instead of held forever.
//!
//! `axum::serve` sets no timer, which leaves hyper's header timeout off; hence this small loop.

use hyper::server::conn::http1;
use hyper_util::rt::{TokioIo, TokioTimer};
use hyper_util::service::TowerToHyperService;
use std::time::Duration;
use tokio::net::TcpListener;

/// Serves `router` on `listener` until the task is dropped.
pub async fn serve(listener: TcpListener, router: axum::Router, idle: Duration) {
    loop {
        let stream = match listener.accept().await {
            Ok((stream, _)) => stream,
            // Out of file descriptors and the like: wait instead of spinning.
            Err(_) => {
                tokio::time::sleep(Duration::from_millis(50)).await;
                continue;
            }
        };
        let _ = stream.set_nodelay(true);
        let service = TowerToHyperService::new(router.clone());
        tokio::spawn(async move {
            let _ = http1::Builder::new()
                .timer(TokioTimer::new())
                .header_read_timeout(idle)
                .serve_connection(TokioIo::new(stream), service)
                .await;
        });
    }
}
