//! 演示模式: every provider points at the built-in fakes (`idcheck-fake`), started in-process
//! on loopback, with the fakes' own keys. The desk records their answers apart from real ones.

use idcheck_fake::{FakeConfig, FakeServices, Vendor};

pub struct Demo {
    fakes: FakeServices,
}

impl Demo {
    /// Starts the fakes on a runtime of their own, from a plain thread (so that this may be
    /// called from async code too).
    pub fn start() -> std::io::Result<Demo> {
        let fakes = std::thread::spawn(|| FakeServices::start_background(FakeConfig::default()))
            .join()
            .map_err(|_| std::io::Error::other("the demo services' thread panicked"))??;
        Ok(Demo { fakes })
    }

    /// The fakes' addresses and keys, for the desk.
    pub fn endpoints(&self) -> idcheck::desk::Demo {
        idcheck::desk::Demo::new()
            .service("apizero", &self.fakes.base_url(Vendor::Apizero))
            .service("nowapi", &self.fakes.base_url(Vendor::Nowapi))
            .service("muzhiyun", &self.fakes.base_url(Vendor::Muzhiyun))
            .key("apizero", "key", idcheck_fake::APIZERO_KEY)
            .key("nowapi", "appkey", idcheck_fake::NOWAPI_APPKEY)
            .key("nowapi", "sign", idcheck_fake::NOWAPI_SIGN)
            .key("muzhiyun", "appcode", idcheck_fake::MUZHIYUN_APPCODE)
    }
}

/// Whether the command line or the environment asks for demo mode.
pub fn requested() -> bool {
    std::env::args().any(|a| a == "--demo") || std::env::var("IDCHECK_DEMO").is_ok_and(|v| !v.is_empty() && v != "0" && v != "false")
}
