// Drives `%vanna panel` in a real JupyterLab with the system's Chromium (playwright-core).
// Run by tests/browser/test_panel.py; env: LAB_URL, LAB_TOKEN, NOTEBOOK, ARTIFACTS, CHROMIUM.
// Prints one line per check and exits non-zero on the first failure.
const path = require('path');
const { chromium } = require('playwright-core');

const { LAB_URL, LAB_TOKEN, NOTEBOOK, ARTIFACTS, CHROMIUM } = process.env;
const FLAGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
  '--disable-background-networking', '--disable-component-update', '--disable-sync'];
const WAIT = { timeout: 60000 };

function check(ok, what) {
  if (!ok) {
    throw new Error(`check failed: ${what}`);
  }
  console.log(`ok ${what}`);
}

async function shot(page, name) {
  await page.screenshot({ path: path.join(ARTIFACTS, `${name}.png`), fullPage: false });
  console.log(`screenshot ${name}.png`);
}

async function main() {
  const browser = await chromium.launch({ executablePath: CHROMIUM, args: FLAGS, headless: true });
  const page = await browser.newPage({ viewport: { width: 1400, height: 1000 } });
  page.on('pageerror', error => console.log(`page error: ${error.message}`));
  try {
    await page.goto(`${LAB_URL}/lab/tree/${NOTEBOOK}?token=${LAB_TOKEN}`);
    await page.locator('.jp-Notebook').first().waitFor(WAIT);
    await page.locator('.jp-StatusBar-TextItem', { hasText: '| Idle' }).first().waitFor(WAIT);
    check(true, 'notebook open, kernel idle');

    const first = page.locator('.jp-Notebook .jp-Cell').first();
    await first.locator('.cm-content').click();
    await page.keyboard.press('Shift+Enter');
    await first.locator('.jp-InputArea-prompt', { hasText: '[1]' }).waitFor(WAIT);
    const panel = page.locator('.vanna-panel');
    await panel.waitFor(WAIT);
    const mode = page.locator('.vanna-panel .vanna-mode');
    await mode.waitFor(WAIT);
    const shown = await mode.innerText();
    check(shown === 'LIMITED_AI', `the status badge shows the mode: ${shown}`);
    const sideways = await panel.evaluate(root => [root, ...root.querySelectorAll('*')]
      .filter(e => e.scrollWidth > e.clientWidth + 1 && ['auto', 'scroll'].includes(getComputedStyle(e).overflowX))
      .map(e => `${e.className} (${e.scrollWidth} > ${e.clientWidth})`));
    await shot(page, 'empty-panel');
    check(sideways.length === 0, `nothing in the empty panel scrolls sideways${sideways.length ? ': ' + sideways.join('; ') : ''}`);

    await panel.locator('.vanna-panel-sql textarea').fill(
      'SELECT customer_id, name, segment FROM customers ORDER BY customer_id');
    await panel.locator('button', { hasText: 'Run' }).click();
    const grid = panel.locator('table.vanna-panel-grid');
    await grid.waitFor(WAIT);
    const header = await grid.locator('thead th').allInnerTexts();
    check(header.join(',') === 'customer_id,name,segment', `the grid has the columns: ${header.join(', ')}`);
    const rows = await grid.locator('tbody tr').count();
    const firstRow = await grid.locator('tbody tr').first().locator('td').allInnerTexts();
    check(rows === 500 && firstRow[0] === '1' && firstRow[1].length > 0,
      `the grid shows the first page of the demo customers: ${rows} rows, first ${firstRow.join(' | ')}`);
    const label = await panel.locator('.widget-label', { hasText: 'page' }).innerText();
    check(label.startsWith('page 1 of 2 · 1000 rows'), `the pager says where we are: ${label}`);
    const run = panel.locator('button', { hasText: 'Run' });
    check(await run.isEnabled(), 'Run is enabled again after the query');
    await shot(page, 'panel');

    await panel.locator('button', { hasText: 'Next' }).click();
    await panel.locator('.widget-label', { hasText: 'page 2 of 2' }).waitFor(WAIT);
    const second = await grid.locator('tbody tr').first().locator('td').first().innerText();
    check(second === '501', `Next shows the second page: first customer ${second}`);

    const next = page.locator('.jp-Notebook .jp-Cell').nth(1);
    await next.locator('.cm-content').click();
    await page.keyboard.type('%vanna setup');
    await page.keyboard.press('Shift+Enter');
    const form = page.locator('.vanna-setup');
    await form.waitFor(WAIT);
    await form.locator('.widget-text', { hasText: 'Connection' }).locator('input').fill('sqlite:////nonexistent/folder/shop.db');
    await form.locator('button', { hasText: 'Test connection' }).click();
    const failed = form.locator('.vanna-message[data-kind="error"]');
    await failed.waitFor(WAIT);
    const why = await failed.innerText();
    check(why.startsWith('[connect]') && why.includes('nonexistent'), `the setup form shows why a connection fails: ${why}`);
    await form.scrollIntoViewIfNeeded();
    await shot(page, 'setup');
  } catch (error) {
    await shot(page, 'panel-failure').catch(() => undefined);
    throw error;
  } finally {
    await browser.close();
  }
}

main().catch(error => {
  console.error(error.stack || String(error));
  process.exit(1);
});
