/**
 * Saves a PNG screenshot of a local HTML file (a pgsubspace report, an nbconvert notebook export)
 * as rendered by headless Chromium, to check that its figures really draw.
 *
 * Usage:
 *   deno run --allow-read --allow-write --allow-run --allow-env tools/screenshot.ts PAGE.html \
 *     [--out PAGE.png] [--width 1280] [--height 2400] [--wait-ms 15000]
 *
 * Needs Chromium (`apt-get install chromium`).
 *
 * @module
 */

import { screenshotHtml } from "../lib/plot/static_export.ts";
import { type CliSpec, type ParsedArgs, runCli } from "../lib/cli.ts";

/** The `screenshot` command line. */
const SCREENSHOT_CLI: CliSpec = {
  command: "deno run -A tools/screenshot.ts",
  summary: "Saves a PNG of a local HTML page (a report, a notebook export) rendered by headless " +
    "Chromium (`apt-get install chromium`).",
  options: [
    { name: "out", type: "string", value: "PNG", description: "output", default: "PAGE.png" },
    { name: "width", type: "string", value: "N", description: "window width", default: "1280" },
    { name: "height", type: "string", value: "N", description: "window height", default: "2400" },
    {
      name: "wait-ms",
      type: "string",
      value: "N",
      description: "wait for figures",
      default: "15000",
    },
  ],
  positional: { name: "PAGE.html", description: "the page", min: 1, max: 1 },
};

async function main(args: ParsedArgs): Promise<void> {
  const page = args.positional[0];
  const out = args.string("out") ?? page.replace(/\.html?$/i, "") + ".png";
  const width = args.int("width", 1) ?? 1280, height = args.int("height", 1) ?? 2400;
  await screenshotHtml(page, out, { width, height, waitMs: args.int("wait-ms", 1) ?? 15_000 });
  console.log(`wrote ${out} (${width}×${height})`);
}

if (import.meta.main) await runCli(SCREENSHOT_CLI, Deno.args, main);
