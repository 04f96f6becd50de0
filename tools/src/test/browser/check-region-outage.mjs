// Checks the status page while a whole region is down, in headless Chromium:
//   node check-region-outage.mjs <base url> <screenshot.png> <region that is down>
// Prints one JSON line with what it saw; the Java test (RegionOutageIT) asserts on it.
import { launch } from "./chromium.mjs";

const [base, screenshot, region] = process.argv.slice(2);
const result = {};
const browser = await launch();
try {
  const page = await browser.newPage({ viewport: { width: 1400, height: 1600 } });
  page.on("pageerror", e => { result.pageError = String(e); });
  await page.goto(base + "/");
  await page.waitForFunction(r => document.querySelector(`tr[data-region="${r}"]`)?.dataset.verdict === "FAIL",
    region, { timeout: 60000 });
  // what comes first on the page, and what each region row says
  result.firstSection = await page.$eval("body", b => b.querySelector("section")?.id || "");
  result.verdicts = await page.$$eval("tr[data-region]", rows => Object.fromEntries(rows.map(r => [r.dataset.region, r.dataset.verdict])));
  result.reason = await page.$eval(`tr[data-region="${region}"] td.reason`, td => td.textContent);
  result.cellsTouching = await page.$$eval("td.cell", (cells, r) => cells.filter(c => {
    const [, , source, target] = c.dataset.pair.split("/");
    return source === r || target === r;
  }).map(c => ({ pair: c.dataset.pair, state: c.dataset.state })), region);
  result.deadHeaders = await page.$$eval("th.dead", ths => ths.map(t => t.textContent));
  await page.screenshot({ path: screenshot, fullPage: true });
} catch (e) {
  result.error = String(e);
} finally {
  await browser.close();
}
console.log(JSON.stringify(result));
