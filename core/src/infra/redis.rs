//! The bus's Redis connection: one multiplexed, self-reconnecting connection per instance,
//! every call bounded by a short timeout so a slow or dead Redis never holds a request.

use std::time::Duration;

use redis::aio::{ConnectionManager, ConnectionManagerConfig};

use crate::config::RedisConfig;

/// A shared Redis connection with a per-call timeout and the deployment's key prefix.
#[derive(Clone)]
pub(crate) struct Redis {
    connection: ConnectionManager,
    timeout: Duration,
    prefix: String,
}

/// A Redis call that failed or took too long.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("redis: {0}")]
pub(crate) struct RedisError(pub(crate) String);

impl Redis {
    /// Prepares the connection; it is made on first use and remade after failures, so
    /// the bus starts even while Redis is down.
    pub(crate) fn new(config: &RedisConfig, url: &str) -> Result<Self, String> {
        let client = client(url)?;
        let manager_config = ConnectionManagerConfig::new()
            .set_connection_timeout(Some(config.timeout.max(Duration::from_millis(200))))
            .set_response_timeout(Some(config.timeout))
            .set_number_of_retries(1);
        let connection = ConnectionManager::new_lazy_with_config(client, manager_config)
            .map_err(|e| format!("redis: {e}"))?;
        Ok(Self {
            connection,
            timeout: config.timeout,
            prefix: config.key_prefix.clone(),
        })
    }

    /// `prefix:part:part…`.
    pub(crate) fn key(&self, parts: &[&str]) -> String {
        let mut key = self.prefix.clone();
        for part in parts {
            key.push(':');
            key.push_str(part);
        }
        key
    }

    /// Runs `script` with `keys` and `args`, within the timeout.
    pub(crate) async fn script<T: redis::FromRedisValue>(
        &self,
        script: &redis::Script,
        keys: &[&str],
        args: &[impl redis::ToRedisArgs],
    ) -> Result<T, RedisError> {
        let mut invocation = script.prepare_invoke();
        for key in keys {
            invocation.key(*key);
        }
        for arg in args {
            invocation.arg(arg);
        }
        let mut connection = self.connection.clone();
        self.bounded(async move { invocation.invoke_async(&mut connection).await })
            .await
    }

    /// Runs one command within the timeout.
    pub(crate) async fn command<T: redis::FromRedisValue>(
        &self,
        command: redis::Cmd,
    ) -> Result<T, RedisError> {
        let mut connection = self.connection.clone();
        self.bounded(async move { command.query_async(&mut connection).await })
            .await
    }

    async fn bounded<T>(
        &self,
        call: impl Future<Output = redis::RedisResult<T>>,
    ) -> Result<T, RedisError> {
        match tokio::time::timeout(self.timeout, call).await {
            Ok(Ok(value)) => Ok(value),
            Ok(Err(e)) => Err(RedisError(e.to_string())),
            Err(_) => Err(RedisError(format!(
                "no answer within {} ms",
                self.timeout.as_millis()
            ))),
        }
    }
}

/// The client of `url`; nothing is connected to yet.
pub(crate) fn client(url: &str) -> Result<redis::Client, String> {
    redis::Client::open(url).map_err(|e| format!("redis.url: {e}"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use tokio::io::AsyncReadExt;

    #[tokio::test]
    async fn rediss_urls_connect_with_tls() {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let port = listener.local_addr().unwrap().port();
        let first_bytes = tokio::spawn(async move {
            let (mut stream, _) = listener.accept().await.unwrap();
            let mut start = [0u8; 3];
            stream.read_exact(&mut start).await.unwrap();
            start
        });
        let config = RedisConfig {
            timeout: Duration::from_millis(500),
            ..RedisConfig::default()
        };
        let redis = Redis::new(&config, &format!("rediss://localhost:{port}/0"))
            .unwrap_or_else(|e| panic!("rediss:// refused: {e}"));
        // No TLS server answers, so the call fails; what matters is what was sent.
        let failed = redis.command::<String>(redis::cmd("PING")).await;
        assert!(failed.is_err());
        // A TLS handshake record (0x16), TLS 1.x (0x03 ..).
        assert_eq!(&first_bytes.await.unwrap()[..2], &[0x16, 0x03]);
    }
}
