//! The cluster's event stream and detector lease: every replica appends its events (kinds,
//! counts and ids, never PHI) to one Redis stream, and the one replica holding the detector
//! lease reads the whole stream, so anomaly detection sees all traffic once and each incident is
//! raised once, whichever replica served the requests.
//!
//! - Stream `<prefix>events`, trimmed to about `max_len` entries (`XADD MAXLEN ~`); each entry
//!   is one published batch: field `r` holds the records' bytes (the bus spill's wire form,
//!   compact JSON), each followed by `\n`.
//! - Lease `<prefix>detector`: `SET NX PX`, renewed by its holder with a check-and-extend
//!   script, given up at shutdown. A holder that stops renewing loses it after the TTL and
//!   another replica takes over, reading from the moment it took over.

use super::{redis_error, RedisOptions};
use crate::Error;
use ::redis::Value;
use std::time::Duration;

/// Extend the lease if `ARGV[1]` holds it, or take it if free. Returns 1 when held after.
const LEAD_LUA: &str = r"
local cur = redis.call('GET', KEYS[1])
if cur == ARGV[1] then
  redis.call('PEXPIRE', KEYS[1], ARGV[2])
  return 1
end
if not cur then
  redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])
  return 1
end
return 0
";

/// Delete the lease only if `ARGV[1]` holds it.
const RESIGN_LUA: &str = r"
if redis.call('GET', KEYS[1]) == ARGV[1] then
  return redis.call('DEL', KEYS[1])
end
return 0
";

/// One replica's handle on the stream and the lease.
#[derive(Clone)]
pub struct EventStream {
    conn: ::redis::aio::ConnectionManager,
    client: ::redis::Client,
    stream_key: String,
    lease_key: String,
    replica: String,
    max_len: usize,
    timeout: Duration,
}

impl std::fmt::Debug for EventStream {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("EventStream")
            .field("stream_key", &self.stream_key)
            .field("replica", &self.replica)
            .finish()
    }
}

/// Entries read from the stream: `(id, bytes)`.
pub type Entries = Vec<(String, Vec<u8>)>;

impl EventStream {
    /// Connect for replica `replica` (bounded by `max(timeout, 2 s)`).
    pub async fn connect(
        opts: &RedisOptions,
        replica: &str,
        max_len: usize,
    ) -> Result<Self, Error> {
        let client = ::redis::Client::open(opts.url.as_str()).map_err(|e| redis_error(&e))?;
        let bound = opts.timeout.max(Duration::from_secs(2));
        let cfg = ::redis::aio::ConnectionManagerConfig::new()
            .set_connection_timeout(bound)
            .set_response_timeout(bound)
            .set_number_of_retries(2)
            .set_max_delay(500);
        let conn = match tokio::time::timeout(
            bound,
            ::redis::aio::ConnectionManager::new_with_config(client.clone(), cfg),
        )
        .await
        {
            Ok(Ok(c)) => c,
            Ok(Err(e)) => return Err(redis_error(&e)),
            Err(_) => return Err(Error::Timeout("connecting to redis")),
        };
        Ok(EventStream {
            conn,
            client,
            stream_key: format!("{}events", opts.key_prefix),
            lease_key: format!("{}detector", opts.key_prefix),
            replica: replica.to_string(),
            max_len: max_len.max(100),
            timeout: bound,
        })
    }

    /// Append a batch of records as one stream entry (one round trip, one entry for Redis to
    /// store, whatever the batch size). Records must not contain a newline (compact JSON does
    /// not): readers split the entry on `\n`.
    pub async fn publish(&self, records: &[Vec<u8>]) -> Result<(), Error> {
        if records.is_empty() {
            return Ok(());
        }
        let mut body = Vec::with_capacity(records.iter().map(|r| r.len() + 1).sum());
        for r in records {
            body.extend_from_slice(r);
            body.push(b'\n');
        }
        let mut cmd = ::redis::cmd("XADD");
        cmd.arg(&self.stream_key)
            .arg("MAXLEN")
            .arg("~")
            .arg(self.max_len)
            .arg("*")
            .arg("r")
            .arg(body);
        let mut c = self.conn.clone();
        match tokio::time::timeout(self.timeout, cmd.query_async::<Value>(&mut c)).await {
            Ok(r) => r.map(|_| ()).map_err(|e| redis_error(&e)),
            Err(_) => Err(Error::Timeout("publishing events to redis")),
        }
    }

    /// Take or renew the detector lease for `ttl`. True while this replica holds it.
    pub async fn lead(&self, ttl: Duration) -> Result<bool, Error> {
        let ms = u64::try_from(ttl.as_millis()).unwrap_or(u64::MAX).max(1);
        let mut c = self.conn.clone();
        let script = ::redis::Script::new(LEAD_LUA);
        let mut inv = script.key(&self.lease_key);
        inv.arg(&self.replica).arg(ms);
        match tokio::time::timeout(self.timeout, inv.invoke_async::<i64>(&mut c)).await {
            Ok(r) => r.map(|v| v == 1).map_err(|e| redis_error(&e)),
            Err(_) => Err(Error::Timeout("renewing the detector lease")),
        }
    }

    /// Give the lease up if held (shutdown), so another replica takes over at once.
    pub async fn resign(&self) -> Result<(), Error> {
        let mut c = self.conn.clone();
        let script = ::redis::Script::new(RESIGN_LUA);
        let mut inv = script.key(&self.lease_key);
        inv.arg(&self.replica);
        match tokio::time::timeout(self.timeout, inv.invoke_async::<i64>(&mut c)).await {
            Ok(r) => r.map(|_| ()).map_err(|e| redis_error(&e)),
            Err(_) => Err(Error::Timeout("giving up the detector lease")),
        }
    }

    /// The id of the newest entry, or `0-0` for an empty stream: where a new holder of the
    /// lease starts reading.
    pub async fn last_id(&self) -> Result<String, Error> {
        let mut c = self.conn.clone();
        let mut cmd = ::redis::cmd("XREVRANGE");
        cmd.arg(&self.stream_key).arg("+").arg("-").arg("COUNT").arg(1);
        let v = match tokio::time::timeout(self.timeout, cmd.query_async::<Value>(&mut c)).await {
            Ok(r) => r.map_err(|e| redis_error(&e))?,
            Err(_) => return Err(Error::Timeout("reading the event stream")),
        };
        Ok(parse_entries(&v).into_iter().next().map_or_else(|| "0-0".to_string(), |(id, _)| id))
    }

    /// A dedicated connection for blocking reads (a blocked multiplexed connection would stall
    /// the publishes and lease renewals sharing it).
    pub async fn reader(&self) -> Result<StreamReader, Error> {
        let c = tokio::time::timeout(self.timeout, self.client.get_multiplexed_async_connection())
            .await
            .map_err(|_| Error::Timeout("connecting to redis"))?
            .map_err(|e| redis_error(&e))?;
        Ok(StreamReader { conn: c, stream_key: self.stream_key.clone() })
    }
}

/// Blocking reads of the stream on their own connection.
pub struct StreamReader {
    conn: ::redis::aio::MultiplexedConnection,
    stream_key: String,
}

impl std::fmt::Debug for StreamReader {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("StreamReader").field("stream_key", &self.stream_key).finish()
    }
}

impl StreamReader {
    /// Entries after `after`, waiting up to `block` for the first; at most `count`.
    pub async fn read(
        &mut self,
        after: &str,
        block: Duration,
        count: usize,
    ) -> Result<Entries, Error> {
        let ms = u64::try_from(block.as_millis()).unwrap_or(u64::MAX);
        let mut cmd = ::redis::cmd("XREAD");
        cmd.arg("COUNT")
            .arg(count.max(1))
            .arg("BLOCK")
            .arg(ms)
            .arg("STREAMS")
            .arg(&self.stream_key)
            .arg(after);
        let q = cmd.query_async::<Value>(&mut self.conn);
        let v = match tokio::time::timeout(block + Duration::from_secs(2), q).await {
            Ok(r) => r.map_err(|e| redis_error(&e))?,
            Err(_) => return Err(Error::Timeout("reading the event stream")),
        };
        // XREAD answers [[stream, [entries...]]] (RESP2) or a map (RESP3), or nil on timeout.
        let entries = match &v {
            Value::Array(streams) => streams
                .iter()
                .filter_map(|s| match s {
                    Value::Array(pair) => pair.get(1),
                    _ => None,
                })
                .flat_map(parse_entries)
                .collect(),
            Value::Map(m) => m.iter().flat_map(|(_, e)| parse_entries(e)).collect(),
            _ => Vec::new(),
        };
        Ok(entries)
    }
}

/// `[[id, [field, value, ...]], ...]` to `(id, value of field r)`; malformed entries are skipped.
fn parse_entries(v: &Value) -> Entries {
    let Value::Array(items) = v else { return Vec::new() };
    items
        .iter()
        .filter_map(|e| {
            let Value::Array(parts) = e else { return None };
            let id = match parts.first()? {
                Value::BulkString(b) => String::from_utf8(b.clone()).ok()?,
                Value::SimpleString(s) => s.clone(),
                _ => return None,
            };
            let Value::Array(fields) = parts.get(1)? else { return None };
            let mut it = fields.iter();
            while let (Some(k), Some(val)) = (it.next(), it.next()) {
                if matches!(k, Value::BulkString(b) if b == b"r") {
                    if let Value::BulkString(b) = val {
                        return Some((id, b.clone()));
                    }
                }
            }
            None
        })
        .collect()
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]
    use super::*;
    use crate::testing;

    async fn stream(prefix: &str, replica: &str) -> EventStream {
        let mut o = RedisOptions::new(testing::redis_url());
        o.key_prefix = prefix.to_string();
        EventStream::connect(&o, replica, 1000).await.unwrap()
    }

    #[test]
    fn publish_read_and_one_lease_holder() {
        if testing::require("redis", testing::redis_answers()).is_none() {
            return;
        }
        let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
        rt.block_on(async {
            let prefix = format!("phiwall-test:{}:", testing::unique_suffix());
            let a = stream(&prefix, "r1").await;
            let b = stream(&prefix, "r2").await;
            assert_eq!(a.last_id().await.unwrap(), "0-0");
            a.publish(&[b"one".to_vec(), b"two".to_vec()]).await.unwrap();
            b.publish(&[b"three".to_vec()]).await.unwrap();
            let mut r = b.reader().await.unwrap();
            let got = r.read("0-0", Duration::from_millis(10), 10).await.unwrap();
            let bodies: Vec<&[u8]> = got.iter().map(|(_, v)| v.as_slice()).collect();
            assert_eq!(bodies, [&b"one\ntwo\n"[..], b"three\n"], "one entry per batch");
            let last = a.last_id().await.unwrap();
            assert_eq!(last, got[1].0);
            assert!(r.read(&last, Duration::from_millis(10), 10).await.unwrap().is_empty());

            // One holder at a time; renewal keeps it; resigning hands it over.
            let ttl = Duration::from_secs(5);
            assert!(a.lead(ttl).await.unwrap());
            assert!(!b.lead(ttl).await.unwrap());
            assert!(a.lead(ttl).await.unwrap(), "renewed");
            b.resign().await.unwrap();
            assert!(!b.lead(ttl).await.unwrap(), "a non-holder cannot resign for the holder");
            a.resign().await.unwrap();
            assert!(b.lead(ttl).await.unwrap());
            // Expiry hands it over too.
            assert!(b.lead(Duration::from_millis(50)).await.unwrap());
            tokio::time::sleep(Duration::from_millis(120)).await;
            assert!(a.lead(ttl).await.unwrap());

            let mut c = a.conn.clone();
            let _: () = ::redis::cmd("DEL")
                .arg(&a.stream_key)
                .arg(&a.lease_key)
                .query_async(&mut c)
                .await
                .unwrap();
        });
    }
}
