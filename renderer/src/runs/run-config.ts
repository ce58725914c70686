/** The one-line summary of a run's configuration on the runs page. */

/** Returns the settings a reviewer compares runs by, in one line. */
export function describeConfig(config: unknown): string {
  if (typeof config !== 'object' || config === null) return '–';
  const entries = config as Record<string, unknown>;
  if (entries['objective'] === 'clip') return describeCrossModal(entries);
  // A run configuration without an objective trained masked InfoNCE, the schema's default.
  const objective = (entries['objective'] ?? { kind: 'infonce' }) as { kind?: string; queueSize?: number };
  const parts = [describeObjective(objective), `temperature ${String(entries['temperature'] ?? '?')}`, `batch ${String(entries['batchSize'] ?? '?')}`];
  // Only InfoNCE reads the positives: nt-xent pairs two views of a sample, cpc predicts ahead in a sequence.
  if (objective.kind === 'infonce') {
    const positives = entries['positives'] as { kind?: string; windowSeconds?: number } | undefined;
    parts.push(`positives ${positives?.kind ?? '?'}${positives?.windowSeconds === undefined ? '' : ` ${positives.windowSeconds} s`}`);
  }
  parts.push(`mask ${JSON.stringify(entries['maskRules'] ?? {})}`);
  if (entries['steps'] !== undefined) parts.push(`${String(entries['steps'])} steps`);
  return parts.join(', ');
}

/** Summarises a cross-modal run: its modalities, starting temperature (then learned) and batch. */
function describeCrossModal(entries: Record<string, unknown>): string {
  const modalities = Array.isArray(entries['modalities']) ? entries['modalities'].join('-') : 'camera-lidar';
  const parts = [`clip ${modalities}`, `temperature from ${String(entries['initialTemperature'] ?? '?')}`, `batch ${String(entries['batchSize'] ?? '?')}`];
  if (entries['steps'] !== undefined) parts.push(`${String(entries['steps'])} steps`);
  return parts.join(', ');
}

/** Names the objective; a MoCo run adds its queue size, which the schema defaults to 4096 keys. */
function describeObjective(objective: { kind?: string; queueSize?: number }): string {
  const kind = objective.kind ?? '?';
  if (kind !== 'moco') return kind;
  return `moco, queue ${objective.queueSize ?? 4096}`;
}
