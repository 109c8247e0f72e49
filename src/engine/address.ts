import net from 'node:net';
import * as l10n from '@vscode/l10n';

// Validation shared by the CLI and the extension's input boxes: one wording everywhere.

/** Returns an error message, or undefined when `text` is a usable port (0 = any free port). */
export function validatePort(text: string): string | undefined {
  const t = text.trim();
  // A negative number is a port, just not one that exists: say so rather than "not a number".
  if (/^-\d+$/.test(t)) return l10n.t('Port {0} is out of range: a port is a whole number from 0 to 65535 (0 = any free port).', t);
  if (!/^\d+$/.test(t)) return l10n.t('Port must be a whole number from 0 to 65535 (0 = any free port); got "{0}".', text);
  const n = Number(t);
  if (n > 65535) return l10n.t('Port {0} is out of range: it must be at most 65535.', t);
  return undefined;
}

const HOSTNAME = /^(?=.{1,253}$)([a-zA-Z0-9]([a-zA-Z0-9-]{0,61}[a-zA-Z0-9])?)(\.[a-zA-Z0-9]([a-zA-Z0-9-]{0,61}[a-zA-Z0-9])?)*$/;

/** Returns an error message, or undefined when `text` is an IP address or a plausible host name. */
export function validateHost(text: string): string | undefined {
  const t = text.trim();
  if (t === '') return l10n.t('Enter an address such as 127.0.0.1 (this machine only) or ::1.');
  if (net.isIP(t) !== 0) return undefined;
  // Digits and dots are no host name (no top-level domain is numeric): a mistyped IPv4 address.
  // Said now, rather than after the consent question and a DNS look-up failing with ENOTFOUND.
  if (/^[\d.]+$/.test(t)) return ipv4Problem(t);
  if (HOSTNAME.test(t)) return undefined;
  return l10n.t('"{0}" is not an IP address or host name.', text);
}

function ipv4Problem(t: string): string {
  const parts = t.split('.');
  const tooBig = parts.find((p) => /^\d+$/.test(p) && Number(p) > 255);
  if (parts.length === 4 && tooBig !== undefined) return l10n.t('"{0}" is not an IPv4 address: each of its four numbers must be from 0 to 255 ({1} is not).', t, tooBig);
  return l10n.t('"{0}" is not an IPv4 address: that is four numbers from 0 to 255 separated by dots, such as 127.0.0.1.', t);
}

export function isLoopback(host: string): boolean {
  const t = host.trim().toLowerCase();
  return t === 'localhost' || t === '::1' || /^127\.\d+\.\d+\.\d+$/.test(t);
}

/** Addresses that accept connections from other machines. */
export function isWildcard(host: string): boolean {
  const t = host.trim();
  return t === '0.0.0.0' || t === '::' || t === '0:0:0:0:0:0:0:0';
}

/** A plain-language warning for any bind that is not loopback-only, or undefined. */
export function exposureWarning(host: string): string | undefined {
  if (isLoopback(host)) return undefined;
  if (isWildcard(host)) {
    return l10n.t('{0} listens on every network interface: other machines on your network can connect to this server.', host);
  }
  return l10n.t('{0} is not a loopback address: machines that can reach it can connect to this server.', host);
}
