/**
 * Reinforcement-learning agents (PPO and SAC), their shared building blocks (rollout buffer, GAE,
 * VecNormalize, replay buffer) and the paper's hyperparameter presets.
 *
 * @example
 * ```ts
 * import { makeEnv } from "../envs/mod.ts";
 * import { PpoAgent, resolvePreset } from "./mod.ts";
 * const { config } = resolvePreset("ppo/Pendulum-v1");
 * const agent = new PpoAgent({ env: makeEnv("Pendulum-v1"), config, seed: 0 });
 * ```
 *
 * @module
 */
export * from "./ppo/mod.ts";
export * from "./sac/mod.ts";
export * from "./common/agent.ts";
export * from "./common/collector.ts";
export * from "./common/config_schema.ts";
export * from "./common/rollout_buffer.ts";
export * from "./common/vec_normalize.ts";
export * from "./presets.ts";
