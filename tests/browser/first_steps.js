// A newcomer's first cells in a real JupyterLab with the system's Chromium (playwright-core):
// a question with no model configured (the closest questions insert cells), the editor language of
// %%ask and %%vsql bodies, and a %%vsql error with its next step.
// Run by tests/browser/test_first_steps.py; env: LAB_URL, LAB_TOKEN, NOTEBOOK, ARTIFACTS, CHROMIUM.
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

/** Replace the source of cell `index` and run it; resolves when its prompt shows `[count]`. */
async function runCell(page, index, source, count) {
  const cell = page.locator('.jp-Notebook .jp-Cell').nth(index);
  await cell.locator('.cm-content').click();
  await page.keyboard.press('Control+A');
  await page.keyboard.type(source);
  await page.keyboard.press('Shift+Enter');
  await cell.locator('.jp-InputArea-prompt', { hasText: `[${count}]` }).waitFor(WAIT);
  return cell;
}

/** The highlight classes CodeMirror gave the word `word` in `cell`'s editor ('' when it is plain text). */
async function tokenClass(cell, word) {
  return cell.locator('.cm-content').evaluate((content, wanted) => {
    const walker = document.createTreeWalker(content, NodeFilter.SHOW_TEXT);
    for (let node = walker.nextNode(); node; node = walker.nextNode()) {
      const at = node.textContent.split(/\b/).indexOf(wanted);
      if (at >= 0) {
        const parent = node.parentElement;
        return parent.classList.contains('cm-line') ? '' : parent.className;
      }
    }
    return null;
  }, word);
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

    const python = await runCell(page, 0, 'for x in []: pass', 1);
    const keyword = await tokenClass(python, 'for');
    check(Boolean(keyword), `a Python keyword is highlighted: ${keyword}`);
    await page.keyboard.type('%load_ext vanna_magic');
    await page.keyboard.press('Shift+Enter');
    await page.locator('.jp-Notebook .jp-Cell').nth(1).locator('.jp-InputArea-prompt', { hasText: '[2]' })
      .waitFor(WAIT);

    const ask = page.locator('.jp-Notebook .jp-Cell').nth(2);
    await ask.locator('.cm-content').click();
    await page.keyboard.type('%%ask\nWhich suppliers in Europe ship toys in 5 days?');
    await page.locator('.jp-Notebook .jp-Cell[data-vanna-language="text/plain"]').first().waitFor(WAIT);
    const asked = await tokenClass(ask, 'in');
    check(asked === '', `the question in a %%ask cell is plain text, not Python ("in": "${asked}")`);
    await page.keyboard.press('Shift+Enter');
    const offer = ask.locator('.vanna-no-model');
    await offer.waitFor(WAIT);
    const said = await offer.innerText();
    check(said.startsWith('No model is configured: run %vanna setup, or pick one of the questions'),
      `no model: one sentence with the next step: ${said.split('\n')[0]}`);
    const buttons = ask.locator('button.vanna-insert-cell');
    const offered = await buttons.count();
    check(offered > 0 && !(await ask.innerText()).includes('%config'), `${offered} closest questions, no %config wall`);
    const question = (await buttons.first().innerText()).replace(/^%%ask\s*/, '').trim();
    await shot(page, '1-no-model');

    const cells = await page.locator('.jp-Notebook .jp-Cell').count();
    await buttons.first().click();
    await page.locator('.jp-Notebook .jp-Cell').nth(cells).waitFor(WAIT);
    const inserted = page.locator('.jp-Notebook .jp-Cell').nth(3);
    const source = await inserted.locator('.cm-content').innerText();
    check(source.startsWith('%%ask') && source.includes(question), `one click inserts the question below: ${source}`);
    await page.keyboard.press('Shift+Enter');
    await inserted.locator('.vanna-answer').waitFor(WAIT);
    check(true, 'the inserted question is answered from the knowledge base');

    const vsql = page.locator('.jp-Notebook .jp-Cell').nth(4);
    await vsql.locator('.cm-content').click();
    await page.keyboard.press('Control+A');
    await page.keyboard.type('%%vsql\nSELECT nope FROM orders');
    await vsql.and(page.locator('[data-vanna-language="text/x-sql"]')).waitFor(WAIT);
    const select = await tokenClass(vsql, 'SELECT');
    check(select === keyword, `a %%vsql body is SQL: SELECT is a keyword ("${select}")`);
    await page.keyboard.press('Shift+Enter');
    const error = vsql.locator('.jp-OutputArea-output', { hasText: 'nope' });
    await error.waitFor(WAIT);
    const text = await error.innerText();
    check(text.includes('orders has the columns') && text.includes('%vanna schema orders'),
      `a %%vsql error gives the columns and the next step: ${text.replace(/\n/g, ' | ')}`);
    await vsql.scrollIntoViewIfNeeded();
    await shot(page, '2-editor-languages-and-vsql-error');
  } catch (error) {
    await shot(page, 'first-steps-failure').catch(() => undefined);
    throw error;
  } finally {
    await browser.close();
  }
}

main().catch(error => {
  console.error(error.stack || String(error));
  process.exit(1);
});
