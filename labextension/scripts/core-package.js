// Prints the path of JupyterLab's core package.json (jupyterlab/staging/package.json).
// `jupyter labextension build` otherwise looks the core package list up on the network.
// The Python that runs `jupyter` is the one whose jupyterlab we build against: during
// `pip install` that is pip's build environment, where a bare `python` may not exist.
const { execFileSync } = require('child_process');
const fs = require('fs');
const path = require('path');

const CODE = 'import jupyterlab, os; print(os.path.join(os.path.dirname(jupyterlab.__file__), "staging", "package.json"))';

function onPath(name) {
  for (const dir of (process.env.PATH || '').split(path.delimiter)) {
    const candidate = path.join(dir, name);
    if (dir && fs.existsSync(candidate)) {
      return candidate;
    }
  }
  return null;
}

function interpreterOf(script) {
  // pip writes either "#!/path/python" or, for long paths, a /bin/sh line "'''exec' /path/python ...".
  const head = fs.readFileSync(script, 'utf8').split('\n').slice(0, 3);
  const exec = head.map(line => line.match(/^'''exec' '?([^' ]+)'? "\$0"/)).find(Boolean);
  if (exec) {
    return exec[1];
  }
  return head[0].startsWith('#!') && !head[0].includes('/sh') ? head[0].slice(2).trim().split(' ')[0] : null;
}

const jupyter = onPath('jupyter');
const candidates = [process.env.PYTHON, jupyter && interpreterOf(jupyter), 'python3', 'python'].filter(Boolean);
for (const python of candidates) {
  try {
    const file = execFileSync(python, ['-c', CODE], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
    if (fs.existsSync(file)) {
      process.stdout.write(file);
      process.exit(0);
    }
  } catch {
    // Not this interpreter; try the next.
  }
}
console.error(`No Python with jupyterlab found (tried ${candidates.join(', ')}); install jupyterlab>=4.2.`);
process.exit(1);
