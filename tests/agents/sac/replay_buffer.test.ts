// The SAC replay buffer: SB3's circular storage (pos/full), the time-out done mask, uniform
// sampling, incremental chunks and exact reconstruction from them.
import { assert, assertEquals, assertThrows } from "@std/assert";
import { ReplayBuffer } from "../../../lib/agents/sac/replay_buffer.ts";
import { Rng } from "../../../lib/rng.ts";

/** Transition t: obs [t, −t], next [t + 0.5, 0], action [t/100], reward t; done every 7th. */
function fill(buffer: ReplayBuffer, from: number, to: number): void {
  for (let t = from; t < to; t++) {
    buffer.add([t, -t], [t + 0.5, 0], [t / 100], t, t % 7 === 6, t % 14 === 6);
  }
}

Deno.test("circular storage: slot = global index mod capacity, SB3 pos/full", () => {
  const b = new ReplayBuffer({ capacity: 5, obsDim: 2, actDim: 1 });
  assertEquals([b.pos, b.full, b.size, b.added], [0, false, 0, 0]);
  fill(b, 0, 3);
  assertEquals([b.pos, b.full, b.size], [3, false, 3]);
  fill(b, 3, 12);
  assertEquals([b.pos, b.full, b.size, b.added], [2, true, 5, 12]);
  // Slots hold transitions 10, 11, 7, 8, 9.
  assertEquals(Array.from(b.rewards), [10, 11, 7, 8, 9]);
  assertEquals(Array.from(b.observations.subarray(0, 4)), [10, -10, 11, -11]);
  assertEquals(Array.from(b.nextObservations.subarray(0, 2)), [10.5, 0]);
});

Deno.test("done mask excludes time-outs: d = done·(1 − timeout)", () => {
  const b = new ReplayBuffer({ capacity: 4, obsDim: 1, actDim: 1 });
  b.add([0], [1], [0], 0, false, false);
  b.add([1], [2], [0], 0, true, false); // terminal
  b.add([2], [3], [0], 0, true, true); // time-out
  const out = {
    obs: new Float32Array(3),
    actions: new Float32Array(3),
    rewards: new Float32Array(3),
    nextObs: new Float32Array(3),
    dones: new Float32Array(3),
  };
  b.gather([0, 1, 2], out);
  assertEquals(Array.from(out.dones), [0, 1, 0]);
  assertEquals(Array.from(out.nextObs), [1, 2, 3]);
});

Deno.test("sampling: uniform with replacement over the stored transitions only", () => {
  const b = new ReplayBuffer({ capacity: 100, obsDim: 1, actDim: 1 });
  const rng = new Rng(5);
  assertThrows(() => b.sampleIndices(4, rng), Error, "empty");
  for (let t = 0; t < 10; t++) b.add([t], [t], [0], t, false, false);
  const counts = new Array(10).fill(0);
  const n = 20_000;
  for (const i of b.sampleIndices(n, rng)) counts[i]++;
  // χ² with 9 degrees of freedom: 99.9% quantile 27.9.
  const chi2 = counts.reduce((s, c) => s + (c - n / 10) ** 2 / (n / 10), 0);
  assert(chi2 < 27.9, `chi2 ${chi2}, counts ${counts}`);
});

Deno.test("chunks: transitions since an index, capped at the last capacity ones", () => {
  const b = new ReplayBuffer({ capacity: 6, obsDim: 2, actDim: 1 });
  fill(b, 0, 4);
  const c0 = b.exportChunk(0);
  assertEquals([c0.from, c0.to], [0, 4]);
  fill(b, 4, 15);
  const c1 = b.exportChunk(4); // 11 new ones, only the last 6 are stored
  assertEquals([c1.from, c1.to], [9, 15]);
  assertEquals(Array.from(c1.rewards), [9, 10, 11, 12, 13, 14]);
  assertEquals(Array.from(c1.dones), [0, 0, 0, 0, 1, 0]); // t = 13
  assertEquals(Array.from(c1.timeouts), [0, 0, 0, 0, 0, 0]);
  assertEquals(b.exportChunk(15).to - b.exportChunk(15).from, 0);
  assertThrows(() => b.exportChunk(16), RangeError, "from must be");
  // Bytes per transition: 4·(2·obs + act + reward) + done + timeout flags.
  assertEquals(b.bytesPerTransition, 4 * (2 * 2 + 1 + 1) + 2);
});

Deno.test("restoreChunks rebuilds the exact buffer from incremental chunks; gaps are errors", () => {
  const cap = 8;
  const original = new ReplayBuffer({ capacity: cap, obsDim: 2, actDim: 1 });
  const chunks = [];
  let saved = 0;
  for (const upTo of [3, 5, 13, 14, 20]) {
    fill(original, original.added, upTo);
    const c = original.exportChunk(saved);
    chunks.push(c);
    saved = c.to;
  }
  const copy = new ReplayBuffer({ capacity: cap, obsDim: 2, actDim: 1 });
  copy.restoreChunks(original.added, chunks);
  assertEquals(copy.getState(), original.getState());
  assertEquals(copy.observations, original.observations);
  assertEquals(copy.actions, original.actions);
  assertEquals([copy.pos, copy.full], [original.pos, original.full]);
  // Chunk [13, 14) missing: transition 13 is needed (live range [12, 20)).
  const gap = chunks.filter((c) => c.from !== 13);
  assertThrows(
    () => new ReplayBuffer({ capacity: cap, obsDim: 2, actDim: 1 }).restoreChunks(20, gap),
    Error,
    "no chunk holds transition 13",
  );
  // Chunks older than the live range are not needed.
  const recent = new ReplayBuffer({ capacity: cap, obsDim: 2, actDim: 1 });
  recent.restoreChunks(20, chunks.slice(2));
  assertEquals(recent.getState(), original.getState());
});

Deno.test("state round trip; states without data and bad inputs give clear errors", () => {
  const b = new ReplayBuffer({ capacity: 4, obsDim: 2, actDim: 1 });
  fill(b, 0, 6);
  const c = new ReplayBuffer({ capacity: 4, obsDim: 2, actDim: 1 });
  c.setState(structuredClone(b.getState()));
  assertEquals(c.getState(), b.getState());
  assertThrows(() => c.setState(b.getState(false)), Error, "loadCheckpointState");
  assertThrows(
    () => new ReplayBuffer({ capacity: 5, obsDim: 2, actDim: 1 }).setState(b.getState()),
    Error,
    "capacity",
  );
  assertThrows(() => b.add([1], [1, 2], [0], 0, false, false), RangeError, "length 2");
  assertThrows(() => new ReplayBuffer({ capacity: 0, obsDim: 2, actDim: 1 }), RangeError);
});
