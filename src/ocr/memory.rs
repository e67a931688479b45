//! Keeps a process that reads photos from holding their memory afterwards.
//!
//! A read allocates tens of megabytes of tensors. glibc's adaptive mmap threshold would soon
//! serve such blocks from per-thread arenas that keep the memory after it is freed (+55 MB held
//! for good after the first photo in the desktop app, measured). A fixed threshold keeps large
//! blocks in their own mappings, returned to the system when freed; a trim after a read returns
//! what is left of the small ones.

/// Call once at start, before any other thread exists.
pub fn tune_allocator() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    // SAFETY: mallopt only changes allocator parameters; it runs before any other thread.
    unsafe {
        libc::mallopt(libc::M_MMAP_THRESHOLD, 256 * 1024);
    }
}

/// Returns free heap pages (a read's small scratch blocks) to the system.
pub fn release_scratch() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    // SAFETY: malloc_trim only returns free heap pages to the system.
    unsafe {
        libc::malloc_trim(0);
    }
}
