// Imported first by main.ts, so every module's texts are translated from their first use: the
// extension writes its l10n bundle (VS Code's display language) into the page.
import { useBundle } from '../protocol/l10n';

function pageBundle(): Record<string, string> {
  const raw = document.body.dataset.l10n;
  if (!raw) return {};
  try {
    const parsed: unknown = JSON.parse(raw);
    if (typeof parsed !== 'object' || parsed === null) return {};
    // Only strings: a page must not be able to feed anything else to the translator.
    return Object.fromEntries(Object.entries(parsed).filter((e): e is [string, string] => typeof e[1] === 'string'));
  } catch {
    return {};
  }
}

useBundle(pageBundle());
