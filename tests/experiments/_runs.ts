// Small training runs shared by the training tests: seconds each, several rollouts/episodes and
// checkpoints, deterministic on the CPU backend.

/** PPO on Pendulum-v1: 512-step rollouts, 2,600 steps, a checkpoint every 1,000. */
export const SMALL = {
  algo: "ppo" as const,
  envId: "Pendulum-v1",
  seed: 3,
  totalSteps: 2_600,
  evalFreq: 1_000,
  evalEpisodes: 2,
  checkpointEvery: 1_000,
  checkpointExtra: [],
  overrides: { n_steps: 512, batch_size: 128, n_epochs: 2 },
  backend: "cpu" as const,
};

/** SAC on Pendulum-v1 with 16-wide networks and a 300-transition buffer, 1,300 steps. */
export const SAC_SMALL = {
  algo: "sac" as const,
  envId: "Pendulum-v1",
  seed: 5,
  totalSteps: 1_300,
  evalFreq: 400,
  evalEpisodes: 1,
  checkpointEvery: 400,
  checkpointExtra: [],
  logInterval: 1,
  overrides: { net_arch: [16, 16], batch_size: 32, buffer_size: 300, learning_starts: 100 },
  backend: "cpu" as const,
};
