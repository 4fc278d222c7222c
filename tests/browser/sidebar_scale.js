// The schema tree at scale: times the sidebar's schema section on a catalog of SMALL and of BIG tables.
// Run by tests/browser/test_sidebar_scale.py; env: LAB_URL, LAB_TOKEN, NOTEBOOK, CHROMIUM, SMALL_URL, BIG_URL,
// SMALL, BIG (table counts). Prints one line per check and the timings; exits non-zero on a failed check.
const { chromium } = require('playwright-core');

const { LAB_URL, LAB_TOKEN, NOTEBOOK, CHROMIUM, SMALL_URL, BIG_URL } = process.env;
const SMALL = Number(process.env.SMALL);
const BIG = Number(process.env.BIG);
const FLAGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
  '--disable-background-networking', '--disable-component-update', '--disable-sync'];
const WAIT = { timeout: 60000 };
const RUNS = 3;

function check(ok, what) {
  if (!ok) {
    throw new Error(`check failed: ${what}`);
  }
  console.log(`ok ${what}`);
}

function median(values) {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
}

async function connect(page, url, tables) {
  const editor = page.locator('.jp-Notebook .jp-Cell .cm-content').first();
  await editor.click();
  await page.keyboard.press('Control+A');
  await page.keyboard.type(`%vanna connect ${url}`);
  await page.keyboard.press('Control+Enter');
  await page.locator('.jp-OutputArea-output', { hasText: `${tables} tables` }).first().waitFor(WAIT);
}

// Milliseconds from the refresh click until the tree shows the catalog (kernel, comm, render).
async function timeRefresh(page, tables) {
  return page.evaluate(async expected => {
    const section = document.querySelector('#vanna-magic-schema');
    const start = performance.now();
    section.querySelector('.vm-toolbar button').click();
    for (;;) {
      await new Promise(resolve => requestAnimationFrame(resolve));
      const caption = section.querySelector('.vm-caption');
      if (!section.classList.contains('vm-busy') && caption && caption.textContent.includes(`${expected} tables`)) {
        return performance.now() - start;
      }
    }
  }, tables);
}

// Milliseconds of filtering to `text` and drawing the result, until the next frame.
async function timeFilter(page, text) {
  return page.evaluate(async value => {
    const input = document.querySelector('#vanna-magic-schema input.vm-filter');
    const start = performance.now();
    input.value = value;
    input.dispatchEvent(new Event('input'));
    await new Promise(resolve => requestAnimationFrame(resolve));
    return performance.now() - start;
  }, text);
}

async function measure(page, url, tables) {
  await connect(page, url, tables);
  const refresh = [];
  for (let run = 0; run < RUNS; run++) {
    refresh.push(await timeRefresh(page, tables));
  }
  const filter = [];
  const clear = [];
  for (let run = 0; run < RUNS; run++) {
    filter.push(await timeFilter(page, 'c_03'));
    clear.push(await timeFilter(page, ''));
  }
  const nodes = await page.locator('#vanna-magic-schema .vm-body *').count();
  const shown = await page.locator('#vanna-magic-schema .vm-table-name').count();
  return { refresh: median(refresh), filter: median(filter), clear: median(clear), nodes, shown };
}

async function main() {
  const browser = await chromium.launch({ executablePath: CHROMIUM, args: FLAGS, headless: true });
  const page = await browser.newPage({ viewport: { width: 1400, height: 1000 } });
  page.on('pageerror', error => console.log(`page error: ${error.message}`));
  try {
    await page.goto(`${LAB_URL}/lab/tree/${NOTEBOOK}?token=${LAB_TOKEN}`);
    await page.locator('.jp-Notebook').first().waitFor(WAIT);
    await page.locator('.lm-TabBar-tab[data-id="vanna-magic-sidebar"]').click();
    await page.locator('#vanna-magic-sidebar button.vm-load').click();
    await page.locator('#vanna-magic-sidebar[data-connection="ready"]').waitFor(WAIT);

    const small = await measure(page, SMALL_URL, SMALL);
    const big = await measure(page, BIG_URL, BIG);
    check(small.shown === SMALL, `${SMALL} tables are all listed (${small.shown})`);
    check(big.shown <= 200, `of ${BIG} tables the tree lists the first ${big.shown}`);
    const more = page.locator('#vanna-magic-schema button.vm-more');
    check(await more.isVisible(), 'a button shows more tables');
    await more.click();
    check(await page.locator('#vanna-magic-schema .vm-table-name').count() === big.shown + 200,
      'showing more adds a page of tables');
    await timeFilter(page, `t_${String(BIG - 1).padStart(5, '0')}`);
    const last = await page.locator('#vanna-magic-schema .vm-table-name').allInnerTexts();
    check(last.length === 1 && last[0].endsWith(`t_${String(BIG - 1).padStart(5, '0')}`),
      `the filter finds the last table: ${last.join(', ')}`);
    await page.locator('#vanna-magic-schema details summary').first().click({ position: { x: 4, y: 6 } });
    await page.locator('#vanna-magic-schema .vm-column').first().waitFor(WAIT);  // built on the toggle event
    check(await page.locator('#vanna-magic-schema .vm-column').count() === 6, 'an opened table shows its columns');

    console.log(`timings (median of ${RUNS}; printed, not asserted):`);
    for (const [what, key] of [['refresh (kernel, comm, render) ms', 'refresh'], ['filter ms', 'filter'],
      ['clear the filter ms', 'clear'], ['DOM nodes', 'nodes']]) {
      const ratio = small[key] ? (big[key] / small[key]).toFixed(1) : 'n/a';
      console.log(`  ${what}: ${SMALL} tables ${small[key].toFixed(1)}, ${BIG} tables ${big[key].toFixed(1)}, ` +
        `ratio ${ratio}x`);
    }
  } finally {
    await browser.close();
  }
}

main().catch(error => {
  console.error(error);
  process.exit(1);
});
