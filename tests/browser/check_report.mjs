// Opens the compliance report in headless Chromium and checks that it renders offline:
// no console errors, no page errors, no network request besides the file itself, the key
// figures present in the DOM, every chart drawn. Writes a full-page screenshot.
//
//   node tests/browser/check_report.mjs REPORT.html SCREENSHOT.png EXPECTED.json
//
// EXPECTED.json maps element ids to their expected text, e.g. {"total-accounts": "25"}.
import { readFileSync } from "node:fs";
import { pathToFileURL } from "node:url";
import { chromium } from "playwright-core";

const [report, screenshot, expectedFile] = process.argv.slice(2);
const expected = JSON.parse(readFileSync(expectedFile, "utf8"));
const url = pathToFileURL(report).href;
const executablePath = process.env.CHROMIUM || "/usr/bin/chromium";

const browser = await chromium.launch({ executablePath, args: ["--no-sandbox"] });
const problems = [];
try {
  const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
  page.on("console", (m) => {
    if (m.type() === "error" || m.type() === "warning") problems.push(`console ${m.type()}: ${m.text()}`);
  });
  page.on("pageerror", (e) => problems.push(`page error: ${e.message}`));
  page.on("request", (r) => {
    if (r.url() !== url) problems.push(`network request: ${r.url()}`);
  });
  await page.goto(url, { waitUntil: "load" });
  for (const [id, want] of Object.entries(expected)) {
    const el = page.locator(`#${id}`);
    if ((await el.count()) !== 1) {
      problems.push(`#${id}: not in the page`);
      continue;
    }
    if (!(await el.isVisible())) problems.push(`#${id}: not visible`);
    const got = (await el.innerText()).trim();
    if (got !== want) problems.push(`#${id}: shows "${got}", expected "${want}"`);
  }
  for (const chart of ["chart-rules", "chart-activity", "chart-keys"]) {
    const shapes = await page.locator(`#${chart} svg rect`).count();
    if (shapes === 0) problems.push(`#${chart}: no chart drawn`);
  }
  const rows = await page.locator("#accounts tbody tr").count();
  if (expected["total-accounts"] && rows !== Number(expected["total-accounts"])) {
    problems.push(`accounts table has ${rows} rows, expected ${expected["total-accounts"]}`);
  }
  await page.screenshot({ path: screenshot, fullPage: true });
} finally {
  await browser.close();
}
if (problems.length) {
  console.error(problems.join("\n"));
  process.exit(1);
}
console.log(`report rendered: ${Object.keys(expected).length} figures checked, screenshot ${screenshot}`);
