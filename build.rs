//! Links libjpeg-turbo's TurboJPEG library statically, so decoding a 12-megapixel phone photo
//! at half scale takes tens of milliseconds and the binaries need no extra shared library.
//!
//! The static library comes from Debian's and Ubuntu's `libturbojpeg0-dev` (scripts/setup.sh
//! installs it). `TURBOJPEG_LIB_DIR` points elsewhere when it lives somewhere unusual.

use std::path::{Path, PathBuf};
use std::process::Command;

fn main() {
    println!("cargo:rerun-if-env-changed=TURBOJPEG_LIB_DIR");
    let mut dirs: Vec<PathBuf> = Vec::new();
    if let Some(d) = std::env::var_os("TURBOJPEG_LIB_DIR") {
        dirs.push(d.into());
    }
    if let Ok(out) = Command::new("pkg-config").args(["--variable=libdir", "libturbojpeg"]).output() {
        let d = String::from_utf8_lossy(&out.stdout).trim().to_string();
        if out.status.success() && !d.is_empty() {
            dirs.push(d.into());
        }
    }
    let arch = std::env::var("CARGO_CFG_TARGET_ARCH").unwrap_or_default();
    dirs.push(format!("/usr/lib/{arch}-linux-gnu").into());
    dirs.extend(["/usr/lib64", "/usr/lib", "/usr/local/lib", "/opt/homebrew/lib"].map(PathBuf::from));
    let Some(dir) = dirs.iter().find(|d| Path::new(d).join("libturbojpeg.a").is_file()) else {
        panic!(
            "libturbojpeg.a not found (looked in {dirs:?}).\n\
             Install libjpeg-turbo's TurboJPEG development files: `apt-get install libturbojpeg0-dev` \
             on Debian or Ubuntu (scripts/setup.sh does it), or set TURBOJPEG_LIB_DIR to the folder \
             that holds libturbojpeg.a."
        );
    };
    // A band decoder over libjpeg's own API (libturbojpeg.a carries it, the headers come from
    // libjpeg-turbo's libjpeg62-turbo-dev, which libturbojpeg0-dev pulls in).
    println!("cargo:rerun-if-changed=src/image_prep/rows.c");
    cc::Build::new().file("src/image_prep/rows.c").opt_level(2).warnings(true).compile("idcheck_jpeg_rows");
    println!("cargo:rustc-link-search=native={}", dir.display());
    println!("cargo:rustc-link-lib=static=turbojpeg");
}
