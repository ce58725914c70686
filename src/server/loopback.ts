/**
 * Loopback checks for the DNS-rebinding guard.
 *
 * A page on another site can point its own host name at 127.0.0.1 and then talk to a local server
 * as if it were same-origin. The browser still sends that foreign name in the Host header, so a
 * server bound to loopback accepts only loopback names there.
 */
import { isIP } from 'node:net';

const LOOPBACK_NAMES = new Set(['localhost', '127.0.0.1', '::1', '[::1]']);

/** Check whether a bind address or host name is a loopback one (localhost, 127.0.0.0/8, ::1). */
export function isLoopbackHost(host: string): boolean {
  const name = host.toLowerCase();
  if (LOOPBACK_NAMES.has(name)) return true;
  return isIP(name) === 4 && name.startsWith('127.');
}

/** Split a Host header into its name, dropping the port; brackets of an IPv6 literal stay. */
export function hostNameOf(hostHeader: string): string {
  const value = hostHeader.trim();
  if (value.startsWith('[')) {
    const end = value.indexOf(']');
    return end === -1 ? value : value.slice(0, end + 1);
  }
  const colon = value.lastIndexOf(':');
  return colon === -1 ? value : value.slice(0, colon);
}

/** Check whether a request's Host header names this machine by a loopback name. A missing header fails. */
export function isLoopbackHostHeader(hostHeader: string | undefined): boolean {
  if (hostHeader === undefined || hostHeader === '') return false;
  return isLoopbackHost(hostNameOf(hostHeader));
}
