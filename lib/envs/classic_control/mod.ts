/**
 * Classic-control environments with Gymnasium 1.3's exact dynamics.
 *
 * @example
 * ```ts
 * import { MountainCarContinuousEnv, PendulumEnv } from "./mod.ts";
 * const pendulum = new PendulumEnv();
 * const car = new MountainCarContinuousEnv();
 * pendulum.reset({ seed: 0 });
 * car.reset({ seed: 0 });
 * ```
 *
 * @module
 */
export * from "./pendulum.ts";
export * from "./mountain_car_continuous.ts";
