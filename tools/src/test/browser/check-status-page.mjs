// Checks replag's status page in headless Chromium (Debian's, no browser download):
//   node check-status-page.mjs <base url> <screenshot.png> <store/resource/source/target to pause>
// Prints one JSON line with what it saw; the Java test (StatusPageIT) asserts on it.
import { launch } from "./chromium.mjs";

const [base, screenshot, pairToPause] = process.argv.slice(2);
const [store, , source, target] = pairToPause.split("/");
const result = {};
const browser = await launch();
try {
  const page = await browser.newPage({ viewport: { width: 1300, height: 1100 } });
  page.on("pageerror", e => { result.pageError = String(e); });
  await page.goto(base + "/");
  await page.waitForFunction(() => document.querySelectorAll("td.cell").length > 0
    && [...document.querySelectorAll("td.cell")].every(c => c.dataset.state !== "unknown"), null, { timeout: 20000 });
  result.cells = await page.locator("td.cell").count();
  result.statesBefore = await page.$$eval("td.cell", cells => cells.map(c => c.dataset.state));
  // mark this document: a reload would lose the mark
  await page.evaluate(() => { window.__replagMark = 42; });

  const link = `${base}/lab/links/${store}/${source}/${target}`;
  const paused = await fetch(link, { method: "PUT", body: JSON.stringify({ paused: true }) });
  result.pauseStatus = paused.status;
  const started = Date.now();
  await page.waitForFunction(p => document.querySelector(`td.cell[data-pair="${p}"]`)?.dataset.state === "alarm",
    pairToPause, { timeout: 30000 });
  result.alarmAfterMs = Date.now() - started;
  result.sameDocument = await page.evaluate(() => window.__replagMark === 42);
  result.othersInAlarm = await page.$$eval("td.cell", (cells, p) => cells.filter(c => c.dataset.pair !== p
    && c.dataset.state === "alarm").length, pairToPause);
  await page.screenshot({ path: screenshot, fullPage: true });
  await fetch(link, { method: "PUT", body: JSON.stringify({ paused: false }) });
} catch (e) {
  result.error = String(e);
} finally {
  await browser.close();
}
console.log(JSON.stringify(result));
