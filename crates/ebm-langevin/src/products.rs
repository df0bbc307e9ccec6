//! The f32 matrix products of the fast path ([`crate::numerics::Real::mat_mul_into`]),
//! by the `gemm` crate on the calling thread (the samplers already run their
//! chunks of rows in parallel). On the 784-256-256-1 network of the
//! benchmarks it is about twice as fast as `matrixmultiply` on a CPU with
//! AVX-512 (`cargo bench -p ebm-langevin --bench products`).
//!
//! `gemm` picks its kernel for the CPU at run time, like the `numerics`
//! kernels do, so the last bits of a product can differ between machines;
//! on one machine they are fixed (no threads inside a product, so the same
//! bytes on one thread or many).

use ndarray::{ArrayView2, ArrayViewMut2};

use crate::numerics::Real;

/// c <- a b, for views of any strides; `a` is (m, k), `b` is (k, n), `c`
/// is (m, n). What `c` held before is never read.
pub fn gemm_into<F: Real>(a: ArrayView2<F>, b: ArrayView2<F>, mut c: ArrayViewMut2<F>) {
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
