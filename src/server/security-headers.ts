/**
 * Security headers sent with every response of `apron serve`.
 *
 * The Content-Security-Policy is built from a directive map so each source list can be read on
 * its own. The renderer needs no eval and no inline script or style: Vite's production build
 * emits only external module scripts and stylesheets, and React sets `style` props through the
 * CSSOM, which `style-src 'self'` allows.
 */
import type { ServerResponse } from 'node:http';

export const CSP_DIRECTIVES: Record<string, string[]> = {
  'default-src': ["'self'"],
  'script-src': ["'self'"],
  'style-src': ["'self'"],
  'img-src': ["'self'", 'data:', 'blob:'],
  'connect-src': ["'self'"],
  'font-src': ["'self'"],
  'object-src': ["'none'"],
  'base-uri': ["'none'"],
  'form-action': ["'none'"],
  'frame-ancestors': ["'none'"],
};

/** Join a directive map into a Content-Security-Policy header value. */
export function formatCsp(directives: Record<string, string[]>): string {
  return Object.entries(directives)
    .map(([name, sources]) => `${name} ${sources.join(' ')}`)
    .join('; ');
}

const HEADERS: Record<string, string> = {
  'Content-Security-Policy': formatCsp(CSP_DIRECTIVES),
  'X-Content-Type-Options': 'nosniff',
  'X-Frame-Options': 'DENY',
  'Referrer-Policy': 'no-referrer',
  'Cross-Origin-Opener-Policy': 'same-origin',
  'Cross-Origin-Resource-Policy': 'same-origin',
  'Permissions-Policy': 'camera=(), microphone=(), geolocation=()',
};

export function applySecurityHeaders(response: ServerResponse): void {
  for (const [name, value] of Object.entries(HEADERS)) response.setHeader(name, value);
}
