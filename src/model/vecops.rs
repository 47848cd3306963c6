//! Parallel, deterministic vector operations for the optimiser.
//!
//! Work is split into fixed-size chunks and partial sums are added in chunk order,
//! so results are bit-identical whatever the number of threads.

use rayon::prelude::*;

/// Elements per parallel task.
const CHUNK: usize = 1 << 16;

/// `a · b`.
pub fn dot(a: &[f64], b: &[f64]) -> f64 {
    debug_assert_eq!(a.len(), b.len());
    let parts: Vec<f64> = a
        .par_chunks(CHUNK)
        .zip(b.par_chunks(CHUNK))
        .map(|(x, y)| dot_serial(x, y))
        .collect();
    parts.iter().sum()
}

/// `a · b` on one thread, with eight independent sums so the compiler can vectorise.
// Note: a single running sum is bound by the latency of each addition (about 4x slower).
pub fn dot_serial(a: &[f64], b: &[f64]) -> f64 {
    let mut acc = [0.0f64; 8];
    let (ca, cb) = (a.chunks_exact(8), b.chunks_exact(8));
    let (ra, rb) = (ca.remainder(), cb.remainder());
    for (x, y) in ca.zip(cb) {
        for l in 0..8 {
            acc[l] += x[l] * y[l];
        }
    }
    let tail: f64 = ra.iter().zip(rb).map(|(x, y)| x * y).sum();
    acc.iter().sum::<f64>() + tail
}

/// `y += a * x`.
pub fn axpy(y: &mut [f64], a: f64, x: &[f64]) {
    y.par_chunks_mut(CHUNK)
        .zip(x.par_chunks(CHUNK))
        .for_each(|(y, x)| y.iter_mut().zip(x).for_each(|(p, q)| *p += a * q));
}

/// `out = x + a * d`.
pub fn step(out: &mut [f64], x: &[f64], a: f64, d: &[f64]) {
    out.par_chunks_mut(CHUNK)
        .zip(x.par_chunks(CHUNK).zip(d.par_chunks(CHUNK)))
        .for_each(|(o, (x, d))| {
            for ((o, x), d) in o.iter_mut().zip(x).zip(d) {
                *o = x + a * d;
            }
        });
}

/// `out = a - b`.
pub fn diff(out: &mut [f64], a: &[f64], b: &[f64]) {
    out.par_chunks_mut(CHUNK)
        .zip(a.par_chunks(CHUNK).zip(b.par_chunks(CHUNK)))
        .for_each(|(o, (a, b))| {
            for ((o, a), b) in o.iter_mut().zip(a).zip(b) {
                *o = a - b;
            }
        });
}

/// `x *= a`.
pub fn scale(x: &mut [f64], a: f64) {
    x.par_chunks_mut(CHUNK)
        .for_each(|x| x.iter_mut().for_each(|v| *v *= a));
}

/// `out = a * x`.
pub fn scaled_copy(out: &mut [f64], a: f64, x: &[f64]) {
    out.par_chunks_mut(CHUNK)
        .zip(x.par_chunks(CHUNK))
        .for_each(|(o, x)| o.iter_mut().zip(x).for_each(|(o, x)| *o = a * x));
}

/// `max_i |x_i|`.
pub fn max_abs(x: &[f64]) -> f64 {
    x.par_chunks(CHUNK)
        .map(|c| c.iter().fold(0.0f64, |m, v| m.max(v.abs())))
        .reduce(|| 0.0, f64::max)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn operations_match_plain_loops() {
        let a: Vec<f64> = (0..200_000).map(|i| (i % 13) as f64 - 6.0).collect();
        let b: Vec<f64> = (0..200_000).map(|i| ((i * 7) % 5) as f64 * 0.5).collect();
        let plain: f64 = a.iter().zip(&b).map(|(x, y)| x * y).sum();
        assert!((dot(&a, &b) - plain).abs() < 1e-6 * plain.abs().max(1.0));
        let mut y = b.clone();
        axpy(&mut y, 2.0, &a);
        assert_eq!(y[5], b[5] + 2.0 * a[5]);
        let mut o = vec![0.0; a.len()];
        step(&mut o, &a, -1.0, &b);
        assert_eq!(o[7], a[7] - b[7]);
        diff(&mut o, &a, &b);
        assert_eq!(o[9], a[9] - b[9]);
        assert_eq!(max_abs(&a), 6.0);
    }
}
