//! Dense matrix products by the `gemm` crate on the calling thread (callers
//! run their chunks of rows in parallel themselves), for the crates' fast
//! paths (`ebm_langevin::numerics::Real::mat_mul_into` in f32). At the
//! shapes of a 784-256-256-1 network it is about twice as fast as
//! `matrixmultiply` on a CPU with AVX-512 and 10-15% faster with AVX2
//! (`cargo bench -p ebm-langevin --bench products`).
//!
//! `gemm` picks its kernel for the CPU at run time, like the `numerics`
//! kernels do, so the last bits of a product can differ between machines;
//! on one machine they are fixed (no threads inside a product, so the same
//! bytes on one thread or many).

use ndarray::{ArrayView2, ArrayViewMut2};

use num_traits::{One, Zero};

/// c <- a b, for views of any strides; `a` is (m, k), `b` is (k, n), `c`
/// is (m, n). What `c` held before is never read.
pub fn gemm_into<F: Copy + Zero + One + 'static>(
    a: ArrayView2<F>,
    b: ArrayView2<F>,
    mut c: ArrayViewMut2<F>,
) {
    let ((m, k), (k_b, n)) = (a.dim(), b.dim());
    assert!(
        k == k_b && c.dim() == (m, n),
        "gemm_into: ({m}, {k}) times ({k_b}, {n}) into {:?}",
        c.dim()
    );
    if m == 0 || n == 0 {
        return;
    }
    if k == 0 {
        c.fill(F::zero());
        return;
    }
    let (sa, sb) = (a.strides(), b.strides());
    let (c_row, c_col) = (c.strides()[0], c.strides()[1]);
    let (pa, pb, pc) = (a.as_ptr(), b.as_ptr(), c.as_mut_ptr());
    // SAFETY: the shapes agree (checked above), and each pointer with its
    // strides addresses exactly the elements of its view; `c` is borrowed
    // mutably, so it cannot alias `a` or `b`.
    unsafe {
        gemm::gemm(
            m,
            n,
            k,
            pc,
            c_col,
            c_row,
            false,
            pa,
            sa[1],
            sa[0],
            pb,
            sb[1],
            sb[0],
            F::zero(),
            F::one(),
            false,
            false,
            false,
            gemm::Parallelism::None,
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use ndarray::{Array2, s};
    use rand::{Rng, SeedableRng};
    use rand_chacha::ChaCha8Rng;

    /// Agrees with ndarray's product for row-major, transposed, strided and
    /// reversed views, an empty inner dimension, one row and one column,
    /// and overwrites whatever `c` held (NaN included).
    #[test]
    fn agrees_with_ndarray_for_any_strides() {
        let mut rng = ChaCha8Rng::seed_from_u64(1);
        let mut random =
            |r, c| Array2::from_shape_simple_fn((r, c), || rng.random_range(-1.0f32..1.0));
        let (a, b, bt) = (random(9, 40), random(20, 7), random(7, 20));
        let cases = [
            (a.slice(s![.., ..20]), b.view()),
            (a.slice(s![..;2, 1..;2]), bt.t()),
            (a.slice(s![..;-1, ..20;-1]), b.slice(s![..;-1, ..])),
            (a.slice(s![..1, ..20]), b.view()),
            (a.slice(s![.., ..20]), b.slice(s![.., ..1])),
            (a.slice(s![.., ..0]), b.slice(s![..0, ..])),
        ];
        for (x, y) in cases {
            let mut c = Array2::from_elem((x.nrows(), y.ncols()), f32::NAN);
            gemm_into(x, y, c.view_mut());
            let expected = x.dot(&y);
            let worst = (&c - &expected).iter().fold(0.0f32, |m, d| m.max(d.abs()));
            assert!(
                worst < 1e-5,
                "{:?} by {:?}: off by {worst}",
                x.dim(),
                y.dim()
            );
        }
    }

    #[test]
    #[should_panic(expected = "gemm_into")]
    fn refuses_shapes_that_do_not_fit() {
        let (a, b) = (Array2::<f32>::zeros((2, 3)), Array2::<f32>::zeros((4, 5)));
        gemm_into(a.view(), b.view(), Array2::zeros((2, 5)).view_mut());
    }
}
