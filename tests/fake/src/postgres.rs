//! A throw-away PostgreSQL server for tests and benchmarks: Debian's own `initdb` and `pg_ctl`
//! in a temporary directory, listening on a free loopback port, removed when dropped.
//!
//! The team trail is tested against a real server, not an imitation of one. `scripts/setup.sh`
//! installs Debian's `postgresql` package; this module only finds its binaries
//! (`IDCHECK_PG_BIN`, else the newest `/usr/lib/postgresql/*/bin`). PostgreSQL refuses to run
//! as root, so when the tests run as root the server runs as the `postgres` user the package
//! created, through `runuser`.

use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

/// The superuser's password of every throw-away cluster (loopback only, gone with the cluster).
pub const SUPERUSER_PASSWORD: &str = "throwaway-superuser";

/// A running throw-away cluster.
pub struct Cluster {
    bin: PathBuf,
    root: PathBuf,
    data: PathBuf,
    port: u16,
    run_as: Option<&'static str>,
    /// fsync and synchronous commit as a production server has them (benchmarks); tests
    /// turn them off.
    durable: bool,
}

/// Where Debian's PostgreSQL binaries are, if installed.
pub fn binaries() -> Option<PathBuf> {
    if let Some(dir) = std::env::var_os("IDCHECK_PG_BIN") {
        let dir = PathBuf::from(dir);
        return dir.join("initdb").exists().then_some(dir);
    }
    let mut versions: Vec<(u32, PathBuf)> = std::fs::read_dir("/usr/lib/postgresql")
        .ok()?
        .flatten()
        .filter_map(|e| Some((e.file_name().to_str()?.parse::<u32>().ok()?, e.path().join("bin"))))
        .filter(|(_, bin)| bin.join("initdb").exists() && bin.join("pg_ctl").exists())
        .collect();
    versions.sort();
    versions.pop().map(|(_, bin)| bin)
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0").and_then(|l| l.local_addr()).map(|a| a.port()).expect("a free loopback port")
}

impl Cluster {
    /// Creates and starts a cluster for tests (no fsync). `Ok(None)` when PostgreSQL is not
    /// installed.
    pub fn start() -> Result<Option<Cluster>, String> {
        Cluster::start_with(false)
    }

    /// [`Cluster::start`] with fsync and synchronous commit on, as a production server runs.
    pub fn start_durable() -> Result<Option<Cluster>, String> {
        Cluster::start_with(true)
    }

    fn start_with(durable: bool) -> Result<Option<Cluster>, String> {
        let Some(bin) = binaries() else { return Ok(None) };
        // `id -u` keeps this crate free of libc.
        let root_user = Command::new("id").arg("-u").output().map(|o| String::from_utf8_lossy(&o.stdout).trim() == "0").unwrap_or(false);
        let run_as = root_user.then_some("postgres");
        let root = std::env::temp_dir().join(format!("idcheck-pg-{}-{}", std::process::id(), free_port()));
        std::fs::create_dir_all(&root).map_err(|e| format!("cannot create {}: {e}", root.display()))?;
        let data = root.join("data");
        let pwfile = root.join("pw");
        std::fs::write(&pwfile, SUPERUSER_PASSWORD).map_err(|e| e.to_string())?;
        let c = Cluster { bin, root, data, port: free_port(), run_as, durable };
        if let Some(user) = run_as {
            let o = Command::new("chown").args(["-R", user, c.root.to_str().unwrap()]).output().map_err(|e| e.to_string())?;
            check(&o, "chown")?;
        }
        let o = c
            .command("initdb")
            .args(["-D", c.data.to_str().unwrap(), "-U", "postgres", "-E", "UTF8", "--no-locale", "--auth-local=trust", "--auth-host=scram-sha-256"])
            .arg(format!("--pwfile={}", pwfile.display()))
            .output()
            .map_err(|e| format!("initdb: {e}"))?;
        check(&o, "initdb")?;
        c.start_server()?;
        Ok(Some(c))
    }

    fn command(&self, tool: &str) -> Command {
        let exe = self.bin.join(tool);
        let mut cmd = match self.run_as {
            Some(user) => {
                let mut c = Command::new("runuser");
                c.args(["-u", user, "--"]).arg(exe);
                c
            }
            None => Command::new(exe),
        };
        cmd.stdin(Stdio::null());
        cmd
    }

    /// Starts the server (again, after [`Cluster::stop`]) and waits until it accepts connections.
    pub fn start_server(&self) -> Result<(), String> {
        let mut opts = format!("-c listen_addresses=127.0.0.1 -c port={} -c unix_socket_directories={}", self.port, self.root.display());
        if !self.durable {
            opts.push_str(" -c fsync=off -c synchronous_commit=off -c full_page_writes=off");
        }
        let o = self
            .command("pg_ctl")
            .args(["-D", self.data.to_str().unwrap(), "-l", self.root.join("log").to_str().unwrap(), "-w", "-t", "60", "-o", &opts, "start"])
            .stdout(Stdio::null())
            .output()
            .map_err(|e| format!("pg_ctl start: {e}"))?;
        check(&o, "pg_ctl start").map_err(|e| format!("{e}\n{}", std::fs::read_to_string(self.root.join("log")).unwrap_or_default()))
    }

    /// Stops the server at once (connections are cut, as when a network goes down).
    pub fn stop(&self) -> Result<(), String> {
        let o = self
            .command("pg_ctl")
            .args(["-D", self.data.to_str().unwrap(), "-m", "fast", "-w", "stop"])
            .stdout(Stdio::null())
            .output()
            .map_err(|e| format!("pg_ctl stop: {e}"))?;
        check(&o, "pg_ctl stop")
    }

    pub fn port(&self) -> u16 {
        self.port
    }

    /// `postgres://user:password@127.0.0.1:port/db`.
    pub fn url(&self, user: &str, password: &str, db: &str) -> String {
        format!("postgres://{user}:{password}@127.0.0.1:{}/{db}", self.port)
    }

    /// The superuser's URL for database `db`.
    pub fn admin_url(&self, db: &str) -> String {
        self.url("postgres", SUPERUSER_PASSWORD, db)
    }

    /// Runs SQL as the superuser through `psql` on the cluster's socket; returns its output
    /// (unaligned, tuples only). Fails on any SQL error.
    pub fn psql(&self, db: &str, sql: &str) -> Result<String, String> {
        let o = self
            .command("psql")
            .args([
                "-X",
                "-q",
                "-A",
                "-t",
                "-v",
                "ON_ERROR_STOP=1",
                "-h",
                self.root.to_str().unwrap(),
                "-p",
                &self.port.to_string(),
                "-U",
                "postgres",
                "-d",
                db,
                "-c",
                sql,
            ])
            .output()
            .map_err(|e| format!("psql: {e}"))?;
        check(&o, "psql")?;
        Ok(String::from_utf8_lossy(&o.stdout).into_owned())
    }

    /// Everything in database `db` as `pg_dump` writes it (plain SQL, data included).
    pub fn dump(&self, db: &str) -> Result<String, String> {
        let o = self
            .command("pg_dump")
            .args(["-h", self.root.to_str().unwrap(), "-p", &self.port.to_string(), "-U", "postgres", db])
            .output()
            .map_err(|e| format!("pg_dump: {e}"))?;
        check(&o, "pg_dump")?;
        Ok(String::from_utf8_lossy(&o.stdout).into_owned())
    }

    /// The cluster's directory (data, socket and log).
    pub fn dir(&self) -> &Path {
        &self.root
    }
}

fn check(o: &Output, what: &str) -> Result<(), String> {
    if o.status.success() {
        Ok(())
    } else {
        Err(format!("{what} failed ({}): {}{}", o.status, String::from_utf8_lossy(&o.stderr), String::from_utf8_lossy(&o.stdout)))
    }
}

impl Drop for Cluster {
    fn drop(&mut self) {
        let _ = self
            .command("pg_ctl")
            .args(["-D", self.data.to_str().unwrap(), "-m", "immediate", "-w", "stop"])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status();
        let _ = std::fs::remove_dir_all(&self.root);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The launcher the team tests stand on: start, answer SQL, stop, start again, dump.
    #[test]
    fn a_cluster_starts_answers_stops_and_starts_again() {
        let Some(c) = Cluster::start().unwrap() else {
            assert!(std::env::var("IDCHECK_REQUIRE_POSTGRES").as_deref() != Ok("1"), "PostgreSQL is not installed");
            return;
        };
        c.psql("postgres", "CREATE TABLE t (x int); INSERT INTO t VALUES (41)").unwrap();
        c.stop().unwrap();
        assert!(c.psql("postgres", "SELECT 1").is_err());
        c.start_server().unwrap();
        assert_eq!(c.psql("postgres", "SELECT x + 1 FROM t").unwrap().trim(), "42");
        assert!(c.dump("postgres").unwrap().contains("CREATE TABLE public.t"));
        let dir = c.dir().to_path_buf();
        drop(c);
        assert!(!dir.exists());
    }
}
