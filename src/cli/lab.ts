import * as l10n from '@vscode/l10n';
import { Engine } from '../engine/engine';
import { tr } from '../protocol/l10n';
import { SocketLabError } from '../engine/errors';
import { LABS } from '../engine/labs/catalog';
import { UsageError } from './usage';

function list(): string {
  const width = Math.max(...LABS.map((l) => l.name.length));
  return LABS.map((l) => {
    const params = l.params.map((p) => `--${p.name} ${p.default}`).join(' ');
    return `  ${l.name.padEnd(width)}  ${tr(l.title)}${params ? `   [${params}]` : ''}`;
  }).join('\n');
}

/** `--name value` pairs after the lab's name. */
function parseParams(argv: readonly string[]): { params: Record<string, string>; json: boolean } {
  const params: Record<string, string> = {};
  let json = false;
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === '--json') json = true;
    else if (a.startsWith('--') && a.length > 2) {
      const eq = a.indexOf('=');
      if (eq > 0) params[a.slice(2, eq)] = a.slice(eq + 1);
      else {
        const v = argv[++i];
        if (v === undefined) throw new UsageError(l10n.t('lab: {0} needs a value.', a));
        params[a.slice(2)] = v;
      }
    } else throw new UsageError(l10n.t('lab: unexpected "{0}".', a));
  }
  return { params, json };
}

/** `socket-lab lab NAME [--param value…] [--json]`: runs a lab, printing what happens as it happens. */
export async function lab(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (!name || name === '--list') {
    process.stdout.write(`${l10n.t('Labs:')}\n${list()}\n`);
    return name ? 0 : 2;
  }
  const { params, json } = parseParams(rest);
  const engine = new Engine({ log: { info() {}, warn() {}, error: (m) => process.stderr.write(`${m}\n`) } });
  let run;
  try {
    run = engine.startLab(name, params);
  } catch (err) {
    if (err instanceof SocketLabError) {
      throw new UsageError(err.code === 'ENOLAB' ? `${err.message}\n${l10n.t('Labs:')}\n${list()}` : `lab ${name}: ${err.message}`);
    }
    throw err;
  }
  process.stdout.write(`${tr(run.definition.title)}\n${tr(run.definition.explanation)}\n\n`);
  run.onLine((line) => process.stdout.write(`${line}\n`));
  const onSignal = () => void run.stop();
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  const outcome = await run.finished;
  await engine.dispose();
  const view = run.view();
  if (json) {
    process.stdout.write(`${JSON.stringify({ lab: name, state: view.state, summary: view.summary, ...(outcome?.figures ?? {}), ...(view.error ? { error: view.error.message } : {}) })}\n`);
  }
  return view.state === 'done' ? 0 : view.state === 'stopped' ? 130 : 1;
}
