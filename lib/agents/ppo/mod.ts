/**
 * PPO with Stable-Baselines3 1.8.0 semantics: config, policy, losses and the agent.
 *
 * @example
 * ```ts
 * import { makeEnv } from "../../envs/mod.ts";
 * import { PpoAgent } from "./mod.ts";
 * const agent = new PpoAgent({ env: makeEnv("Pendulum-v1"), config: { n_steps: 256 }, seed: 0 });
 * agent.learn(512);
 * ```
 *
 * @module
 */
export * from "./config.ts";
export * from "./policy.ts";
export * from "./minibatch.ts";
export * from "./rollout.ts";
export * from "./ppo.ts";
