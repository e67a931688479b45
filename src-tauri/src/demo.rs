//! 演示模式: every provider points at the built-in fakes (`idcheck-fake`), started in-process
//! on loopback, with the fakes' own keys. No real key is read or sent in demo mode.

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

    pub fn url(&self, provider: &str) -> Option<String> {
        let v = match provider {
            "apizero" => Vendor::Apizero,
            "nowapi" => Vendor::Nowapi,
            "muzhiyun" => Vendor::Muzhiyun,
            _ => return None,
        };
        Some(self.fakes.base_url(v))
    }

    pub fn key(&self, provider: &str, field: &str) -> Option<&'static str> {
        Some(match (provider, field) {
            ("apizero", "key") => idcheck_fake::APIZERO_KEY,
            ("nowapi", "appkey") => idcheck_fake::NOWAPI_APPKEY,
            ("nowapi", "sign") => idcheck_fake::NOWAPI_SIGN,
            ("muzhiyun", "appcode") => idcheck_fake::MUZHIYUN_APPCODE,
            _ => return None,
        })
    }
}

/// Whether the command line or the environment asks for demo mode.
pub fn requested() -> bool {
    std::env::args().any(|a| a == "--demo") || std::env::var("IDCHECK_DEMO").is_ok_and(|v| !v.is_empty() && v != "0" && v != "false")
}
