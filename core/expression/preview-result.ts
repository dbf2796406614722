/** The answer of `POST /api/v1/compute/preview` (types only: the web UI imports this file). */
import type { Quality, Value } from '../values.js';

export type PreviewResult =
  | {
      ok: true;
      value: Value;
      quality: Quality;
      timestamp: number;
      /** `input-bad` when an input is bad or has no value. */
      error?: string;
      references: string[];
    }
  | { ok: false; error: { message: string; position: number | null }; references?: string[] };
