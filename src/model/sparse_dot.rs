//! One sparse row times a dense weight matrix: the linear part of a head.

use crate::prefetch::prefetch;

/// Adds `sum_i vals[i] * weights[cols[i], ..]` to `out`.
///
/// `weights` is row-major, features x classes, with `out.len()` classes; a
/// column past the end of `weights` adds nothing. Each class's sum is formed
/// in feature order, as a plain loop would, so the result is bit-identical to
/// one.
// Note: with up to 24 classes (the common case), all class scores stay in
// registers for the whole row and the row stride is a constant; with more, the
// classes are taken in blocks of 8, 4, 2 and 1. Looping over classes inside
// the loop over features instead stored and reloaded every class score per
// feature and paid a loop set-up per feature: about 128 instructions per
// feature for 20 classes, against about 40 now (callgrind).
pub fn add_row_times_weights(weights: &[f64], cols: &[u32], vals: &[f64], out: &mut [f64]) {
    add_row_times_strided_weights(weights, out.len(), cols, vals, out);
}

/// [`add_row_times_weights`] for rows `stride` apart (at least `out.len()`;
/// the values between a row's classes and the next row are not read).
pub fn add_row_times_strided_weights(
    weights: &[f64],
    stride: usize,
    cols: &[u32],
    vals: &[f64],
    out: &mut [f64],
) {
    #[cfg(target_arch = "x86_64")]
    if std::is_x86_feature_detected!("avx2") {
        // SAFETY: the CPU supports AVX2, checked just above.
        return unsafe { add_row_avx2(weights, stride, cols, vals, out) };
    }
    add_row(weights, stride, cols, vals, out);
}

/// [`add_row`] compiled for AVX2: four lanes per instruction instead of two,
/// the same operations in each lane (no FMA), so the same results bit for bit.
#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2")]
fn add_row_avx2(weights: &[f64], stride: usize, cols: &[u32], vals: &[f64], out: &mut [f64]) {
    add_row(weights, stride, cols, vals, out);
}

/// [`add_row_times_strided_weights`], for any target.
#[inline(always)]
fn add_row(weights: &[f64], stride: usize, cols: &[u32], vals: &[f64], out: &mut [f64]) {
    macro_rules! all_in_registers {
        ($($k:literal)*) => {
            match out.len() {
                $($k => add_block::<$k>(weights, stride, 0, cols, vals, out),)*
                _ => add_in_blocks(weights, stride, cols, vals, out),
            }
        };
    }
    all_in_registers!(1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17 18 19 20 21 22 23 24);
}

/// [`add_row_times_strided_weights`] for any number of classes, in blocks of 8, 4, 2 and 1.
fn add_in_blocks(weights: &[f64], stride: usize, cols: &[u32], vals: &[f64], out: &mut [f64]) {
    let k = stride;
    let mut offset = 0;
    let mut rest = out;
    while !rest.is_empty() {
        let block = match rest.len() {
            8.. => 8,
            4..=7 => 4,
            2..=3 => 2,
            _ => 1,
        };
        let (head, tail) = rest.split_at_mut(block);
        match block {
            8 => add_block::<8>(weights, k, offset, cols, vals, head),
            4 => add_block::<4>(weights, k, offset, cols, vals, head),
            2 => add_block::<2>(weights, k, offset, cols, vals, head),
            _ => add_block::<1>(weights, k, offset, cols, vals, head),
        }
        offset += block;
        rest = tail;
    }
}

/// Starts loading the rows of `cols` into the cache (rows `k` values long,
/// `k` apart), so that a later [`add_row_times_strided_weights`] finds them there.
pub fn prefetch_rows(weights: &[f64], k: usize, cols: &[u32]) {
    for &j in cols {
        let at = j as usize * k;
        if let Some(row) = weights.get(at..at + k) {
            // Note: one element per 64-byte line, and the last one, touch every
            // line the row spans wherever it starts.
            row.iter().step_by(8).for_each(prefetch);
            if let Some(last) = row.last() {
                prefetch(last);
            }
        }
    }
}

/// Classes `offset..offset + B` of [`add_row_times_weights`] (rows `k` apart).
#[inline(always)]
fn add_block<const B: usize>(
    weights: &[f64],
    k: usize,
    offset: usize,
    cols: &[u32],
    vals: &[f64],
    out: &mut [f64],
) {
    let Ok(out) = <&mut [f64; B]>::try_from(out) else {
        return;
    };
    let mut acc = *out;
    for (&j, &v) in cols.iter().zip(vals) {
        let at = j as usize * k + offset;
        let Some(Ok(w)) = weights.get(at..at + B).map(<&[f64; B]>::try_from) else {
            continue;
        };
        for (a, &w) in acc.iter_mut().zip(w) {
            *a += v * w;
        }
    }
    *out = acc;
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// The plain loop the blocked one must equal bit for bit.
    fn plain(weights: &[f64], cols: &[u32], vals: &[f64], out: &mut [f64]) {
        let k = out.len();
        for (&j, &v) in cols.iter().zip(vals) {
            let j = j as usize;
            if let Some(wj) = weights.get(j * k..(j + 1) * k) {
                for (o, &w) in out.iter_mut().zip(wj) {
                    *o += v * w;
                }
            }
        }
    }

    proptest! {
        #[test]
        fn equals_the_plain_loop_bit_for_bit(
            k in 1usize..40,
            n_features in 1usize..30,
            seed_weights in proptest::collection::vec(-3.0f64..3.0, 30 * 40),
            row in proptest::collection::vec((0u32..34, -2.0f64..2.0), 0..20),
            start in proptest::collection::vec(-1.0f64..1.0, 40),
        ) {
            let weights = &seed_weights[..n_features * k];
            let (cols, vals): (Vec<u32>, Vec<f64>) = row.into_iter().unzip();
            let mut fast = start[..k].to_vec();
            let mut portable = fast.clone();
            let mut slow = fast.clone();
            // Note: the first takes the AVX2 path on CPUs that have it.
            add_row_times_weights(weights, &cols, &vals, &mut fast);
            add_row(weights, k, &cols, &vals, &mut portable);
            plain(weights, &cols, &vals, &mut slow);
            let bits = |v: &[f64]| v.iter().map(|x| x.to_bits()).collect::<Vec<_>>();
            prop_assert_eq!(bits(&fast), bits(&slow));
            prop_assert_eq!(bits(&portable), bits(&slow));
        }
    }

    #[test]
    fn prefetching_any_rows_is_harmless() {
        let weights = [1.0; 40];
        prefetch_rows(&weights, 20, &[0, 1, 2, u32::MAX]);
        prefetch_rows(&[], 3, &[5]);
        prefetch_rows(&weights, 0, &[1]);
        let mut out = [0.0; 20];
        add_row_times_weights(&weights, &[1], &[2.0], &mut out);
        assert_eq!(out, [2.0; 20]);
    }

    #[test]
    fn columns_past_the_weights_add_nothing() {
        let weights = [1.0, 2.0, 3.0, 4.0, 5.0, 6.0];
        let mut out = [0.5, 0.5, 0.5];
        add_row_times_weights(&weights, &[1, 2, 0], &[2.0, 9.0, 1.0], &mut out);
        assert_eq!(out, [0.5 + 8.0 + 1.0, 0.5 + 10.0 + 2.0, 0.5 + 12.0 + 3.0]);
    }
}
