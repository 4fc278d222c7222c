// Drives the vanna-magic sidebar in a real JupyterLab with the system's Chromium (playwright-core).
// Run by tests/browser/test_sidebar.py; env: LAB_URL, LAB_TOKEN, NOTEBOOK, ARTIFACTS, CHROMIUM.
// Prints one line per check and exits non-zero on the first failure.
const path = require('path');
const { chromium } = require('playwright-core');

const { LAB_URL, LAB_TOKEN, NOTEBOOK, ARTIFACTS, CHROMIUM } = process.env;
const FLAGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
  '--disable-background-networking', '--disable-component-update', '--disable-sync'];
const WAIT = { timeout: 30000 };

async function shot(page, name) {
  await page.screenshot({ path: path.join(ARTIFACTS, `${name}.png`), fullPage: false });
  console.log(`screenshot ${name}.png`);
}

function check(ok, what) {
  if (!ok) {
    throw new Error(`check failed: ${what}`);
  }
  console.log(`ok ${what}`);
}

const NARROW = 230;  // the sidebar's width in every screenshot: about JupyterLab's default

/** Drag the left sidebar's edge until the sidebar is `width` px wide; resolves to the width reached.
 * JupyterLab keeps sidebars at least --jp-sidebar-min-width (250 px, about 230 px inside its padding) wide:
 * the minimum is lowered so that the test runs narrower than any user's default. */
async function narrow(page, width) {
  await page.evaluate(px => document.documentElement.style.setProperty('--jp-sidebar-min-width', `${px}px`), width);
  const tab = page.locator('.lm-TabBar-tab[data-id="vanna-magic-sidebar"]');
  await tab.click();  // closed and opened again, the sidebar's area reads its new minimum
  await tab.click();
  const stack = page.locator('#jp-left-stack');
  const handle = page.locator('#jp-main-split-panel > .lm-SplitPanel-handle:not(.lm-mod-hidden)').first();
  for (let i = 0; i < 3; i++) {
    const box = await stack.boundingBox();
    const edge = await handle.boundingBox();
    if (Math.abs(box.width - width) <= 2) {
      break;
    }
    await page.mouse.move(edge.x + edge.width / 2, edge.y + 300);
    await page.mouse.down();
    await page.mouse.move(edge.x + edge.width / 2 + (width - box.width), edge.y + 300, { steps: 5 });
    await page.mouse.up();
  }
  return (await stack.boundingBox()).width;
}

/** What does not fit in the sidebar as laid out now: words broken across lines (a break after a hyphen or a
 * slash is no break inside a word), text past its box,
 * scrolling sideways, placeholders cut. Collapsed and hidden parts are not looked at. */
async function layoutProblems(page) {
  return page.locator('#vanna-magic-sidebar').evaluate(root => {
    const problems = [];
    const walker = document.createTreeWalker(root, NodeFilter.SHOW_TEXT);
    for (let node = walker.nextNode(); node; node = walker.nextNode()) {
      const element = node.parentElement;
      const box = element.getBoundingClientRect();
      const words = /[^\s\-/]+/g;  // a line may end after a hyphen or a slash, not inside a word
      for (let match = words.exec(node.textContent); match; match = words.exec(node.textContent)) {
        const range = document.createRange();
        range.setStart(node, match.index);
        range.setEnd(node, match.index + match[0].length);
        const rects = [...range.getClientRects()].filter(r => r.width > 0 && r.height > 0);
        if (!rects.length) {
          continue;
        }
        if (new Set(rects.map(r => Math.round(r.bottom))).size > 1) {
          problems.push(`"${match[0]}" is broken across lines`);
        }
        if (Math.max(...rects.map(r => r.right)) > Math.min(box.right, root.getBoundingClientRect().right) + 1) {
          problems.push(`"${match[0]}" overflows its box by ${Math.round(Math.max(...rects.map(r => r.right)) - box.right)} px ` +
            `(${element.className || element.tagName}: "${element.textContent.slice(0, 60)}")`);
        }
      }
    }
    for (const element of [root, ...root.querySelectorAll('*')]) {
      const style = getComputedStyle(element);
      if (element.scrollWidth > element.clientWidth + 1 && ['auto', 'scroll'].includes(style.overflowX)) {
        problems.push(`${element.className || element.tagName} scrolls sideways (${element.scrollWidth} > ${element.clientWidth})`);
      }
    }
    for (const input of root.querySelectorAll('input[placeholder]')) {
      if (!input.offsetParent || input.value) {
        continue;
      }
      input.value = input.placeholder;  // the placeholder's width, as the box lays it out (no input event fires)
      const cut = input.scrollWidth > input.clientWidth + 1;
      input.value = '';
      if (cut) {
        problems.push(`the placeholder "${input.placeholder}" is cut (${input.clientWidth} px)`);
      }
    }
    return [...new Set(problems)];
  });
}

/** A screenshot at the narrow width, and the check that everything in the sidebar fits. */
async function narrowShot(page, name) {
  await shot(page, name);
  const problems = await layoutProblems(page);
  check(problems.length === 0, `at ${NARROW} px everything fits in ${name}${problems.length ? ': ' + problems.join('; ') : ''}`);
}

async function texts(page, selector) {
  return page.locator(selector).allInnerTexts();
}

async function main() {
  const browser = await chromium.launch({ executablePath: CHROMIUM, args: FLAGS, headless: true });
  const page = await browser.newPage({ viewport: { width: 1400, height: 1000 } });
  page.on('pageerror', error => console.log(`page error: ${error.message}`));
  try {
    await page.goto(`${LAB_URL}/lab/tree/${NOTEBOOK}?token=${LAB_TOKEN}`);
    await page.locator('.jp-Notebook').first().waitFor(WAIT);
    check(true, 'notebook open');

    await page.locator('.lm-TabBar-tab[data-id="vanna-magic-sidebar"]').click();
    const sidebar = page.locator('#vanna-magic-sidebar');
    await sidebar.waitFor(WAIT);
    const width = await narrow(page, NARROW);
    check(Math.abs(width - NARROW) <= 2, `the sidebar is ${width} px wide`);
    await page.locator('#vanna-magic-sidebar[data-connection="not-loaded"]').waitFor(WAIT);
    const load = sidebar.locator('button.vm-load');
    check(await load.isVisible(), 'a fresh kernel: the sidebar says vanna_magic is not loaded and offers a button');
    await narrowShot(page, '1-not-loaded');

    await load.click();
    await page.locator('#vanna-magic-sidebar[data-connection="ready"]').waitFor(WAIT);
    const tableNames = sidebar.locator('#vanna-magic-schema .vm-table-name');
    await tableNames.filter({ hasText: 'order_items' }).waitFor(WAIT);
    const tables = await texts(page, '#vanna-magic-schema .vm-table-name');
    check(['customers', 'orders', 'order_items', 'products'].every(t => tables.includes(t)),
      `schema lists the demo tables: ${tables.join(', ')}`);
    await sidebar.locator('#vanna-magic-docs details[data-group="Metrics"] > summary').click();
    await sidebar.locator('#vanna-magic-docs .vm-markdown[data-name="revenue"]').waitFor(WAIT);
    const revenue = await sidebar.locator('#vanna-magic-docs .vm-markdown[data-name="revenue"]').innerText();
    check(/revenue/.test(revenue) && /SUM/i.test(revenue), 'semantic docs render the revenue definition with its SQL');
    await narrowShot(page, '2-docs');
    await sidebar.locator('#vanna-magic-docs details[data-group="Metrics"] > summary').click();
    await sidebar.locator('#vanna-magic-health .vm-mode').waitFor(WAIT);
    const mode = await sidebar.locator('#vanna-magic-health .vm-mode').innerText();
    check(mode === 'LIMITED_AI', `system health shows the current mode: ${mode}`);
    const health = await sidebar.locator('#vanna-magic-health .vm-body').innerText();
    check(/sqlite/.test(health) && /definitions/.test(health) && /score \d+\/100/.test(health),
      'system health shows the score, the database and the knowledge base');
    const leave = await sidebar.locator('#vanna-magic-health .vm-next-step').innerText();
    check(leave.includes('%vanna setup'), `system health says how to leave LIMITED_AI: ${leave}`);
    await sidebar.locator('#vanna-magic-health').scrollIntoViewIfNeeded();
    await narrowShot(page, '2-health');

    await sidebar.locator('#vanna-magic-schema details[data-table="order_items"] summary').click({ position: { x: 4, y: 6 } });
    const filter = sidebar.locator('#vanna-magic-schema input.vm-filter');
    await filter.fill('order');
    const filtered = await texts(page, '#vanna-magic-schema .vm-table-name');
    check(filtered.length > 0 && filtered.every(t => t.includes('order')) && !filtered.includes('customers'),
      `the filter keeps only matching tables: ${filtered.join(', ')}`);
    await filter.fill('email');
    const byColumn = await texts(page, '#vanna-magic-schema .vm-table-name');
    check(byColumn.includes('customers'), `the filter finds tables by column: ${byColumn.join(', ')}`);
    await narrowShot(page, '3-filtered');
    await filter.fill('');

    const cellsBefore = await page.locator('.jp-Notebook .jp-Cell').count();
    await tableNames.filter({ hasText: /^customers$/ }).click();
    await page.locator('.jp-Notebook .jp-Cell').nth(cellsBefore).waitFor(WAIT);
    const inserted = await page.locator('.jp-Notebook .jp-Cell').nth(cellsBefore).innerText();
    check(inserted.includes('%%ask') && inserted.includes('customers'), `clicking a table inserts a %%ask cell`);

    await sidebar.locator('#vanna-magic-docs input.vm-filter').fill('revenue');
    await sidebar.locator('#vanna-magic-docs .vm-hits li').first().waitFor(WAIT);
    const hits = await texts(page, '#vanna-magic-docs .vm-hits li strong');
    check(hits.includes('revenue'), `docs search finds revenue: ${hits.slice(0, 5).join(', ')}`);
    await narrowShot(page, '4-ask-cell-and-search');

    const first = page.locator('.jp-Notebook .jp-Cell').first();
    await first.locator('.cm-content').click();
    await page.keyboard.press('Control+A');
    await page.keyboard.type('%%vsql\nSELECT COUNT(*) AS n FROM customers');
    await page.keyboard.press('Shift+Enter');
    // The cell's first output is its progress display; wait for the answer itself.
    await first.locator('.jp-OutputArea-output', { hasText: 'total' }).first().waitFor(WAIT);
    await sidebar.locator('#vanna-magic-health .vm-toolbar button').click();
    await sidebar.locator('#vanna-magic-health th', { hasText: 'total' }).waitFor(WAIT);
    const latency = await sidebar.locator('#vanna-magic-health .vm-body').innerText();
    check(/total\s+[\d.]+ ms median/.test(latency), 'after a %%vsql cell, health shows its latencies');
    await first.locator('.cm-content').click();
    await page.keyboard.press('Control+A');
    await page.keyboard.type('%%vsql\nSELECT nope FROM customers');
    await page.keyboard.press('Shift+Enter');
    await first.locator('.jp-OutputArea-output', { hasText: 'nope' }).first().waitFor(WAIT);
    await sidebar.locator('#vanna-magic-health .vm-toolbar button').click();
    await sidebar.locator('#vanna-magic-health .vm-errors li', { hasText: 'nope' }).waitFor(WAIT);
    const heading = await sidebar.locator('#vanna-magic-health h4', { hasText: 'Last errors' }).innerText();
    check(heading.includes('this kernel'), `a failed %%vsql is among the last errors of this kernel (${heading})`);
    await sidebar.locator('#vanna-magic-health').scrollIntoViewIfNeeded();
    await narrowShot(page, '5-latencies');

    await first.locator('.cm-content').click();
    await page.keyboard.press('Control+A');
    await page.keyboard.type("%config VannaMagic.connection = 'sqlite:////nonexistent/folder/shop.db'");
    await page.keyboard.press('Shift+Enter');
    await page.locator('.jp-Notebook .jp-Cell').first().locator('.jp-InputArea-prompt', { hasText: '[3]' })
      .waitFor(WAIT);
    await sidebar.locator('#vanna-magic-schema .vm-toolbar button').click();
    const message = sidebar.locator('#vanna-magic-schema .vm-message[data-kind="error"]');
    await message.waitFor(WAIT);
    const text = await message.innerText();
    check(text.includes('nonexistent'), `a kernel error appears as a message in the section: ${text}`);
    await sidebar.locator('#vanna-magic-health .vm-toolbar button').click();
    await sidebar.locator('#vanna-magic-health .vm-mode', { hasText: 'EMERGENCY' }).waitFor(WAIT);
    check(true, 'an unreachable database turns the mode to EMERGENCY');
    await narrowShot(page, '6-unreachable-database');

    await page.locator('.jp-Notebook').first().click({ position: { x: 5, y: 5 } });
    await page.keyboard.press('Escape');
    await page.keyboard.press('0');
    await page.keyboard.press('0');
    await page.locator('.jp-Dialog button.jp-mod-accept').click();
    await page.locator('#vanna-magic-sidebar[data-connection="not-loaded"]').waitFor(WAIT);
    check(await load.isVisible(), 'after a kernel restart the sidebar offers to load vanna_magic again');
    await narrowShot(page, '7-after-restart');
  } catch (error) {
    await shot(page, 'failure').catch(() => undefined);
    throw error;
  } finally {
    await browser.close();
  }
}

main().catch(error => {
  console.error(error.stack || String(error));
  process.exit(1);
});
