/** Number formats for evidence and counts; a missing value shows as an em dash. */

export const MISSING = '—';

export function formatSimilarity(value: number): string {
  return value.toFixed(3);
}

export function formatDuration(seconds: number | null): string {
  if (seconds === null) return MISSING;
  const magnitude = Math.abs(seconds);
  if (magnitude < 60) return `${seconds.toFixed(1)} s`;
  if (magnitude < 3600) return `${(seconds / 60).toFixed(1)} min`;
  if (magnitude < 86_400) return `${(seconds / 3600).toFixed(1)} h`;
  return `${(seconds / 86_400).toFixed(1)} d`;
}

export function formatMetres(metres: number | null): string {
  return metres === null ? MISSING : `${metres.toFixed(1)} m`;
}

export function formatDegrees(degrees: number | null): string {
  return degrees === null ? MISSING : `${degrees.toFixed(0)}°`;
}

export function formatCount(count: number): string {
  return count.toLocaleString('en-US');
}

export function formatTimestamp(iso: string): string {
  const date = new Date(iso);
  return Number.isNaN(date.getTime()) ? iso : date.toLocaleString();
}

/** Format a metadata value as text. Null and '' show as missing. */
export function formatValue(value: string | number | boolean | null | undefined): string {
  if (value === null || value === undefined || value === '') return MISSING;
  return String(value);
}
