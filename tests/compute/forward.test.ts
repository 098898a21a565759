/** forwardBatch: chunked outputs on both devices equal the acting path's forwardCpu. */
import { assert, assertEquals, assertThrows } from "@std/assert";
import { forwardBatch } from "../../lib/compute/forward.ts";
import { forwardCpu, makeNetwork } from "../../lib/compute/network.ts";
import { Rng } from "../../lib/rng.ts";
import { relativeMaxError } from "../reference/float64.ts";

const net = makeNetwork([
  { fanIn: 3, fanOut: 8, groups: [{ width: 8, weight: 0, bias: 24 }] },
  { fanIn: 8, fanOut: 2, groups: [{ width: 2, weight: 32, bias: 48 }] },
], "tanh");
const rng = new Rng(4);
const theta = rng.fillNormal(new Float32Array(50), 0, 0.5);
const n = 37;
const inputs = rng.fillNormal(new Float32Array(n * 3));

Deno.test("forwardBatch: chunks and devices give forwardCpu's outputs", () => {
  const want = forwardCpu(net, theta, inputs, n);
  for (const device of ["cpu", "wasm"] as const) {
    for (const chunkRows of [5, 64]) {
      const got = forwardBatch(net, theta, inputs, n, { device, chunkRows });
      assertEquals(got.length, n * 2);
      assert(
        relativeMaxError(got, want) < (device === "cpu" ? 1e-7 : 1e-5),
        `${device} ${chunkRows}`,
      );
    }
  }
  assertThrows(() => forwardBatch(net, theta, inputs, n + 1), RangeError, "need");
});
