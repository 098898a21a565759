/**
 * Dense float64 linear algebra for the subspace analysis: vector kernels, Householder QR, and
 * symmetric eigensolvers (dense and tridiagonal).
 *
 * Conventions: vectors are `Float64Array`; matrices are row-major `Float64Array`s; eigenvectors of
 * the dense solvers are returned one per row; eigenvalues are descending unless requested otherwise.
 *
 * @example
 * ```ts
 * import { symmetricEigen } from "./mod.ts";
 * const { values } = symmetricEigen(new Float64Array([2, 1, 1, 2])); // [3, 1]
 * ```
 *
 * @module
 */

export { axpy, copy, dot, norm, orthogonalize, scale, type VectorLike } from "./vector.ts";
export { householderQr, type QrResult } from "./qr.ts";
export {
  symmetricEigen,
  type SymmetricEigenOptions,
  type Tridiagonalization,
  tridiagonalize,
} from "./symmetric_eigen.ts";
export {
  type EigenDecomposition,
  type EigenOrder,
  sortEigenpairs,
  tridiagonalEigen,
  type TridiagonalEigenOptions,
  tridiagonalQrIteration,
} from "./tridiagonal_eigen.ts";
