/**
 * The tfjs runtime: backend choice and the second-order-safe gradients every HVP relies on.
 *
 * @example
 * ```ts
 * import { initRuntime } from "./mod.ts";
 * const info = await initRuntime();
 * console.log(info.summary);
 * ```
 *
 * @module
 */
export * from "./backend.ts";
export * from "./second_order_gradients.ts";
