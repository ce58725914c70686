// The configuration column of the runs page.
import { describe, expect, it } from 'vitest';
import { describeConfig } from '../../renderer/src/runs/run-config.js';

const base = { temperature: 0.1, batchSize: 64, positives: { kind: 'temporal', windowSeconds: 1 }, maskRules: { samePlace: true }, steps: 200 };

describe('describeConfig', () => {
  it('shows infonce with its positives', () => {
    expect(describeConfig({ ...base, objective: { kind: 'infonce' } })).toBe(
      'infonce, temperature 0.1, batch 64, positives temporal 1 s, mask {"samePlace":true}, 200 steps',
    );
  });

  it('treats a missing objective as infonce', () => {
    expect(describeConfig(base)).toContain('infonce, temperature 0.1');
    expect(describeConfig(base)).toContain('positives temporal 1 s');
  });

  it('leaves positives out for nt-xent and cpc', () => {
    for (const kind of ['nt-xent', 'cpc']) {
      const text = describeConfig({ ...base, objective: { kind } });
      expect(text.startsWith(`${kind}, temperature`)).toBe(true);
      expect(text).not.toContain('positives');
    }
  });

  it('shows a cross-modal run with its modalities and starting temperature', () => {
    expect(describeConfig({ objective: 'clip', modalities: ['camera', 'bev'], initialTemperature: 0.07, batchSize: 8, steps: 400 })).toBe(
      'clip camera-bev, temperature from 0.07, batch 8, 400 steps',
    );
  });

  it('shows the moco queue size', () => {
    expect(describeConfig({ ...base, objective: { kind: 'moco', queueSize: 1024 } })).toContain('moco, queue 1024, temperature');
    expect(describeConfig({ ...base, objective: { kind: 'moco' } })).toContain('moco, queue 4096');
  });

  it('shows a dash without a configuration', () => {
    expect(describeConfig(null)).toBe('–');
  });
});
