/**
 * SB3's `ReplayBuffer` (n_envs = 1, `optimize_memory_usage=False`,
 * `handle_timeout_termination=True`): a fixed-capacity circular store of transitions in float32
 * typed arrays, sampled uniformly with replacement from the project's seeded generator.
 *
 * - Transition t (counting from 0 over the whole run, its *global index*) lives in slot
 *   t mod capacity; `pos` = added mod capacity and `full` = added ≥ capacity, as SB3.
 * - `dones` holds terminated OR truncated, `timeouts` holds "truncated and not terminated"
 *   (Gymnasium's `TimeLimit.truncated`); samples carry the done mask d = done·(1 − timeout),
 *   so a time-out still bootstraps from the next observation.
 * - `nextObservations` holds the terminal observation at the end of an episode (SB3 stores
 *   `infos["terminal_observation"]`), not the reset observation.
 *
 * Incremental checkpoints: {@linkcode ReplayBuffer.exportChunk} returns the transitions added
 * since a given global index (at most the last `capacity`), and
 * {@linkcode ReplayBuffer.restoreChunks} rebuilds the exact buffer from a sequence of such chunks,
 * so N checkpoints cost the new transitions only, not N full copies.
 *
 * @module
 */
import type { Rng } from "../../rng.ts";

/**
 * Transitions with global indices [from, to), in order (typed arrays, row-major).
 *
 * @example
 * ```ts
 * import { ReplayBuffer, type ReplayBufferChunk } from "./replay_buffer.ts";
 * const buffer = new ReplayBuffer({ capacity: 10, obsDim: 3, actDim: 1 });
 * const chunk: ReplayBufferChunk = buffer.exportChunk(0); // empty: from = to = 0
 * ```
 */
export interface ReplayBufferChunk {
  /** Global index of the first transition. */
  from: number;
  /** One past the global index of the last transition. */
  to: number;
  /** Observation length. */
  obsDim: number;
  /** Action length. */
  actDim: number;
  /** (to − from)·obsDim observations. */
  observations: Float32Array;
  /** (to − from)·obsDim next observations. */
  nextObservations: Float32Array;
  /** (to − from)·actDim actions in [−1, 1]. */
  actions: Float32Array;
  /** Rewards. */
  rewards: Float32Array;
  /** 1 when the episode ended (terminated or truncated). */
  dones: Uint8Array;
  /** 1 when it ended by the time limit only. */
  timeouts: Uint8Array;
}

/**
 * Checkpointable buffer state: geometry, the number of transitions ever added, and (unless
 * saved incrementally) the live transitions as one chunk.
 *
 * @example
 * ```ts
 * import { ReplayBuffer, type ReplayBufferState } from "./replay_buffer.ts";
 * const buffer = new ReplayBuffer({ capacity: 10, obsDim: 3, actDim: 1 });
 * const state: ReplayBufferState = buffer.getState();
 * ```
 */
export interface ReplayBufferState {
  /** Capacity in transitions. */
  capacity: number;
  /** Observation length. */
  obsDim: number;
  /** Action length. */
  actDim: number;
  /** Transitions added since construction (the global index of the next one). */
  added: number;
  /** The live transitions [max(0, added − capacity), added), or null (stored as chunks). */
  data: ReplayBufferChunk | null;
}

/**
 * A sampled mini-batch written into caller-owned arrays (row-major).
 *
 * @example
 * ```ts
 * import type { ReplayBatch } from "./replay_buffer.ts";
 * const B = 4;
 * const batch: ReplayBatch = {
 *   obs: new Float32Array(B * 3), actions: new Float32Array(B), rewards: new Float32Array(B),
 *   nextObs: new Float32Array(B * 3), dones: new Float32Array(B),
 * };
 * ```
 */
export interface ReplayBatch {
  /** [B, obsDim]. */
  obs: Float32Array;
  /** [B, actDim]. */
  actions: Float32Array;
  /** [B]. */
  rewards: Float32Array;
  /** [B, obsDim]. */
  nextObs: Float32Array;
  /** [B] done mask d = done·(1 − timeout). */
  dones: Float32Array;
}

/**
 * The SAC replay buffer.
 *
 * @example
 * ```ts
 * import { ReplayBuffer } from "./replay_buffer.ts";
 * import { Rng } from "../../rng.ts";
 * const buffer = new ReplayBuffer({ capacity: 1000, obsDim: 3, actDim: 1 });
 * buffer.add([1, 0, 0], [0.9, 0.1, 0.2], [0.5], -1.2, false, false);
 * const idx = buffer.sampleIndices(4, new Rng(0)); // uniform over the stored transitions
 * ```
 */
export class ReplayBuffer {
  /** Capacity in transitions. */
  readonly capacity: number;
  /** Observation length. */
  readonly obsDim: number;
  /** Action length. */
  readonly actDim: number;
  /** Observations, capacity·obsDim. */
  readonly observations: Float32Array;
  /** Next observations, capacity·obsDim. */
  readonly nextObservations: Float32Array;
  /** Actions in [−1, 1], capacity·actDim. */
  readonly actions: Float32Array;
  /** Rewards, capacity. */
  readonly rewards: Float32Array;
  /** Episode ended (terminated or truncated), capacity. */
  readonly dones: Uint8Array;
  /** Ended by the time limit only, capacity. */
  readonly timeouts: Uint8Array;
  #added = 0;

  constructor(options: { capacity: number; obsDim: number; actDim: number }) {
    const { capacity, obsDim, actDim } = options;
    for (const [k, v] of [["capacity", capacity], ["obsDim", obsDim], ["actDim", actDim]]) {
      if (!Number.isSafeInteger(v) || (v as number) < 1) {
        throw new RangeError(`ReplayBuffer: ${k} must be a positive integer, got ${v}`);
      }
    }
    this.capacity = capacity;
    this.obsDim = obsDim;
    this.actDim = actDim;
    this.observations = new Float32Array(capacity * obsDim);
    this.nextObservations = new Float32Array(capacity * obsDim);
    this.actions = new Float32Array(capacity * actDim);
    this.rewards = new Float32Array(capacity);
    this.dones = new Uint8Array(capacity);
    this.timeouts = new Uint8Array(capacity);
  }

  /** Transitions ever added (the global index of the next one). */
  get added(): number {
    return this.#added;
  }

  /** Next slot to write (SB3 `pos`). */
  get pos(): number {
    return this.#added % this.capacity;
  }

  /** Whether the buffer has wrapped (SB3 `full`). */
  get full(): boolean {
    return this.#added >= this.capacity;
  }

  /** Number of stored transitions, min(added, capacity). */
  get size(): number {
    return Math.min(this.#added, this.capacity);
  }

  /** Bytes per stored transition (the unit of chunk sizes). */
  get bytesPerTransition(): number {
    return 4 * (2 * this.obsDim + this.actDim + 1) + 2;
  }

  /**
   * Stores one transition in slot `pos` (overwriting the oldest when full).
   *
   * @param done the episode ended (terminated or truncated).
   * @param timeout it ended by the time limit and not by a terminal state.
   */
  add(
    obs: ArrayLike<number>,
    nextObs: ArrayLike<number>,
    action: ArrayLike<number>,
    reward: number,
    done: boolean,
    timeout: boolean,
  ): void {
    const { obsDim, actDim } = this;
    if (obs.length !== obsDim || nextObs.length !== obsDim || action.length !== actDim) {
      throw new RangeError(
        `ReplayBuffer.add: expected observations of length ${obsDim} and an action of length ` +
          `${actDim}, got ${obs.length}, ${nextObs.length} and ${action.length}`,
      );
    }
    const p = this.pos;
    for (let i = 0; i < obsDim; i++) {
      this.observations[p * obsDim + i] = obs[i];
      this.nextObservations[p * obsDim + i] = nextObs[i];
    }
    for (let i = 0; i < actDim; i++) this.actions[p * actDim + i] = action[i];
    this.rewards[p] = reward;
    this.dones[p] = done ? 1 : 0;
    this.timeouts[p] = timeout ? 1 : 0;
    this.#added++;
  }

  /**
   * `batch` slot indices drawn uniformly with replacement from the stored transitions
   * (SB3: `np.random.randint(0, upper_bound, size=batch_size)`), one `rng.int` each.
   */
  sampleIndices(batch: number, rng: Rng, out: Int32Array = new Int32Array(batch)): Int32Array {
    const upper = this.size;
    if (upper === 0) {
      throw new Error("ReplayBuffer.sampleIndices: the buffer is empty; add transitions first");
    }
    for (let b = 0; b < batch; b++) out[b] = rng.int(upper);
    return out;
  }

  /** Copies the transitions in `indices` into `out`, with the done mask d = done·(1 − timeout). */
  gather(indices: ArrayLike<number>, out: ReplayBatch): void {
    const { obsDim, actDim } = this;
    for (let b = 0; b < indices.length; b++) {
      const t = indices[b];
      out.obs.set(this.observations.subarray(t * obsDim, (t + 1) * obsDim), b * obsDim);
      out.nextObs.set(this.nextObservations.subarray(t * obsDim, (t + 1) * obsDim), b * obsDim);
      out.actions.set(this.actions.subarray(t * actDim, (t + 1) * actDim), b * actDim);
      out.rewards[b] = this.rewards[t];
      out.dones[b] = this.dones[t] * (1 - this.timeouts[t]);
    }
  }

  /**
   * The transitions with global index ≥ `from` that are still stored (at most the last
   * `capacity`), as a chunk [max(from, added − capacity), added).
   *
   * @example
   * ```ts
   * import { ReplayBuffer } from "./replay_buffer.ts";
   * const b = new ReplayBuffer({ capacity: 4, obsDim: 1, actDim: 1 });
   * for (let t = 0; t < 6; t++) b.add([t], [t + 1], [0], t, false, false);
   * const c = b.exportChunk(3); // transitions 3, 4, 5
   * ```
   */
  exportChunk(from: number): ReplayBufferChunk {
    if (!Number.isSafeInteger(from) || from < 0 || from > this.#added) {
      throw new RangeError(
        `ReplayBuffer.exportChunk: from must be an integer in [0, ${this.#added}], got ${from}`,
      );
    }
    const start = Math.max(from, this.#added - this.capacity);
    const n = this.#added - start;
    const { obsDim, actDim, capacity } = this;
    const chunk: ReplayBufferChunk = {
      from: start,
      to: this.#added,
      obsDim,
      actDim,
      observations: new Float32Array(n * obsDim),
      nextObservations: new Float32Array(n * obsDim),
      actions: new Float32Array(n * actDim),
      rewards: new Float32Array(n),
      dones: new Uint8Array(n),
      timeouts: new Uint8Array(n),
    };
    for (let i = 0; i < n; i++) {
      copyTransition(this, (start + i) % capacity, chunk, i, obsDim, actDim);
    }
    return chunk;
  }

  /**
   * Rebuilds the buffer as it was after `added` transitions from chunks that together cover the
   * live range [max(0, added − capacity), added) (they may start earlier; order does not matter;
   * overlaps must agree in range only, later chunks win). Throws naming the first missing global
   * index when the chunks leave a gap.
   */
  restoreChunks(added: number, chunks: readonly ReplayBufferChunk[]): void {
    if (!Number.isSafeInteger(added) || added < 0) {
      throw new RangeError(
        `ReplayBuffer.restoreChunks: added must be an integer ≥ 0, got ${added}`,
      );
    }
    const { obsDim, actDim, capacity } = this;
    const need = Math.max(0, added - capacity);
    const sorted = [...chunks].sort((a, b) => a.from - b.from);
    for (const c of sorted) {
      if (c.obsDim !== obsDim || c.actDim !== actDim) {
        throw new Error(
          `ReplayBuffer.restoreChunks: chunk [${c.from}, ${c.to}) has obsDim ${c.obsDim}, actDim ` +
            `${c.actDim}; this buffer has ${obsDim}, ${actDim}`,
        );
      }
      if (c.to > added) {
        throw new Error(
          `ReplayBuffer.restoreChunks: chunk [${c.from}, ${c.to}) reaches past the ${added} ` +
            `transitions of the state being restored`,
        );
      }
    }
    // Check coverage of [need, added).
    let covered = need;
    for (const c of sorted) {
      if (c.from > covered) break;
      covered = Math.max(covered, c.to);
    }
    if (covered < added) {
      throw new Error(
        `ReplayBuffer.restoreChunks: no chunk holds transition ${covered} (need [${need}, ` +
          `${added})); a checkpoint's replay chunk is missing`,
      );
    }
    for (const c of sorted) {
      for (let g = Math.max(c.from, need); g < c.to; g++) {
        copyTransition(c, g - c.from, this, g % capacity, obsDim, actDim);
      }
    }
    this.#added = added;
  }

  /**
   * The complete state; `withData: false` leaves the transitions out (`data: null`), for
   * checkpoints that store them as chunks.
   */
  getState(withData = true): ReplayBufferState {
    return {
      capacity: this.capacity,
      obsDim: this.obsDim,
      actDim: this.actDim,
      added: this.#added,
      data: withData ? this.exportChunk(0) : null,
    };
  }

  /** Restores {@linkcode ReplayBuffer.getState} (with data). */
  setState(state: ReplayBufferState): void {
    if (
      state.capacity !== this.capacity || state.obsDim !== this.obsDim ||
      state.actDim !== this.actDim
    ) {
      throw new Error(
        `ReplayBuffer.setState: state has capacity ${state.capacity}, obsDim ${state.obsDim}, ` +
          `actDim ${state.actDim}; this buffer ${this.capacity}, ${this.obsDim}, ${this.actDim}`,
      );
    }
    if (state.data === null) {
      throw new Error(
        "ReplayBuffer.setState: the state holds no transitions (saved incrementally); load it " +
          "with loadCheckpointState, which rebuilds the buffer from the checkpoints' chunks",
      );
    }
    this.restoreChunks(state.added, [state.data]);
  }
}

/** The arrays of stored transitions (a buffer or a chunk). */
type TransitionArrays = Pick<
  ReplayBufferChunk,
  "observations" | "nextObservations" | "actions" | "rewards" | "dones" | "timeouts"
>;

/** Copies transition `i` of `src` to slot `j` of `dst`. */
function copyTransition(
  src: TransitionArrays,
  i: number,
  dst: TransitionArrays,
  j: number,
  obsDim: number,
  actDim: number,
): void {
  dst.observations.set(src.observations.subarray(i * obsDim, (i + 1) * obsDim), j * obsDim);
  dst.nextObservations.set(src.nextObservations.subarray(i * obsDim, (i + 1) * obsDim), j * obsDim);
  dst.actions.set(src.actions.subarray(i * actDim, (i + 1) * actDim), j * actDim);
  dst.rewards[j] = src.rewards[i];
  dst.dones[j] = src.dones[i];
  dst.timeouts[j] = src.timeouts[i];
}
