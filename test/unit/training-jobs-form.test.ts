// The training page's pure parts: the configuration the form sends, checked against the engine's
// schema, and the routes of the page and of the runs page with one run ticked.
import { describe, expect, it } from 'vitest';
import { buildRunConfig, DEFAULT_FORM_VALUES, formDefaultsFor, withObjective } from '../../renderer/src/training/training-config.js';
import { parseRoute, routeHash } from '../../renderer/src/routes.js';
import { maskRulesFromOptions } from '../../src/cli/mask-options.js';
import { parseRunConfig } from '../../src/train/config.js';
import { parseCrossModalConfig } from '../../src/train/crossmodal/config.js';

describe('training form configuration', () => {
  it('builds the defaults the engine accepts', () => {
    const built = buildRunConfig(DEFAULT_FORM_VALUES);
    expect(built.ok).toBe(true);
    if (!built.ok) return;
    expect(built.useDecisions).toBe(true);
    expect(built.config['positives']).toEqual({ kind: 'temporal', windowSeconds: 1 });
    expect(built.config['objective']).toEqual({ kind: 'infonce' });
    expect(built.config['hardNegatives']).toEqual({ enabled: false, weight: 1 });

    const config = parseRunConfig(built.config);
    expect(config.steps).toBe(200);
    expect(config.batchSize).toBe(64);
    expect(config.learningRate).toBe(0.001);
    expect(config.temperature).toBe(0.1);
  });

  it('defaults to place positives where every sample has a place id', () => {
    expect(formDefaultsFor({ sampleCount: 12, withPlaceId: 12 }).positivesKind).toBe('place');
    expect(formDefaultsFor({ sampleCount: 12, withPlaceId: 11 })).toEqual(DEFAULT_FORM_VALUES);
    expect(formDefaultsFor({ sampleCount: 0, withPlaceId: 0 })).toEqual(DEFAULT_FORM_VALUES);
    const built = buildRunConfig(formDefaultsFor({ sampleCount: 12, withPlaceId: 12 }));
    expect(built.ok ? parseRunConfig(built.config).positives : undefined).toEqual({ kind: 'place' });
  });

  it('takes the default temperature of each objective until one is typed', () => {
    const clip = withObjective(DEFAULT_FORM_VALUES, 'clip');
    expect(clip.temperature).toBe('0.07');
    expect(withObjective(clip, 'moco').temperature).toBe('0.1');
    expect(withObjective({ ...DEFAULT_FORM_VALUES, temperature: '0.2' }, 'clip').temperature).toBe('0.2');
  });

  it('sends queue size and momentum for moco', () => {
    const built = buildRunConfig({ ...DEFAULT_FORM_VALUES, objectiveKind: 'moco', queueSize: '256', momentum: '0.99', positivesKind: 'augment' });
    expect(built.ok).toBe(true);
    const config = built.ok ? built.config : {};
    expect(config['objective']).toEqual({ kind: 'moco', queueSize: 256, momentum: 0.99 });
    expect(config['positives']).toEqual({ kind: 'augment' });
  });

  it('sends a cross-modal configuration the engine accepts for clip', () => {
    const built = buildRunConfig({ ...DEFAULT_FORM_VALUES, objectiveKind: 'clip', clipPartner: 'bev', batchSize: '16', temperature: '0.07', advancedJson: '{"seed": 3}' });
    expect(built).toEqual({
      ok: true,
      config: { objective: 'clip', modalities: ['camera', 'bev'], steps: 200, batchSize: 16, learningRate: 0.001, initialTemperature: 0.07, seed: 3 },
      useDecisions: false,
    });
    const { objective: _objective, ...fields } = built.ok ? built.config : {};
    const config = parseCrossModalConfig(fields);
    expect(config.modalities).toEqual(['camera', 'bev']);
    expect(config.initialTemperature).toBe(0.07);
    expect(buildRunConfig({ ...DEFAULT_FORM_VALUES, objectiveKind: 'clip', temperature: 'warm' })).toEqual({ ok: false, error: 'The temperature "warm" is not a number.' });
  });

  it('sends the mask rules of apron train', () => {
    const built = buildRunConfig(DEFAULT_FORM_VALUES);
    const config = built.ok ? built.config : {};
    expect(config['maskRules']).toEqual({ sameSequenceWithinSeconds: 30, samePlace: true });
    expect(config['maskRules']).toEqual(maskRulesFromOptions({}));
    expect(parseRunConfig(config).maskRules).toEqual({ sameSequenceWithinSeconds: 30, samePlace: true });
  });

  it('sends the mask time window typed', () => {
    const built = buildRunConfig({ ...DEFAULT_FORM_VALUES, maskTimeWindowSeconds: '5' });
    expect(built.ok ? built.config['maskRules'] : undefined).toEqual({ sameSequenceWithinSeconds: 5, samePlace: true });
    expect(buildRunConfig({ ...DEFAULT_FORM_VALUES, maskTimeWindowSeconds: 'x' })).toEqual({ ok: false, error: 'The mask time window "x" is not a number.' });
  });

  it('lets advanced maskRules replace the field', () => {
    const built = buildRunConfig({ ...DEFAULT_FORM_VALUES, advancedJson: '{"maskRules": {"poseRadiusMetres": 10}}' });
    expect(built.ok ? built.config['maskRules'] : undefined).toEqual({ poseRadiusMetres: 10 });
  });

  it('lets the advanced JSON replace fields', () => {
    const built = buildRunConfig({ ...DEFAULT_FORM_VALUES, advancedJson: '{"seed": 4, "steps": 7}' });
    expect(built.ok).toBe(true);
    const config = built.ok ? built.config : {};
    expect(config['seed']).toBe(4);
    expect(config['steps']).toBe(7);
  });

  it('rejects text that is not a number or JSON', () => {
    expect(buildRunConfig({ ...DEFAULT_FORM_VALUES, batchSize: 'many' })).toEqual({ ok: false, error: 'The batch size "many" is not a number.' });
    expect(buildRunConfig({ ...DEFAULT_FORM_VALUES, steps: ' ' })).toMatchObject({ ok: false });
    const badJson = buildRunConfig({ ...DEFAULT_FORM_VALUES, advancedJson: '{seed: 4}' });
    expect(badJson.ok ? '' : badJson.error).toContain('not valid JSON');
    const array = buildRunConfig({ ...DEFAULT_FORM_VALUES, advancedJson: '[1]' });
    expect(array.ok ? '' : array.error).toContain('must be a JSON object');
  });

  it('leaves range checks to the engine schema', () => {
    const built = buildRunConfig({ ...DEFAULT_FORM_VALUES, batchSize: '1' });
    expect(built.ok).toBe(true);
    expect(() => parseRunConfig(built.ok ? built.config : {})).toThrow(/batchSize/);
  });
});

describe('training routes', () => {
  it('parses and formats the training page', () => {
    expect(parseRoute('#/datasets/kitti/train')).toEqual({ screen: 'train', datasetId: 'kitti', runId: null });
    expect(parseRoute('#/datasets/kitti/train?run=run-1')).toEqual({ screen: 'train', datasetId: 'kitti', runId: 'run-1' });
    expect(routeHash({ screen: 'train', datasetId: 'a b', runId: 'run/1' })).toBe('#/datasets/a%20b/train?run=run%2F1');
    expect(parseRoute(routeHash({ screen: 'train', datasetId: 'a b', runId: 'run/1' }))).toEqual({ screen: 'train', datasetId: 'a b', runId: 'run/1' });
  });

  it('ticks one run on the runs page', () => {
    expect(parseRoute('#/datasets/kitti/runs')).toEqual({ screen: 'runs', datasetId: 'kitti' });
    expect(parseRoute('#/datasets/kitti/runs?run=run-1')).toEqual({ screen: 'runs', datasetId: 'kitti', runId: 'run-1' });
    expect(routeHash({ screen: 'runs', datasetId: 'kitti', runId: 'run-1' })).toBe('#/datasets/kitti/runs?run=run-1');
    expect(routeHash({ screen: 'runs', datasetId: 'kitti' })).toBe('#/datasets/kitti/runs');
  });
});
