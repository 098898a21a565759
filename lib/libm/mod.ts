/**
 * C math library functions reproduced bit for bit where the toolkit must match software that
 * calls them: glibc's fused multiply-add (`fma`) and its FMA-built `sinf` / `cosf` / `sincosf`
 * (what pybox2d's Box2D rotates with). The numpy samplers' `log` and `log1p` live with them in
 * `lib/np_random/libm.ts`.
 *
 * @example
 * ```ts
 * import { cosf, fma, sinf } from "./mod.ts";
 * sinf(0.5); // 0.4794255495071411, glibc's float32 sine
 * cosf(0.5);
 * fma(0.1, 10, -1); // 5.551115123125783e-17: a·b + c rounded once
 * ```
 *
 * @module
 */
export { fma } from "./fma.ts";
export { cosf, sincosf, sincosOut, sinf } from "./sincosf.ts";
