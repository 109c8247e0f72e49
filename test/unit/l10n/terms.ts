/** What must read the same in both languages: code, command links, and the tutorials' own terms. */
export function fixed(text: string): string[] {
  const code = text.match(/`[^`]+`/g) ?? [];
  const links = text.match(/\(command:[^)]+\)/g) ?? [];
  // English plurals (Locks, RLocks) are the same term; "select" only as code (select(), select.poll), not the verb.
  const terms = [
    ...text.matchAll(
      /\b(recv|socketserver|select(?=\.[a-z]|\()|threading|multiprocessing(?:\.Pool)?|ThreadingTCPServer|ForkingTCPServer|R?Lock|Semaphore|Event|Condition|Barrier|apply_async|apply|127\.0\.0\.1|Python|VS Code)s?\b/g,
    ),
  ].map((m) => m[1]!);
  return [...code, ...links, ...terms].sort();
}
