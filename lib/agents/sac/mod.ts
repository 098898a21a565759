/**
 * SAC with Stable-Baselines3 semantics: config, policy geometry, replay buffer, tfjs losses for
 * the subspace analysis, the WebAssembly-SIMD gradient engine and the agent.
 *
 * @example
 * ```ts
 * import { makeEnv } from "../../envs/mod.ts";
 * import { SacAgent } from "./mod.ts";
 * const agent = new SacAgent({ env: makeEnv("Pendulum-v1"), config: { learning_rate: 1e-3, net_arch: [64, 64] }, seed: 0 });
 * agent.learn(1000);
 * agent.close();
 * ```
 *
 * @module
 */
export * from "./config.ts";
export * from "./policy.ts";
export * from "./replay_buffer.ts";
export * from "./engine.ts";
export * from "./sac.ts";
