//! The team sender's throughput: rows pushed per second from a desk's outbox to a PostgreSQL
//! server on loopback (a throw-away cluster of Debian's server, `idcheck_fake::postgres`).
//!
//! Run: `cargo bench --bench team_push -- [ROWS]` (default 100,000). Records ROWS two-factor
//! checks in a fresh local trail with a team key, then times `team::sync` (read the outbox,
//! chain, insert in batches, mark pushed) and a second sync with nothing left; then `verify`.

use idcheck::audit::{Record, StaticKey, Store};
use idcheck::providers::Verdict;
use idcheck::secret::Sensitive;
use idcheck::team::{self, TeamConfig};
use idcheck_fake::postgres::Cluster;
use std::sync::Arc;
use std::time::Instant;

fn main() {
    let rows: usize = std::env::args().skip(1).find(|a| !a.starts_with("--")).and_then(|s| s.parse().ok()).unwrap_or(100_000);
    let Some(pg) = Cluster::start_durable().expect("PostgreSQL starts") else {
        eprintln!("team_push: PostgreSQL is not installed (scripts/setup.sh installs it)");
        return;
    };
    let rt = tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build().unwrap();
    let admin = TeamConfig::parse(&pg.admin_url("postgres")).unwrap();
    rt.block_on(async {
        let mut client = team::connect(&admin).await.unwrap();
        team::schema::migrate(&mut client).await.unwrap();
    });
    pg.psql("postgres", "CREATE ROLE bench_desk LOGIN PASSWORD 'bench' IN ROLE idcheck_clerk, idcheck_reviewer").unwrap();
    let desk = TeamConfig::parse(&pg.url("bench_desk", "bench", "postgres")).unwrap();

    let dir = tempfile::tempdir().unwrap();
    let store = Arc::new(Store::open(dir.path(), &StaticKey::new(vec![3u8; 32])).unwrap());
    let key = Sensitive::new(vec![9u8; 32]);
    store.set_team_key(Some(key.clone()));
    let t = Instant::now();
    let records: Vec<Record> = (0..rows)
        .map(|i| Record::two_factor("apizero", "欧阳娜娜", &format!("1101051949{:08}", i), &Ok(Verdict::Match)).consent(true).operator(Some("王芳")))
        .collect();
    for part in records.chunks(65_536) {
        store.record_many(part).unwrap();
    }
    let recorded = t.elapsed();

    let t = Instant::now();
    let r = rt.block_on(team::sync(store.clone(), &desk, &key)).unwrap();
    let pushed = t.elapsed();
    assert_eq!((r.pushed as usize, r.left), (rows, 0));
    let t = Instant::now();
    let again = rt.block_on(team::sync(store.clone(), &desk, &key)).unwrap();
    let idle = t.elapsed();
    assert_eq!(again.pushed, 0);
    let t = Instant::now();
    let v = rt.block_on(team::verify(&desk, &key)).unwrap();
    let verified = t.elapsed();
    assert!(v.ok() && v.rows() == rows as u64);

    println!("rows                 {rows}");
    println!("record locally       {:.2} s", recorded.as_secs_f64());
    println!("push                 {:.2} s  ({:.0} rows/s)", pushed.as_secs_f64(), rows as f64 / pushed.as_secs_f64());
    println!("push, nothing left   {:.3} s", idle.as_secs_f64());
    println!("verify               {:.2} s  ({:.0} rows/s)", verified.as_secs_f64(), rows as f64 / verified.as_secs_f64());
}
