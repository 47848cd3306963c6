//! A cache prefetch hint.

/// Asks the CPU to start loading the cache line that holds `value` into its
/// caches, without waiting for it; a no-op where there is no such hint.
#[inline(always)]
pub fn prefetch<T>(value: &T) {
    #[cfg(target_arch = "x86_64")]
    // SAFETY: PREFETCHT0 (SSE, part of the x86-64 baseline) is only a hint: it
    // changes no memory or register the program can observe and never faults,
    // and the address comes from a live reference anyway.
    unsafe {
        use std::arch::x86_64::{_mm_prefetch, _MM_HINT_T0};
        _mm_prefetch::<_MM_HINT_T0>((value as *const T).cast());
    }
    #[cfg(not(target_arch = "x86_64"))]
    let _ = value;
}
