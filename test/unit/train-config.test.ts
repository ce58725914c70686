import { describe, expect, it } from 'vitest';
import { DEFAULT_STEPS, encoderConfigOf, parseRunConfig, totalSteps } from '../../src/train/config.js';

describe('parseRunConfig', () => {
  it('fills every default from an empty object', () => {
    const config = parseRunConfig({});
    expect(config.imageSize).toEqual({ width: 64, height: 64 });
    expect(config.embeddingDim).toBe(128);
    expect(config.temperature).toBe(0.1);
    expect(config.encoder.pooling).toBe('flatten');
    expect(config.positives.kind).toBe('temporal');
    expect(config.maskRules.samePlace).toBe(true);
    expect(config.steps).toBeUndefined();
    expect(totalSteps(config, 1000)).toBe(DEFAULT_STEPS);
  });

  it('turns epochs into steps over the anchors', () => {
    // 2.5 epochs of 1000 anchors at 64 per batch: ceil(2500 / 64) = 40 steps.
    const config = parseRunConfig({ epochs: 2.5, batchSize: 64 });
    expect(totalSteps(config, 1000)).toBe(40);
  });

  it('takes steps as given', () => {
    expect(totalSteps(parseRunConfig({ steps: 17 }), 1000)).toBe(17);
  });

  it('rejects steps and epochs together', () => {
    expect(() => parseRunConfig({ steps: 10, epochs: 1 })).toThrow(/steps: set either steps or epochs, not both/);
  });

  it('names each invalid field', () => {
    expect(() => parseRunConfig({ temperature: 0, positives: { kind: 'temporal', windowSeconds: -1 } })).toThrow(
      /temperature: .*; positives\.windowSeconds: /,
    );
  });

  it('rejects channel counts that normGroups does not divide', () => {
    expect(() => parseRunConfig({ encoder: { channels: [12, 24], normGroups: 8 } })).toThrow(/encoder\.channels: every channel count must be a multiple of normGroups/);
  });

  it('raises an ApronError for invalid input', () => {
    try {
      parseRunConfig({ batchSize: 1 });
      expect.unreachable();
    } catch (error) {
      expect(error).toMatchObject({ code: 'invalid-input' });
    }
  });

  it('describes the encoder it configures', () => {
    const config = parseRunConfig({ imageSize: { width: 64, height: 32 }, embeddingDim: 32 });
    expect(encoderConfigOf(config)).toMatchObject({ imageWidth: 64, imageHeight: 32, embeddingDim: 32 });
  });
});
