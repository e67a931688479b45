//! Fuzzes the number parser: any bytes through `id::check` must keep its invariants.
//! The body lives in `idcheck::id::fuzzing` so ordinary tests run it too.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    idcheck::id::fuzzing::parse_one(data);
});
