// The single-node Slurm cluster of tools/slurm (issue 14): job arrays with a throttle,
// aftercorr/afterany dependencies, scancel of a running task and sacct's states, on real
// slurmctld/slurmd/slurmdbd daemons. Runs only where the cluster tools are installed and we are
// root (`deno task slurm-test` installs them); the test never installs packages.
import { assert, assertEquals } from "@std/assert";
import { runSlurmSmokeTest, slurmTestUnavailable } from "../../tools/slurm/smoke_test.ts";

const unavailable = slurmTestUnavailable({ requireInstalled: true });

Deno.test({
  name: "Slurm test cluster: arrays, throttle, dependencies, scancel, sacct states",
  ignore: unavailable !== null,
  fn: async () => {
    const report = await runSlurmSmokeTest();
    const states = Object.entries(report.states);
    assertEquals(states.length, 9, "two arrays of four and one job");
    assertEquals(states.filter(([, s]) => s === "COMPLETED").length, 6);
    assertEquals(states.filter(([, s]) => s === "FAILED").length, 1);
    assertEquals(states.filter(([, s]) => s.startsWith("CANCELLED")).length, 2);
    assert(report.seconds.total < 300, `took ${report.seconds.total} s`);
  },
});

if (unavailable !== null) console.log(`  skipping the Slurm test: ${unavailable}`);
