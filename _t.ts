import { runMujocoConformance, mujocoVariants } from "./tools/mujoco_conformance.ts";
const r = await runMujocoConformance({ variants: mujocoVariants().slice(0, 12), seeds: [0] });
for (const row of r!.rows) console.log(row.variant.id, row.oneStep.flags, row.oneStep.infoKeys, row.oneStep.terminations, row.rollout.flags);
