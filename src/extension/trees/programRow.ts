import * as vscode from 'vscode';
import { describeProgram } from '../../protocol/describe';
import type { ProgramView } from '../../protocol/views';

export function programTooltip(p: ProgramView): vscode.MarkdownString {
  const md = new vscode.MarkdownString(undefined, true);
  md.appendMarkdown(`**${p.name}** — a Python program, traced\n\n| | |\n|---|---|\n`);
  md.appendMarkdown(`| file | \`${p.file.replace(/`/g, "'")}\` |\n`);
  if (p.args.length) md.appendMarkdown(`| arguments | \`${p.args.join(' ').replace(/`/g, "'")}\` |\n`);
  md.appendMarkdown(`| interpreter | ${p.interpreter ?? '—'} |\n| processes | ${p.processes} |\n| state | ${describeProgram(p)} |\n`);
  if (p.deadlock) md.appendMarkdown(`\n**Deadlock:** ${p.deadlock.description}\n`);
  for (const n of p.notes) md.appendMarkdown(`\n- ${n.replace(/[\\`*_[\]<>]/g, (c) => `\\${c}`)}`);
  return md;
}
